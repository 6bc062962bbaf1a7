"""Erasing a household's or a person's personal data (crypto-shredding), on SQLite and
PostgreSQL: the events and their chain stay and verify; every read, replay, rebuild and export
shows the erased fields as null and names them under `erased`; no byte of the database file
(or its WAL) holds the names or the destroyed key."""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from ledger.errors import Forbidden, NotFound
from ledger.recorders.keys import KEYS_TABLE
from ledger.tamper.export import export_log
from ledger.tamper.verification import verify_chain
from projections.replay import Cut
from service.root import Root
from tests.projections.conftest import ADMIN, DISCIPLINE, INSPECTOR, World, make_world

HEAD = "王小明"
DESCRIPTION = "王小明家屋顶漏雨"
REPORT = "王小明家已换瓦"
OFFICIAL = "赵大海"
NAMES = (HEAD, DESCRIPTION, REPORT)


@pytest.fixture
def world(root: Root) -> World:
    world = make_world(root)
    world.village("v1")
    world.record("PersonRegistered", {"person_id": "p1", "name": OFFICIAL, "unit_id": "v1"},
                 "2020-01-01")
    world.record("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                         "head_name": HEAD, "size": 4,
                                         "category": "registered_poor"}, "2020-01-02")
    world.record("FindingRaised", {"finding_id": "f1", "subject_type": "household",
                                   "subject_id": "h1", "category": "housing",
                                   "description": DESCRIPTION, "responsible_unit_id": "v1",
                                   "due_date": "2020-03-31"}, "2020-03-01", INSPECTOR)
    world.record("RectificationReported", {"finding_id": "f1", "description": REPORT},
                 "2020-03-05")
    world.project()
    return world


def _stored_bytes(world: World) -> bytes:
    return b"".join(row.state for row in world.ledger.recorder.select_chained(0, 10_000))


def _erase(world: World, actor=DISCIPLINE):  # noqa: ANN001, ANN202
    return world.record("PersonalDataErased", {"subject_type": "household", "subject_id": "h1",
                                               "basis": "PIPL art. 47, request of 2020-06-01"},
                        "2020-06-02", actor)


def test_personal_fields_are_stored_sealed_and_read_in_plain_text(world: World) -> None:
    stored = _stored_bytes(world)
    for text in (*NAMES, OFFICIAL):
        assert text.encode() not in stored
    assert b"registered_poor" in stored and b"2020-03-31" in stored  # the rest stays plain
    assert world.views.household("h1")["head_name"] == HEAD
    assert world.views.finding("f1")["description"] == DESCRIPTION
    logged = {e.type: e.data for e in world.ledger.read_log(0, 100)}
    assert logged["HouseholdRegistered"]["head_name"] == HEAD
    assert logged["RectificationReported"]["description"] == REPORT
    assert logged["PersonRegistered"]["name"] == OFFICIAL


def test_an_erasure_makes_every_read_show_the_fields_as_erased(world: World) -> None:
    head_before = world.ledger.head()
    erasure = _erase(world)
    world.project()

    status = world.views.household("h1")
    assert status["head_name"] is None and status["erased"] == ["head_name"]
    assert status["household_id"] == "h1" and status["size"] == 4
    trail = world.views.finding("f1")
    assert trail["description"] is None and "description" in trail["erased"]
    replayed = world.views.household("h1", Cut(valid_at=date(2020, 4, 1)))
    assert replayed["head_name"] is None
    logged = {e.type: e.data for e in world.ledger.read_log(0, 100)}
    assert logged["HouseholdRegistered"]["head_name"] is None
    assert logged["HouseholdRegistered"]["erased"] == ["head_name"]
    assert logged["RectificationReported"]["description"] is None
    assert logged["PersonRegistered"]["name"] == OFFICIAL  # another subject keeps its data
    assert logged["PersonalDataErased"]["basis"].startswith("PIPL")
    exported = io.StringIO()
    export_log(world.ledger, exported)
    datas = json.dumps([json.loads(line)["data"] for line in exported.getvalue().splitlines()],
                       ensure_ascii=False)
    for text in (*NAMES, OFFICIAL):  # an export carries personal fields sealed only
        assert text not in datas

    report = verify_chain(world.ledger.recorder)
    assert report.ok and report.checked == erasure.position > head_before[0]

    # A rebuild from nothing reads the same log and shows the same.
    world.runner.rebuild(fresh=True)
    assert world.views.household("h1")["head_name"] is None


def test_what_is_written_about_an_erased_subject_later_is_not_kept(world: World) -> None:
    _erase(world)
    later = world.record("RectificationVerified", {"finding_id": "f1", "accepted": False,
                                                   "note": "王小明又来电话"}, "2020-06-03",
                         INSPECTOR)
    assert "王小明又来电话".encode() not in _stored_bytes(world)
    assert later.data["note"] == "王小明又来电话"  # the answer to its own writer
    [logged] = [e for e in world.ledger.read_log(0, 100) if e.type == "RectificationVerified"]
    assert logged.data["note"] is None and logged.data["erased"] == ["note"]


@pytest.mark.parametrize("actor", [INSPECTOR, ADMIN.__class__("cadre-1", "cadre", "v1")])
def test_only_the_committee_and_admins_erase(world: World, actor) -> None:  # noqa: ANN001
    head = world.ledger.head()
    with pytest.raises(Forbidden):
        _erase(world, actor)
    assert world.ledger.head() == head
    assert world.views.household("h1")["head_name"] == HEAD


def test_erasing_an_unknown_subject_is_refused_and_records_nothing(world: World) -> None:
    head = world.ledger.head()
    with pytest.raises(NotFound) as refused:
        world.record("PersonalDataErased", {"subject_type": "person", "subject_id": "nobody",
                                            "basis": "request"}, "2020-06-02", ADMIN)
    assert refused.value.details["field"] == "subject_id"
    assert world.ledger.head() == head


# About SQLite's file and its WAL; on PostgreSQL the keys are wrapped by a master key held
# outside the database, and the destroyed key's dead row is vacuumed.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_byte_of_the_sqlite_file_keeps_the_names_or_the_key(world: World,
                                                              database_url: str) -> None:
    path = Path(database_url.removeprefix("sqlite:///"))
    wrapped = world.ledger.recorder._tuples(  # the wrapped key, as stored before erasure
        f"SELECT wrapped FROM {KEYS_TABLE} WHERE subject = ?", ("household:h1",))[0][0]
    _erase(world)
    world.project()
    files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    content = b"".join(p.read_bytes() for p in files)
    assert bytes(wrapped) not in content
    for text in NAMES:
        assert text.encode() not in content
    assert OFFICIAL.encode() not in content  # never stored in the clear either


def test_snapshots_keep_personal_fields_sealed(world: World) -> None:
    """A snapshot is the aggregate's state; were a name kept there, it is kept sealed."""
    from eventsourcing.domain import Snapshot

    from ledger.domain.registry import Household

    household = world.ledger.repository.get(Household.id_for("h1"))
    household.head_name = HEAD  # as an aggregate that compares names would keep it
    stored = world.ledger.mapper.to_stored_event(Snapshot.take(household))
    assert HEAD.encode() not in stored.state and b"_sealed_" in stored.state
