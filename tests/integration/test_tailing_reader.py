"""A reader following the log while other processes append must never skip an event.

The reader pages with `after=<last position seen>`, as a replica or projection does. If a
writer could commit a lower position after a higher one became visible, the reader would
step past it for good; so the positions it collected must equal the final log's.
"""
from __future__ import annotations

import multiprocessing
import time
from typing import Any

from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.tamper import verification
from service.config import Config
from service.root import open_ledger

ADMIN = Actor("county-admin", "admin")
CONTEXT = multiprocessing.get_context("spawn")
WRITERS, EACH = 3, 30
EXPECTED = 1 + WRITERS * EACH  # the village, then one event per household
TIMEOUT = 60


def _write(url: str, barrier: Any, results: Any, worker: int) -> None:
    ledger = None
    try:
        ledger = open_ledger(Config(database_url=url))
        barrier.wait(TIMEOUT)
        positions = []
        for i in range(EACH):
            [answer] = ledger.record(ADMIN, [Command("HouseholdRegistered", {
                "household_id": f"h-{worker}-{i}", "village_id": "v1", "head_name": "Li",
                "size": 3, "category": "edge"})])
            positions.append(answer.position)
        results.put(("writer", worker, positions))
    except Exception as error:  # reported to the parent, which fails the test
        results.put(("writer", worker, repr(error)))
    finally:
        if ledger is not None:
            ledger.close()


def _tail(url: str, barrier: Any, results: Any, _: int) -> None:
    ledger = None
    try:
        ledger = open_ledger(Config(database_url=url))
        barrier.wait(TIMEOUT)
        seen: list[int] = []
        reads = 0
        deadline = time.monotonic() + TIMEOUT
        while len(seen) < EXPECTED and time.monotonic() < deadline:
            page = ledger.read_log(seen[-1] if seen else 0, 1000)
            reads += 1
            seen.extend(event.position for event in page)
        results.put(("reader", 0, {"seen": seen, "reads": reads}))
    except Exception as error:  # reported to the parent, which fails the test
        results.put(("reader", 0, repr(error)))
    finally:
        if ledger is not None:
            ledger.close()


def test_a_tailing_reader_sees_every_event_of_concurrent_writers(
    ledger: Ledger, database_url: str
) -> None:
    ledger.record(ADMIN, [Command("UnitRegistered",
                                  {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"})])
    barrier = CONTEXT.Barrier(WRITERS + 1)
    results = CONTEXT.Queue()
    jobs = [(_write, w) for w in range(WRITERS)] + [(_tail, 0)]
    processes = [CONTEXT.Process(target=t, args=(database_url, barrier, results, a))
                 for t, a in jobs]
    for process in processes:
        process.start()
    answers = {(kind, n): value for kind, n, value in
               (results.get(timeout=2 * TIMEOUT) for _ in processes)}
    for process in processes:
        process.join(TIMEOUT)
        assert process.exitcode == 0

    for answer in answers.values():
        assert not isinstance(answer, str), answer
    reader = answers[("reader", 0)]
    assert reader["reads"] > 1, "the reader only read once: it did not follow the writers"
    log = [event.position for event in ledger.read_log(0, 10000)]
    assert len(log) == EXPECTED
    acknowledged = [p for w in range(WRITERS) for p in answers[("writer", w)]]
    assert sorted(acknowledged) == log[1:]  # every acknowledged write is there, once
    assert reader["seen"] == log, "the tailing reader skipped or repeated positions"
    assert verification.verify_chain(ledger.recorder).ok
