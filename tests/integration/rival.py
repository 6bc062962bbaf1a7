"""A rival writer in another thread, caught while it holds the writers' lock.

`holding_the_lock(other_ledger)` gives a `Rival`; `rival.start(write)` runs `write` in a thread
and returns once that write holds the writers' lock and is about to append, which it then
delays by HOLD seconds. Whatever the test writes next arrives while the rival holds the lock;
`rival.finished` says when the rival's write returned, to show that the test's write waited.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ledger.application import Ledger

HOLD = 0.5
TIMEOUT = 30


class Rival:
    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._appending = threading.Event()
        self._thread: threading.Thread | None = None
        self._outcome: list[Any] = []
        self.finished = 0.0

    def start(self, write: Callable[[], Any]) -> None:
        put = self._ledger.events.put

        def put_slowly(*args: Any, **kwargs: Any) -> Any:
            self._appending.set()
            time.sleep(HOLD)
            return put(*args, **kwargs)

        def run() -> None:
            try:
                self._outcome.append(write())
            except Exception as error:  # handed to the test by result()
                self._outcome.append(error)
            self.finished = time.monotonic()

        self._ledger.events.put = put_slowly  # type: ignore[method-assign]
        self._thread = threading.Thread(target=run)
        self._thread.start()
        if not self._appending.wait(TIMEOUT):
            raise AssertionError("the rival never got to append")

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(TIMEOUT)

    def result(self) -> Any:
        self.join()
        [outcome] = self._outcome
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@contextmanager
def holding_the_lock(ledger: Ledger) -> Iterator[Rival]:
    rival = Rival(ledger)
    try:
        yield rival
    finally:
        rival.join()
        ledger.events.__dict__.pop("put", None)
