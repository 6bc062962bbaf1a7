"""Read models in a database of their own (LEDGER_READ_DATABASE_URL): writes go to the ledger's
database, the views to the other; reads, replays, hashes and read-your-writes answer across the
two; and rules checked at write time never consult the lagging views. Two PostgreSQL databases
(the scale-out case), and two SQLite files."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from ledger.application import Command
from ledger.errors import Conflict
from projections.replay import Cut
from service.app import create_app
from service.config import Config
from service.root import Root
from tests.backends import BACKENDS, fresh_postgres_url
from tests.projections.conftest import ADMIN, INSPECTOR, World, at, make_world


@dataclass
class Split:
    root: Root
    world: World
    ledger_url: str
    read_url: str


@contextmanager
def _two_databases(backend: str, folder: Path) -> Iterator[tuple[str, str]]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'ledger.db'}", f"sqlite:///{folder / 'views.db'}"
        return
    with fresh_postgres_url() as ledger_url, fresh_postgres_url() as read_url:
        yield ledger_url, read_url


@contextmanager
def _split(backend: str, folder: Path) -> Iterator[Split]:
    with _two_databases(backend, folder) as (ledger_url, read_url):
        root = Root(Config.from_env(database_url=ledger_url, read_database_url=read_url))
        try:
            yield Split(root, make_world(root), ledger_url, read_url)
        finally:
            root.close()


@pytest.fixture(params=BACKENDS)
def split(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Split]:
    with _split(request.param, tmp_path) as built:
        yield built


@pytest.fixture
def postgres_split(tmp_path: Path) -> Iterator[Split]:
    with _split("postgres", tmp_path) as built:
        yield built


def _relations(url: str) -> set[str]:
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url[len("sqlite:///"):])) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master "
                                "WHERE type IN ('table', 'view')").fetchall()
    else:
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                                "AND c.relkind IN ('r', 'v')").fetchall()
    return {row[0] for row in rows}


def _village_with_a_finding(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1")
    world.assign("p1", "h1")
    world.visit("i1", "h1", "2020-02-10")
    world.finding("f1", person_id="p1", on="2020-03-01")


def test_writes_go_to_the_ledger_and_the_views_to_their_own_database(split: Split) -> None:
    world = split.world
    _village_with_a_finding(world)
    assert world.project() == world.ledger.head()[0]  # type: ignore[index]

    in_ledger, in_read = _relations(split.ledger_url), _relations(split.read_url)
    events_table = world.ledger.recorder.events_table_name  # type: ignore[attr-defined]
    assert {events_table, "ledger_chain"} <= in_ledger
    assert not {t for t in in_ledger if t.startswith("proj_")}
    assert {"proj_generations", "proj_state", "proj_findings", "proj_subject_events"} <= in_read
    assert not in_read & {events_table, "ledger_chain"}

    household = world.views.household("h1")
    assert household is not None
    assert household["last_visit"]["inspection_id"] == "i1"
    assert [f["finding_id"] for f in household["open_findings"]] == ["f1"]
    trail = world.views.accountability("p1")
    assert trail is not None and trail["responsibilities"][0]["subject_id"] == "h1"


def test_history_and_replay_read_events_and_hashes_from_the_ledger(split: Split) -> None:
    world = split.world
    _village_with_a_finding(world)
    world.project()
    logged = {e.position: e for e in world.ledger.read_log(0, 100)}
    history = world.views.household_history("h1")
    assert [h["type"] for h in history] == [
        "HouseholdRegistered", "ResponsibilityAssigned", "InspectionRecorded", "FindingRaised"]
    for answer in history:
        assert answer["hash"] == logged[answer["position"]].hash
        assert answer["event_id"] == logged[answer["position"]].event_id
    before = world.views.household("h1", Cut(valid_at=at("2020-02-20").date()))
    assert before is not None and before["open_findings"] == []


def test_read_your_writes_across_the_two_databases(split: Split) -> None:
    world = split.world
    app = create_app(root=split.root, settings={"TESTING": True, "READ_WAIT_SECONDS": 5.0})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {world.ledger.create_token('insp', 'inspector')}"}
    admin = {"Authorization": f"Bearer {world.ledger.create_token('admin', 'admin')}"}
    runner = split.root.runner()
    runner.start()
    try:
        answer = client.post("/api/v1/events", headers=admin, json={
            "type": "UnitRegistered", "data": {"unit_id": "v7", "name": "Qili", "kind": "village"}})
        assert answer.status_code == 201, answer.get_json()
        position = answer.get_json()["position"]
        board = client.get(f"/api/v1/units/v7?min_position={position}", headers=headers)
        assert board.status_code == 200, board.get_json()
        assert board.get_json()["name"] == "Qili"
    finally:
        runner.stop()
    # With no runner, the views stay behind: a read that needs a later position is refused.
    later = world.record("UnitRegistered", {"unit_id": "v8", "name": "Bali", "kind": "village"})
    app.config["READ_WAIT_SECONDS"] = 0.2
    refused = client.get(f"/api/v1/units/v8?min_position={later.position}", headers=headers)
    assert refused.status_code == 503


def test_rules_at_write_time_read_the_write_model_not_the_lagging_views(split: Split) -> None:
    world = split.world
    world.ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "V1", "kind": "village"},
                at("2020-01-02")),
        Command("PersonRegistered", {"person_id": "p-sec", "name": "Zhao", "unit_id": "v1"},
                at("2020-01-02")),
        Command("ResponsibilityAssigned", {
            "person_id": "p-sec", "role": "village_secretary", "subject_type": "unit",
            "subject_id": "v1", "effective_from": "2020-01-01"}, at("2020-01-02")),
        Command("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                        "head_name": "Li", "size": 3,
                                        "category": "registered_poor"}, at("2020-01-02")),
        Command("UnitListed", {"unit_id": "v1", "level": "city"}, at("2020-01-03")),
    ])
    world.finding("f1", on="2020-03-01")
    # The views have folded nothing: every decision below comes from the aggregates.
    assert world.store.position() == 0 and world.views.unit("v1") is None
    with pytest.raises(Conflict):
        world.record("UnitDelisted", {"unit_id": "v1"}, "2020-03-05", INSPECTOR)
    for warning, period, on in (("w1", "2020-Q1", "2020-03-31"), ("w2", "2020-Q2", "2020-06-30")):
        logged = world.record("WarningIssued", {"warning_id": warning, "unit_id": "v1",
                                                "color": "yellow", "period": period,
                                                "reason": "visits not done"}, on, INSPECTOR)
    [interview] = [c for c in logged.consequences if c.type == "InterviewRequired"]
    assert interview.data["person_id"] == "p-sec"
    assert world.store.position() == 0

    world.project()
    board = world.views.unit("v1")
    assert board is not None and not board["delisting_allowed"]
    assert [i["person_id"] for i in board["interviews"]] == ["p-sec"]


def test_a_follower_wakes_on_an_append_long_before_its_poll_interval(
    postgres_split: Split
) -> None:
    split = postgres_split
    world = split.world
    world.village()
    runner = split.root.runner()
    runner.catch_up()
    runner.start(interval=30.0)
    try:
        time.sleep(0.5)  # the follower is now waiting, with 30 s to go before it looks again
        logged = world.record("PersonRegistered",
                              {"person_id": "p9", "name": "p9", "unit_id": "v1"}, "2020-01-03")
        started = time.monotonic()
        assert world.views.wait(logged.position, timeout=10.0)
        assert time.monotonic() - started < 5.0
    finally:
        runner.stop()
    assert world.views.accountability("p9") is not None


def test_the_commands_take_the_read_database_from_the_environment(split: Split) -> None:
    world = split.world
    _village_with_a_finding(world)
    env = {**os.environ, "LEDGER_DATABASE_URL": split.ledger_url,
           "LEDGER_READ_DATABASE_URL": split.read_url}
    for command in (["project", "--once"], ["rebuild"]):
        done = subprocess.run([sys.executable, "-m", "service.cli", *command], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert not {t for t in _relations(split.ledger_url) if t.startswith("proj_")}
    [live] = world.store.generations()
    assert live.number == 2 and live.position == world.ledger.head()[0]  # type: ignore[index]
    assert world.views.finding("f1") is not None
