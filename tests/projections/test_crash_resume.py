"""kill -9 in the middle of a rebuild loses and doubles nothing: the resumed views equal a
clean rebuild, row for row."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from ledger.application import Command
from projections.store import ProjectionStore
from tests.projections.conftest import ADMIN, INSPECTOR, World

HOUSEHOLDS = 120


def _fill(world: World) -> None:
    world.village(), world.person("p1")
    registry = [Command("HouseholdRegistered", {"household_id": f"h{i}", "village_id": "v1",
                                                "head_name": "Li", "size": 3,
                                                "category": "registered_poor"})
                for i in range(HOUSEHOLDS)]
    world.ledger.record(ADMIN, registry)
    for month in range(1, 9):
        visits = [Command("InspectionRecorded", {
            "inspection_id": f"i{month}-{i}", "subject_type": "household",
            "subject_id": f"h{i}", "method": "visit", "inspector_ids": ["p1"],
            "income": {"wage": 1000.0 * month}}) for i in range(HOUSEHOLDS)]
        world.ledger.record(INSPECTOR, visits)
    findings = [Command("FindingRaised", {
        "finding_id": f"f{i}", "subject_type": "household", "subject_id": f"h{i}",
        "category": "housing", "description": "roof", "responsible_unit_id": "v1",
        "due_date": "2020-03-31", "responsible_person_id": "p1"}) for i in range(HOUSEHOLDS)]
    world.ledger.record(INSPECTOR, findings)


def _dump(store: ProjectionStore) -> tuple:
    return (
        store.position(),
        store.query("SELECT kind, key, state FROM proj_state ORDER BY kind, key"),
        store.query("SELECT * FROM proj_findings ORDER BY finding_id"),
        store.query("SELECT * FROM proj_subject_events ORDER BY subject, position"),
    )


def test_a_rebuild_killed_mid_way_resumes_without_losing_or_doubling(
    world: World, database_url: str
) -> None:
    _fill(world)
    head = world.store.head()
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url}
    rebuild = subprocess.Popen([sys.executable, "-m", "service.cli", "rebuild", "--page", "7"],
                               env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while world.store.position() < head // 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        rebuild.send_signal(signal.SIGKILL)
    finally:
        rebuild.wait()
    killed_at = world.store.position()
    assert 0 < killed_at < head, "the kill must land in the middle of the rebuild"

    resumed = subprocess.run([sys.executable, "-m", "service.cli", "project", "--once"],
                             env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    after_resume = _dump(world.store)
    assert after_resume[0] == head

    world.runner.rebuild()
    assert _dump(world.store) == after_resume
    assert len(world.views.accountability("p1")["overdue_findings"]) == HOUSEHOLDS
