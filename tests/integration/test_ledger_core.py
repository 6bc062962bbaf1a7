"""The ledger's write path on both backends: references, atomicity, idempotency, roles,
the chain and durable commits."""
from __future__ import annotations

import sqlite3

import pytest

from ledger.application import Command, Ledger
from ledger.commands import HANDLERS
from ledger.errors import Forbidden, IdempotencyKeyReused, Invalid, NotFound
from ledger.identity import Actor
from ledger.tamper import verification
from service.config import Config
from service.root import open_ledger

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("inspector-li", "inspector")
CADRE_V1 = Actor("cadre-wang", "cadre", unit_id="v1")
CADRE_V2 = Actor("cadre-zhou", "cadre", unit_id="v2")
DISCIPLINE = Actor("jiwei-zhao", "discipline")


def _unit(unit_id: str, kind: str = "village") -> Command:
    return Command("UnitRegistered", {"unit_id": unit_id, "name": unit_id.upper(), "kind": kind})


def _person(person_id: str, unit_id: str = "v1") -> Command:
    return Command("PersonRegistered", {"person_id": person_id, "name": "Wang", "unit_id": unit_id})


def _finding(finding_id: str, unit_id: str = "v1") -> Command:
    return Command(
        "FindingRaised",
        {
            "finding_id": finding_id,
            "subject_type": "unit",
            "subject_id": unit_id,
            "category": "visits",
            "description": "helper cadre visits not done",
            "responsible_unit_id": unit_id,
            "due_date": "2099-03-31",
        },
    )


def _report(finding_id: str) -> Command:
    return Command(
        "RectificationReported",
        {"finding_id": finding_id, "description": "visits done", "evidence": []},
    )


def _setup(ledger: Ledger) -> None:
    ledger.record(ADMIN, [_unit("v1"), _unit("v2"), _person("p1"), _finding("f1")])


def _state(ledger: Ledger) -> tuple:
    """The head and the whole log: equal before and after means nothing was recorded."""
    return ledger.head(), ledger.read_log(0, 1000)


# References ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "field"),
    [
        (_person("p2", "nowhere"), "unit_id"),
        (_finding("f2", "nowhere"), "subject_id"),
        (_report("no-such-finding"), "finding_id"),
        (
            Command("WarningIssued", {"warning_id": "w1", "unit_id": "v1", "color": "yellow",
                                      "period": "2020-Q1", "reason": "r",
                                      "finding_ids": ["f1", "ghost"]}),
            "finding_ids.1",
        ),
        (
            Command("ResponsibilityAssigned", {"person_id": "ghost", "role": "unit_head",
                                               "subject_type": "unit", "subject_id": "v1",
                                               "effective_from": "2020-01-01"}),
            "person_id",
        ),
        (
            Command("DisputeOpened", {"dispute_id": "d1", "contested_event_id": "nope:1",
                                      "grounds": "g"}),
            "contested_event_id",
        ),
    ],
)
def test_missing_reference_is_not_found_and_records_nothing(
    ledger: Ledger, command: Command, field: str
) -> None:
    _setup(ledger)
    before = _state(ledger)
    with pytest.raises(NotFound) as caught:
        ledger.record(ADMIN, [command])
    assert caught.value.details["field"] == field
    assert _state(ledger) == before


def test_a_batch_is_all_or_nothing(ledger: Ledger) -> None:
    _setup(ledger)
    before = _state(ledger)
    batch = [_unit("v3"), _person("p3", "v3"), _report("ghost"), _unit("v4")]
    with pytest.raises(NotFound) as caught:
        ledger.record(ADMIN, batch)
    assert (caught.value.details["field"], caught.value.details["index"]) == ("finding_id", 2)
    assert _state(ledger) == before
    # The first two commands alone are fine: nothing about them was kept from the failed batch.
    answers = ledger.record(ADMIN, batch[:2])
    assert [a.type for a in answers] == ["UnitRegistered", "PersonRegistered"]


# Idempotency ------------------------------------------------------------------------
def test_same_key_same_commands_gives_the_same_answer(ledger: Ledger, database_url: str) -> None:
    _setup(ledger)
    first = ledger.record(INSPECTOR, [_finding("f2")], "key-1")
    after_first = _state(ledger)
    again = ledger.record(INSPECTOR, [_finding("f2")], "key-1")
    assert again == first
    assert _state(ledger) == after_first
    ledger.close()
    reopened = open_ledger(Config(database_url=database_url))
    try:
        assert reopened.record(INSPECTOR, [_finding("f2")], "key-1") == first
        assert _state(reopened) == after_first
    finally:
        reopened.close()


def test_same_key_different_commands_is_refused(ledger: Ledger) -> None:
    _setup(ledger)
    ledger.record(INSPECTOR, [_finding("f2")], "key-1")
    before = _state(ledger)
    with pytest.raises(IdempotencyKeyReused):
        ledger.record(INSPECTOR, [_finding("f3")], "key-1")
    assert _state(ledger) == before
    # Keys belong to their actor: another actor may use the same key for its own request.
    ledger.record(ADMIN, [_finding("f3")], "key-1")
    added = _state(ledger)[1][len(before[1]):]
    assert [(e.type, e.actor) for e in added] == [("FindingRaised", "county-admin"),
                                                  ("FindingAttached", "county-admin")]


# Roles ---------------------------------------------------------------------------------
def test_inspector_cannot_register_units(ledger: Ledger) -> None:
    _setup(ledger)
    before = _state(ledger)
    with pytest.raises(Forbidden):
        ledger.record(INSPECTOR, [_unit("v9")])
    assert _state(ledger) == before


def test_cadre_reports_rectification_only_for_own_unit(ledger: Ledger) -> None:
    _setup(ledger)
    ledger.record(ADMIN, [_finding("f2", "v2")])
    before = _state(ledger)
    with pytest.raises(Forbidden):
        ledger.record(CADRE_V1, [_report("f2")])
    with pytest.raises(Forbidden):
        ledger.record(CADRE_V2, [_report("f1")])
    assert _state(ledger) == before
    [answer] = ledger.record(CADRE_V1, [_report("f1")])
    assert (answer.type, answer.actor) == ("RectificationReported", "cadre-wang")


def test_only_discipline_takes_accountability_measures(ledger: Ledger) -> None:
    _setup(ledger)
    basis = ledger.read_log(0, 10)[-1].event_id
    measure = Command(
        "AccountabilityMeasureTaken",
        {"person_id": "p1", "measure": "reminder_talk", "basis": [basis], "note": "n"},
    )
    before = _state(ledger)
    for actor in (ADMIN, INSPECTOR, CADRE_V1):
        with pytest.raises(Forbidden):
            ledger.record(actor, [measure])
    assert _state(ledger) == before
    [answer] = ledger.record(DISCIPLINE, [measure])
    assert answer.type == "AccountabilityMeasureTaken"


def test_a_viewer_records_nothing_and_a_cadre_cannot_judge_its_own_work(ledger: Ledger) -> None:
    _setup(ledger)
    ledger.record(CADRE_V1, [_report("f1")])
    before = _state(ledger)
    viewer = Actor("viewer-1", "viewer", unit_id="v1")
    for type_name in HANDLERS:
        with pytest.raises(Forbidden):
            ledger.record(viewer, [Command(type_name, {})])
    verify = Command("RectificationVerified", {"finding_id": "f1", "accepted": True, "note": "ok"})
    for command in (verify, _finding("f9"), Command("FindingWithdrawn",
                                                    {"finding_id": "f1", "reason": "gone"})):
        with pytest.raises(Forbidden):
            ledger.record(CADRE_V1, [command])
    assert _state(ledger) == before


def test_derived_types_cannot_be_submitted(ledger: Ledger) -> None:
    _setup(ledger)
    before = _state(ledger)
    command = Command(
        "InterviewRequired",
        {"unit_id": "v1", "person_id": "p1", "warning_ids": [], "periods": ["2020-Q1", "2020-Q2"]},
    )
    with pytest.raises(Invalid) as caught:
        ledger.record(ADMIN, [command])
    assert caught.value.details == {"field": "type"}
    assert _state(ledger) == before


# Chain ------------------------------------------------------------------------------------
def test_chain_verifies_and_positions_increase(ledger: Ledger) -> None:
    _setup(ledger)
    ledger.record(CADRE_V1, [_report("f1")])
    ledger.record(INSPECTOR, [Command("RectificationVerified",
                                      {"finding_id": "f1", "accepted": True, "note": "ok"})])
    log = ledger.read_log(0, 10000)
    positions = [e.position for e in log]
    assert positions == sorted(set(positions))
    # v1, v2, p1, f1 with FindingAttached, the report, the verification and the settling
    # of f1 in v1's tally of open findings.
    assert len(log) == 8
    assert log[-1].type == "OpenFindingSettled"
    assert ledger.head() == (log[-1].position, log[-1].hash)
    report = verification.verify_chain(ledger.recorder)
    assert report.ok, report
    assert report.checked == len(log)


# Durability -------------------------------------------------------------------------------
def test_commits_are_durable(ledger: Ledger, database_url: str) -> None:
    _setup(ledger)
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    if database_url.startswith("sqlite"):
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
        path = database_url[len("sqlite:///"):]
        own = sqlite3.connect(path)
        try:
            assert own.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        finally:
            own.close()
    else:
        with datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()["synchronous_commit"] == "on"
