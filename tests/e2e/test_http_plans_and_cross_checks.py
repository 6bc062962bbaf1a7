"""Help plans and cross-checks over HTTP on both backends: the mismatches the ledger records
itself come back under `consequences`, and bad plans or records are refused naming each field,
recording nothing."""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import HttpLedger


@pytest.fixture
def admin(http: HttpLedger) -> str:
    token = http.token("county-admin", "admin")
    for event in (
        {"type": "UnitRegistered", "data": {"unit_id": "v1", "name": "V", "kind": "village"}},
        {"type": "PersonRegistered", "data": {"person_id": "p1", "name": "Wang",
                                              "unit_id": "v1"}},
        {"type": "HouseholdRegistered", "occurred_at": "2020-01-02T10:00:00+08:00",
         "data": {"household_id": "h1", "village_id": "v1", "head_name": "Li", "size": 4,
                  "category": "registered_poor"}},
    ):
        assert http.post(token, event).status_code == 201
    return token


def test_a_comparison_answers_with_the_mismatches_the_ledger_recorded(http: HttpLedger,
                                                                      admin: str) -> None:
    answer = http.post(admin, {"type": "SystemRecordCompared",
                               "occurred_at": "2020-07-01T10:00:00+08:00",
                               "data": {"household_id": "h1", "source": "national_system",
                                        "as_of_date": "2020-06-30",
                                        "record": {"size": 4, "per_capita_income": 4100,
                                                   "head_name": "Li Si"}}})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert [(c["type"], c["actor"], c["data"]["field"], c["data"]["ledger_value"])
            for c in body["consequences"]] == [
        ("DataMismatchFound", "system", "per_capita_income", None),
        ("DataMismatchFound", "system", "head_name", "Li")]
    assert {c["data"]["compared_event_id"] for c in body["consequences"]} == {body["event_id"]}


BAD: list[tuple[str, dict[str, Any], str, int]] = [
    ("HelpPlanRecorded", {"household_id": "h1", "year": 2020, "causes": [],
                          "measures": []}, "data.causes", 422),
    ("HelpPlanRecorded", {"household_id": "h1", "year": 2020, "causes": ["laziness"],
                          "measures": []}, "data.causes.0", 422),
    ("HelpPlanRecorded", {"household_id": "h1", "year": 2020, "causes": ["illness"],
                          "measures": [{"measure_id": "m1", "kind": "health",
                                        "description": "x", "due_date": "2020-02-30"}]},
     "data.measures.0.due_date", 422),
    ("HelpPlanRecorded", {"household_id": "h1", "year": 2020, "causes": ["illness"],
                          "measures": [{"measure_id": "m1", "kind": "health",
                                        "description": "x", "due_date": "2099-06-30",
                                        "person_id": "nobody"}]},
     "measures.0.person_id", 404),
    ("HelpPlanRecorded", {"household_id": "h1", "year": 2020, "causes": ["illness"],
                          "measures": [{"measure_id": "m1", "kind": "health",
                                        "description": "x", "due_date": "2099-06-30"}] * 2},
     "measures.1.measure_id", 422),  # the domain's rule: no JSON Schema can say it
    ("MeasureCompleted", {"household_id": "h1", "measure_id": "m1", "note": "done"},
     "measure_id", 404),
    ("SystemRecordCompared", {"household_id": "h1", "source": "national_system",
                              "as_of_date": "2020-06-30", "record": {}},
     "data.record", 422),
    ("SystemRecordCompared", {"household_id": "h1", "source": "national_system",
                              "as_of_date": "2020-06-30", "record": {"size": "four"}},
     "data.record.size", 422),
    ("SystemRecordCompared", {"household_id": "h9", "source": "national_system",
                              "as_of_date": "2020-06-30", "record": {"size": 4}},
     "household_id", 404),
    ("MismatchResolved", {"household_id": "h1", "mismatch_event_id": "x:1",
                          "resolution": "fixed", "note": "n"}, "data.resolution", 422),
    ("MismatchResolved", {"household_id": "h1", "mismatch_event_id": "x:1",
                          "resolution": "explained", "note": "n"}, "mismatch_event_id", 404),
]


@pytest.mark.parametrize(("type_", "data", "field", "status"), BAD,
                         ids=[f"{t}-{f}" for t, _, f, _ in BAD])
def test_a_bad_plan_or_record_is_refused_naming_the_field(
    http: HttpLedger, admin: str, type_: str, data: dict[str, Any], field: str, status: int
) -> None:
    before = http.log()
    answer = http.post(admin, {"type": type_, "data": data})
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    named = error["details"].get("fields") or {error["details"]["field"]: error["message"]}
    assert field in named, error
    assert http.log() == before
