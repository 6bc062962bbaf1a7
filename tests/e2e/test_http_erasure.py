"""Erasure over HTTP: who may ask, what it answers, and what every read shows afterwards, with
each answer checked against the OpenAPI document (tests/e2e/conformance)."""
from __future__ import annotations

from collections.abc import Callable

from tests.e2e.conftest import HttpLedger

HEAD = "王小明"
ERASE = {"type": "PersonalDataErased", "occurred_at": "2020-06-02T10:00:00+08:00",
         "data": {"subject_type": "household", "subject_id": "h1",
                  "basis": "PIPL art. 47: the household asked on 2020-06-01"}}


def _county(http: HttpLedger) -> str:
    admin = http.token("admin-1", "admin")
    for body in (
        {"type": "UnitRegistered", "data": {"unit_id": "v1", "name": "V1", "kind": "village"}},
        {"type": "HouseholdRegistered", "data": {"household_id": "h1", "village_id": "v1",
                                                 "head_name": HEAD, "size": 3,
                                                 "category": "registered_poor"}},
        {"type": "FindingRaised", "data": {"finding_id": "f1", "subject_type": "household",
                                           "subject_id": "h1", "category": "housing",
                                           "description": f"{HEAD}家漏雨",
                                           "responsible_unit_id": "v1",
                                           "due_date": "2020-03-31"}},
    ):
        assert http.post(admin, {**body, "occurred_at": "2020-01-02T10:00:00+08:00"}
                         ).status_code == 201
    return admin


def _get(http: HttpLedger, token: str, path: str, position: int) -> dict:
    answer = http.client.get(f"/api/v1/{path}?min_position={position}",
                             headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_discipline_erasure_over_http(make_http: Callable[..., HttpLedger]) -> None:
    http = make_http()
    _county(http)
    committee = http.token("jiwei-1", "discipline")
    inspector = http.token("insp-1", "inspector")
    before = len(http.log())
    refused = http.post(inspector, ERASE)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    unknown = http.post(committee, {**ERASE, "data": {**ERASE["data"], "subject_id": "nobody"}})
    assert unknown.status_code == 404
    bad = http.post(committee, {**ERASE, "data": {**ERASE["data"], "subject_type": "unit"}})
    assert bad.status_code == 422
    assert "data.subject_type" in bad.get_json()["error"]["details"]["fields"]
    assert len(http.log()) == before  # refusals record nothing

    erased = http.post(committee, ERASE)
    assert erased.status_code == 201, erased.get_json()
    position = erased.get_json()["position"]
    http.app.extensions["root"].runner().catch_up()

    status = _get(http, committee, "households/h1", position)
    assert status["head_name"] is None and status["erased"] == ["head_name"]
    finding = _get(http, committee, "findings/f1", position)
    assert finding["description"] is None and finding["erased"] == ["description"]
    history = _get(http, committee, "households/h1/history", position)
    [registered] = [e for e in history["events"] if e["type"] == "HouseholdRegistered"]
    assert registered["data"]["head_name"] is None
    assert HEAD not in str(http.log())
    verified = _get(http, committee, "ledger/verify", position)
    assert verified["ok"] is True and verified["head"]["position"] == position
