"""Fault (c): `ledger project`, the process that keeps the views, killed with SIGKILL while a
writer goes on, then started again: the views catch up and fold every event exactly once.

Visits are the witness: a household's view appends one entry per visit, so an inspection folded
twice would show twice, and one skipped would be missing; the count of visits in the views must
equal the count of inspections in the log, household by household."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ledger.application import Command, Ledger
from service.config import Config
from service.root import Root
from tests.backends import BACKENDS, fresh_database_url
from tests.faults.harness import ADMIN

HOUSEHOLDS = 20


@pytest.fixture(params=BACKENDS)
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Root]:
    with fresh_database_url(request.param, tmp_path) as url:
        built = Root(Config.from_env(database_url=url))
        yield built
        built.close()


def _registry() -> list[Command]:
    commands = [
        Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p1", "name": "Zhao", "unit_id": "v1"}),
    ]
    commands += [Command("HouseholdRegistered", {"household_id": f"h{i}", "village_id": "v1",
                                                  "head_name": "Li", "size": 3,
                                                  "category": "edge"})
                 for i in range(HOUSEHOLDS)]
    return commands


def _visit(n: int) -> Command:
    return Command("InspectionRecorded", {
        "inspection_id": f"i{n}", "subject_type": "household",
        "subject_id": f"h{n % HOUSEHOLDS}", "method": "visit", "inspector_ids": ["p1"]})


def _write(ledger: Ledger, stop: threading.Event, written: list[int]) -> None:
    n = 0
    while not stop.is_set():
        ledger.record(ADMIN, [_visit(n), _visit(n + 1)])
        n += 2
        written.append(n)


def _projector(root: Root, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEDGER_DATABASE_URL": root.config.database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "project", "--page", "7", "--interval", "0.05"],
        env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115


def _wait(condition: Callable[[], bool], deadline: float) -> None:
    end = time.monotonic() + deadline
    while not condition() and time.monotonic() < end:
        time.sleep(0.02)


def test_views_catch_up_exactly_once_after_the_projector_is_killed(
    root: Root, tmp_path: Path
) -> None:
    ledger = root.ledger
    ledger.record(ADMIN, _registry())
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write, args=(ledger, stop, written), daemon=True)
    writer.start()
    store = root.store
    log = tmp_path / "project.log"
    projector = _projector(root, log)
    try:
        # Pages of 7 events under a steady writer: the kill lands between or inside a page.
        _wait(lambda: store.position() > (ledger.head() or (0, ""))[0] // 2 + 20, 30)
        projector.send_signal(signal.SIGKILL)
        projector.wait(10)
        projector = _projector(root, log)
        _wait(lambda: len(written) > 100, 30)
        stop.set()
        writer.join(30)
        head = ledger.head()
        assert head is not None
        _wait(lambda: store.position() >= head[0], 30)
    finally:
        projector.kill()
        projector.wait(10)

    events = ledger.read_log(0, 10**7)
    inspections = Counter(e.data["subject_id"] for e in events if e.type == "InspectionRecorded")
    visits = {f"h{i}": len((store.load_one("household", f"h{i}") or {"visits": []})["visits"])
              for i in range(HOUSEHOLDS)}
    folded = sum(visits.values())
    doubled = sum(max(0, visits[h] - inspections[h]) for h in visits)
    lost = sum(max(0, inspections[h] - visits[h]) for h in visits)
    print(f"killed projector: events={len(events)} views_position={store.position()} "
          f"inspections={sum(inspections.values())} folded={folded} lost={lost} "
          f"doubled={doubled}")
    assert store.position() == head[0]
    assert sum(inspections.values()) > 100
    assert lost == 0 and doubled == 0
