"""Recording the county's commands in batches, by consecutive actor."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from ledger.application import Command, Ledger
from ledger.identity import Actor
from service.demo.plan import Tick


class Writer:
    """Collects commands by consecutive actor and records them in batches."""

    def __init__(self, ledger: Ledger, batch: int, progress: Callable[[str], None] | None,
                 on_batch: Callable[[Tick], None] | None = None):
        self.ledger = ledger
        self.batch = batch
        self.progress = progress
        self.on_batch = on_batch
        self.actor: Actor | None = None
        self.pending: list[Command] = []
        self.events = 0
        self.commands = 0
        self.types: Counter = Counter()
        self.started = time.perf_counter()
        self._reported = self.started
        self.stage = ""

    def begin(self, stage: str) -> None:
        """Record what is pending, so each batch (and its time) belongs to one stage."""
        self.flush()
        self.stage = stage

    def add(self, actor: Actor, type_: str, data: dict, on: datetime) -> None:
        if actor != self.actor or len(self.pending) >= self.batch:
            self.flush()
            self.actor = actor
        self.pending.append(Command(type_, data, on))

    def flush(self) -> None:
        if not self.pending:
            return
        for answer in self.ledger.record(self.actor, self.pending):  # type: ignore[arg-type]
            self.types[answer.type] += 1
            self.types.update(c.type for c in answer.consequences)
            self.events += 1 + len(answer.consequences)
        self.commands += len(self.pending)
        self.pending = []
        now = time.perf_counter()
        if self.on_batch is not None:
            self.on_batch(Tick(self.stage, self.events, now - self.started))
        if self.progress is not None and now - self._reported >= 10.0:
            self._reported = now
            elapsed = now - self.started
            self.progress(f"{self.stage}: {self.events:,} events, {elapsed:.0f} s, "
                          f"{self.events / elapsed:,.0f} events/s")

