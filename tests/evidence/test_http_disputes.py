"""The evidence and dispute endpoints: a dispute settled end to end, checked offline."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from evidence.packs import verify_pack
from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.tamper.signing import load_public_key
from service.app import create_app
from service.root import Root

ADMIN = Actor("county-admin", "admin")
DISCIPLINE = Actor("jiwei-zhao", "discipline")


@pytest.fixture
def client(root: Root) -> FlaskClient:
    app = create_app(root=root, settings={"TESTING": True})
    app.extensions["runner"] = root.runner()
    return app.test_client()


def _auth(ledger: Ledger, role: str = "admin") -> dict[str, str]:
    return {"Authorization": f"Bearer {ledger.create_token(f'{role}-1', role)}"}


def _project(client: FlaskClient) -> None:
    client.application.extensions["runner"].catch_up()


def _two_yellow_cards(ledger: Ledger) -> str:
    answers = ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p1", "name": "Wang", "unit_id": "v1"}),
        Command("ResponsibilityAssigned", {"person_id": "p1", "role": "village_secretary",
                                           "subject_type": "unit", "subject_id": "v1",
                                           "effective_from": "2020-01-01"}),
        Command("WarningIssued", {"warning_id": "w1", "unit_id": "v1", "color": "yellow",
                                  "period": "2020-Q1", "reason": "visits not done"}),
        Command("WarningIssued", {"warning_id": "w2", "unit_id": "v1", "color": "yellow",
                                  "period": "2020-Q2", "reason": "rectification falsified"}),
    ])
    return answers[-1].event_id


def test_an_overturned_warning_shows_the_revocation_the_voided_interview_and_its_evidence(
    ledger: Ledger, client: FlaskClient, public_key_file: Path,
) -> None:
    contested = _two_yellow_cards(ledger)
    ledger.record(DISCIPLINE, [Command("DisputeOpened", {
        "dispute_id": "d1", "contested_event_id": contested, "grounds": "another village"})])
    _project(client)
    opened = client.get("/api/v1/disputes/d1", headers=_auth(ledger))
    assert opened.status_code == 200, opened.json
    assert opened.json["status"] == "open" and opened.json["resolved"] is None
    ledger.record(DISCIPLINE, [Command("DisputeResolved", {
        "dispute_id": "d1", "outcome": "overturned", "note": "wrong village"})])
    _project(client)

    answer = client.get("/api/v1/disputes/d1", headers=_auth(ledger)).json
    assert answer["grounds"] == "another village" and answer["outcome"] == "overturned"
    assert answer["opened"]["event_id"].endswith(":1")
    assert answer["contested"]["event_id"] == contested
    assert answer["contested"]["type"] == "WarningIssued"
    consequences = [(c["type"], c["actor"]) for c in answer["resolved"]["consequences"]]
    assert consequences == [("WarningRevoked", "system"), ("YellowCardWithdrawn", "system"),
                            ("InterviewVoided", "system")]
    assert answer["resolved"]["consequences"][-1]["data"]["reason"] == "overturned by dispute d1"
    assert answer["subject"] == {"type": "unit", "id": "v1"}
    then = answer["view_when_recorded"]
    assert [(i["status"], i["periods"]) for i in then["interviews"]] == [
        ("due", ["2020-Q1", "2020-Q2"])]
    assert [w["revoked"] for w in then["warnings_by_period"]["2020-Q2"]] == [False]
    now = client.get("/api/v1/units/v1", headers=_auth(ledger)).json
    assert [i["status"] for i in now["interviews"]] == ["voided"]
    assert [w["revoked"] for w in now["warnings_by_period"]["2020-Q2"]] == [True]

    pack = client.get(answer["evidence_pack"], headers=_auth(ledger))
    assert pack.status_code == 200
    report = verify_pack(pack.data, load_public_key(public_key_file))
    assert report.ok, report.problems
    types = [e["type"] for e in pack.json["events"]]
    assert {"WarningIssued", "InterviewRequired", "YellowCardWithdrawn",
            "InterviewVoided"} <= set(types)
    changed = bytearray(pack.data)
    changed[len(changed) // 2] ^= 0x04
    assert not verify_pack(bytes(changed), load_public_key(public_key_file)).ok


def test_unknown_dispute_and_bad_subject_type_are_clear_errors(
    ledger: Ledger, client: FlaskClient,
) -> None:
    missing = client.get("/api/v1/disputes/nope", headers=_auth(ledger))
    assert missing.status_code == 404
    bad = client.get("/api/v1/evidence/planet/x", headers=_auth(ledger))
    assert bad.status_code in (400, 422)
    none = client.get("/api/v1/evidence/household/none", headers=_auth(ledger))
    assert none.status_code == 404
