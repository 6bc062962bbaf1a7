"""`GET /api/v1/late-entries`: the committee's list of flags, newest first, by kind and unit;
discipline and admin only, bad arguments refused."""
from __future__ import annotations

from service.late_entries import FlagFollower
from tests.e2e.conftest import HttpLedger

GUARANTEES = ("food", "clothing", "education", "medical", "housing", "water")


def _get(http: HttpLedger, token: str, query: str = "") -> tuple[int, dict]:
    answer = http.client.get(f"/api/v1/late-entries{query}",
                             headers={"Authorization": f"Bearer {token}"})
    return answer.status_code, answer.get_json()


def _setup(http: HttpLedger) -> str:
    admin = http.token("county-admin", "admin")
    events = [
        {"type": "UnitRegistered", "occurred_at": "2020-01-01T10:00:00+08:00",
         "data": {"unit_id": "v1", "name": "V1", "kind": "village"}},
        {"type": "UnitRegistered", "occurred_at": "2020-01-01T10:00:00+08:00",
         "data": {"unit_id": "v2", "name": "V2", "kind": "village"}},
        {"type": "PersonRegistered", "occurred_at": "2020-01-01T10:00:00+08:00",
         "data": {"person_id": "p1", "name": "Wang", "unit_id": "v1"}},
        {"type": "HouseholdRegistered", "occurred_at": "2020-01-02T10:00:00+08:00",
         "data": {"household_id": "h1", "village_id": "v1", "head_name": "Li", "size": 2,
                  "category": "registered_poor"}},
    ]
    assert http.batch(admin, events).status_code == 201
    inspector = http.token("inspector-li", "inspector")  # another request, another actor
    late = http.post(inspector, {"type": "InspectionRecorded", "occurred_at":
                             "2020-03-01T10:00:00+08:00", "data": {
                                 "inspection_id": "i1", "subject_type": "household",
                                 "subject_id": "h1", "method": "visit", "inspector_ids": ["p1"],
                                 "checks": dict.fromkeys(GUARANTEES, "met")}})
    assert late.status_code == 201
    root = http.app.extensions["root"]
    FlagFollower(root.ledger, root.runner(), root.views).catch_up()
    return late.get_json()["event_id"]


def test_the_committee_lists_late_entries_by_kind_and_unit(http: HttpLedger) -> None:
    late_id = _setup(http)
    jiwei = http.token("jiwei-zhao", "discipline")

    status, page = _get(http, jiwei)
    assert status == 200
    [item] = page["items"]
    assert (item["kind"], item["data"]["event_id"], page["next"]) == ("late_entry", late_id, None)
    assert {c["field"] for c in item["data"]["changes"]} >= {"guarantees.housing"}
    assert _get(http, jiwei, "?kind=contradiction")[1]["items"] == []
    assert _get(http, jiwei, "?unit_id=v2")[1]["items"] == []
    assert len(_get(http, jiwei, "?unit_id=v1&kind=late_entry")[1]["items"]) == 1


def test_others_are_refused_and_bad_arguments_named(http: HttpLedger) -> None:
    inspector = http.token("inspector-li", "inspector")
    jiwei = http.token("jiwei-zhao", "discipline")
    assert _get(http, inspector)[0] == 403
    status, body = _get(http, jiwei, "?kind=lateness")
    assert status == 422 and "kind" in str(body["error"]["details"])
    status, body = _get(http, jiwei, "?limit=0")
    assert status == 422 and "limit" in str(body["error"]["details"])
