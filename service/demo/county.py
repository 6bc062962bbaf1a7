"""The whole county, month by month."""
from __future__ import annotations

import time
from collections.abc import Callable

from ledger.application import Ledger
from ledger.domain.units import Unit
from ledger.errors import AlreadyExists, Invalid
from service.demo.accountability import Accountability
from service.demo.lifecycle import Lifecycle
from service.demo.plan import (
    BATCH,
    YEAR,
    DemoSummary,
    Tick,
)
from service.demo.registry import Registry
from service.demo.supervision import Supervision
from service.demo.writer import Writer


class County(Registry, Supervision, Accountability, Lifecycle):
    """Plans the county month by month and hands each command to the writer."""

    # The whole run ----------------------------------------------------------------------
    def write(self) -> None:
        self.w.begin("registry")
        self.rules()
        self.registry()
        for month in range(1, self.months + 1):
            self.w.begin(f"{YEAR}-{month:02d}")
            self.month(month)
        self.w.begin("late entries")
        self.record_late_visits(None)
        self.w.flush()

    # One month ----------------------------------------------------------------------------
    def month(self, month: int) -> None:
        if self.months > 1 and month == self.months // 2 + 1:
            self.reassign(month)
        for villages in self.townships.values():
            for v_id in villages:
                self.visit_village(self.villages[v_id], month)
                self.check_village(self.villages[v_id], month)
                self.supervise(self.villages[v_id], month)
        self.record_late_visits(month)
        self.follow_ups(month)
        self.interviews(month)
        self.scoring(month)
        if month % 3 == 0:
            self.lights(month)
            self.warnings(month)
            self.measures(month)
        self.delist(month)
        if month == self.months:
            self.lifecycle(month)


def write_county(ledger: Ledger, households: int, months: int, seed: int,
                 batch: int = BATCH, progress: Callable[[str], None] | None = None,
                 on_batch: Callable[[Tick], None] | None = None) -> DemoSummary:
    """Write a synthetic county into an empty ledger; refuses a ledger that already has one.

    `progress` gets a line of text every ten seconds or so; `on_batch` gets a `Tick` after every
    recorded batch (bench/demo_bench.py times the first and last tenth of the events with it)."""
    if not 1 <= months <= 12:
        raise Invalid("months must be between 1 and 12 (the demo covers 2020)", field="months")
    if households < 1:
        raise Invalid("households must be at least 1", field="households")
    if Unit.id_for("county") in ledger.repository:
        raise AlreadyExists("this ledger already holds the demo county", id="county")
    writer = Writer(ledger, batch, progress, on_batch)
    County(writer, households, months, seed).write()
    seconds = time.perf_counter() - writer.started
    return DemoSummary(households, months, seed, writer.events, writer.commands, seconds,
                       writer.types)
