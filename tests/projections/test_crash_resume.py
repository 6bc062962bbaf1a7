"""kill -9 in the middle of a rebuild leaves the live views as they were, and loses and doubles
nothing: the resumed rebuild equals a clean one, row for row."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from ledger.application import Command
from projections.store import Generation, ProjectionStore
from tests.projections.conftest import ADMIN, INSPECTOR, World, at, dump_views

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
        "due_date": "2020-03-31", "responsible_person_id": "p1"}, at("2020-03-01"))
        for i in range(HOUSEHOLDS)]
    world.ledger.record(INSPECTOR, findings)



def _building(store: ProjectionStore) -> list[Generation]:
    return [g for g in store.generations() if not g.live]


def test_a_rebuild_killed_mid_way_leaves_the_views_whole_and_resumes_exactly(
    world: World, database_url: str
) -> None:
    _fill(world)
    world.project()
    head = world.store.head()
    served = dump_views(world.store)
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url}
    rebuild = subprocess.Popen([sys.executable, "-m", "service.cli", "rebuild", "--page", "7",
                                "--commit-every", "7"],
                               env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
                g.position >= head // 3 for g in _building(world.store)):
            time.sleep(0.005)
        rebuild.send_signal(signal.SIGKILL)
    finally:
        rebuild.wait()
    [unfinished] = _building(world.store)
    assert 0 < unfinished.position < head, "the kill must land in the middle of the rebuild"
    assert dump_views(world.store) == served, "the live views must not notice the killed rebuild"

    resumed = subprocess.run([sys.executable, "-m", "service.cli", "rebuild"],
                             env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed an unfinished rebuild at position {unfinished.position}" in resumed.stdout
    after_resume = dump_views(world.store)
    assert after_resume[0] == head
    assert [(g.number, g.live) for g in world.store.generations()] == [(unfinished.number, True)]

    world.runner.rebuild(fresh=True)
    assert dump_views(world.store) == after_resume
    # Folded page by page as the log grew, or all at once: the same views, row for row.
    assert after_resume == served
    assert len(world.views.accountability("p1")["overdue_findings"]) == HOUSEHOLDS
