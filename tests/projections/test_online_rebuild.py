"""A rebuild fills a fresh generation while the live views keep serving and keep up with new
writes; readers never see a view half built; a follower wakes on PostgreSQL's notification."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from ledger.application import Command
from projections.views import FindingFilter
from service.config import Config
from service.root import Root
from tests.backends import fresh_postgres_url
from tests.projections.conftest import ADMIN, INSPECTOR, World, at, dump_views, make_world

HOUSEHOLDS = 40
VISITS = 6


def _fill(world: World) -> None:
    world.village(), world.person("p1")
    world.ledger.record(ADMIN, [Command("HouseholdRegistered", {
        "household_id": f"h{i}", "village_id": "v1", "head_name": "Li", "size": 3,
        "category": "registered_poor"}) for i in range(HOUSEHOLDS)])
    for month in range(1, VISITS + 1):
        world.ledger.record(INSPECTOR, [Command("InspectionRecorded", {
            "inspection_id": f"i{month}-{i}", "subject_type": "household", "subject_id": f"h{i}",
            "method": "visit", "inspector_ids": ["p1"]}) for i in range(HOUSEHOLDS)])
    world.ledger.record(INSPECTOR, [Command("FindingRaised", {
        "finding_id": f"f{i}", "subject_type": "household", "subject_id": f"h{i}",
        "category": "housing", "description": "roof", "responsible_unit_id": "v1",
        "due_date": "2020-03-31", "responsible_person_id": "p1"}, at("2020-03-01"))
        for i in range(HOUSEHOLDS)])


class Reader(threading.Thread):
    """Reads whole answers over and over, noting any that is incomplete or steps back."""

    def __init__(self, world: World) -> None:
        super().__init__(daemon=True)
        self.world = world
        self.stop = threading.Event()
        self.problems: list[str] = []
        self.reads = 0
        self.reads_while_building = 0

    def _building(self) -> bool:
        return any(not g.live for g in self.world.store.generations())

    def run(self) -> None:
        seen_findings, seen_history = HOUSEHOLDS, 2 + VISITS
        while not self.stop.is_set():
            building = self._building()
            try:
                counts = self.world.views.findings(FindingFilter(unit_id="v1"))["counts_by_unit"]
                total = counts[0]["total"] if counts else 0
                status = self.world.views.household("h0")
                history = len(self.world.views.household_history("h0"))
                trail = self.world.views.accountability("p1")
            except Exception as error:  # noqa: BLE001 - every failure is a finding here
                self.problems.append(f"read failed: {error!r}")
                continue
            if total < seen_findings:
                self.problems.append(f"{total} findings after {seen_findings}")
            if status is None or len(status["open_findings"]) != 1:
                self.problems.append(f"household h0 answered {status and status['open_findings']}")
            if history < seen_history:
                self.problems.append(f"h0 history of {history} events after {seen_history}")
            if trail is None or len(trail["overdue_findings"]) < HOUSEHOLDS:
                self.problems.append("accountability trail without every overdue finding")
            seen_findings, seen_history = max(seen_findings, total), max(seen_history, history)
            self.reads += 1
            if building and self._building():
                self.reads_while_building += 1


class Writer(threading.Thread):
    """Raises a finding on a new household every few milliseconds."""

    def __init__(self, world: World) -> None:
        super().__init__(daemon=True)
        self.world = world
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        while not self.stop.is_set():
            n = self.written
            self.world.ledger.record(ADMIN, [Command("HouseholdRegistered", {
                "household_id": f"new{n}", "village_id": "v1", "head_name": "Wu", "size": 2,
                "category": "registered_poor"})])
            self.world.finding(f"new-f{n}", subject_id=f"new{n}")
            self.written += 1
            time.sleep(0.005)



def test_readers_see_whole_views_while_a_rebuild_runs_beside_writes(
    root: Root, world: World
) -> None:
    _fill(world)
    world.project()
    [before] = world.store.generations()
    follower = root.runner(page=50)
    follower.start(interval=0.05)
    reader, writer = Reader(world), Writer(world)
    reader.start(), writer.start()
    try:
        time.sleep(0.2)
        rebuilt = root.runner(page=7).rebuild(commit_every=7)
        time.sleep(0.2)
    finally:
        writer.stop.set(), writer.join(30)
        reader.stop.set(), reader.join(30)
        follower.stop()
    assert reader.problems == []
    assert reader.reads_while_building > 0, "the reader must have read during the rebuild"
    assert writer.written > 0
    [after] = world.store.generations()
    assert after.live and after.number == rebuilt.generation != before.number

    world.project()  # the follower kept the new generation current; fold what is left
    assert world.store.position() == world.store.head()
    views = world.views.findings(FindingFilter(unit_id="v1"), limit=1000)
    assert views["counts_by_unit"][0]["total"] == HOUSEHOLDS + writer.written
    served = dump_views(world.store)
    root.runner(page=500).rebuild()
    assert dump_views(world.store) == served


def test_a_rebuild_behind_the_live_views_catches_up_before_it_switches(
    root: Root, world: World
) -> None:
    _fill(world)
    world.project()
    store = world.store
    building = store.begin_rebuild()
    builder = root.runner(page=100)
    builder.generation = building.number
    builder.catch_up()
    stopped = builder.position()
    world.finding("late", subject_id="h1")
    world.project()  # the live views move ahead of the generation being built
    assert not store.switch(building.number)
    assert store.live().number != building.number
    rebuilt = root.runner().rebuild()
    assert rebuilt.generation == building.number and rebuilt.resumed_from == stopped
    assert world.views.finding("late") is not None


@pytest.fixture
def postgres_root() -> Iterator[Root]:
    with fresh_postgres_url() as url:
        built = Root(Config.from_env(database_url=url))
        yield built
        built.close()


def test_a_follower_on_postgres_wakes_on_an_append_not_on_its_poll(postgres_root: Root) -> None:
    world = make_world(postgres_root)
    world.village()
    runner = postgres_root.runner()
    runner.catch_up()
    runner.start(interval=30.0)
    try:
        time.sleep(0.5)  # the follower is now waiting, with 30 s to go before it looks again
        logged = world.record("PersonRegistered",
                              {"person_id": "p9", "name": "p9", "unit_id": "v1"}, "2020-01-03")
        assert world.views.wait(logged.position, timeout=10.0)
    finally:
        runner.stop()
