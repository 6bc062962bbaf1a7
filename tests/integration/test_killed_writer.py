"""A writer killed with SIGKILL in the middle of its batches leaves each batch wholly there or
wholly absent, and a log whose chain still verifies; a new writer carries on after it."""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter

from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.tamper import verification
from service.config import Config
from service.root import open_ledger

ADMIN = Actor("county-admin", "admin")
CONTEXT = multiprocessing.get_context("spawn")
BATCH = 50


def _households(batch: int) -> list[Command]:
    return [
        Command("HouseholdRegistered", {"household_id": f"b{batch}-{i}", "village_id": "v1",
                                        "head_name": "Li", "size": 3, "category": "edge"})
        for i in range(BATCH)
    ]


def _write_until_killed(url: str) -> None:
    ledger = open_ledger(Config(database_url=url))
    for batch in range(10_000):
        ledger.record(ADMIN, _households(batch))


def _batches(ledger: Ledger) -> Counter[str]:
    log = ledger.read_log(0, 10**6)
    return Counter(e.data["household_id"].split("-")[0]
                   for e in log if e.type == "HouseholdRegistered")


def test_a_killed_writer_leaves_whole_batches_and_a_sound_chain(
    ledger: Ledger, database_url: str
) -> None:
    ledger.record(ADMIN, [Command("UnitRegistered",
                                  {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"})])
    writer = CONTEXT.Process(target=_write_until_killed, args=(database_url,))
    writer.start()
    deadline = time.monotonic() + 60
    while len(_batches(ledger)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.013)  # land somewhere inside a later batch rather than just after one
    os.kill(writer.pid, signal.SIGKILL)  # type: ignore[arg-type]
    writer.join(30)
    assert writer.exitcode == -signal.SIGKILL

    batches = _batches(ledger)
    assert len(batches) >= 3
    assert set(batches.values()) == {BATCH}, "a batch was cut short"
    assert verification.verify_chain(ledger.recorder).ok

    survivor = open_ledger(Config(database_url=database_url))
    try:
        survivor.record(ADMIN, _households(99_999))
    finally:
        survivor.close()
    assert _batches(ledger)["b99999"] == BATCH
    report = verification.verify_chain(ledger.recorder)
    assert report.ok and report.checked == len(ledger.read_log(0, 10**6)), report
