"""The household lifecycle over HTTP, answers checked against the OpenAPI document: refusals
with their status, code and reasons (and nothing recorded), the status and its replay."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import World
from tests.projections.test_household_exit import ALL_MET, STEPS

EVENTS = "/api/v1/events"


@pytest.fixture
def client(root: Root, world: World) -> FlaskClient:
    app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})
    return conforming(app).test_client()


@pytest.fixture
def cadre(world: World) -> dict[str, str]:
    world.village("v1"), world.village("v2"), world.person("p1")
    world.household("h1", size=2)
    world.household("h2", size=2, village_id="v2")
    token = world.ledger.create_token("cadre-wang", "cadre", "v1")
    return {"Authorization": f"Bearer {token}"}


def _post(client: FlaskClient, headers: dict[str, str], type_: str, data: dict[str, Any],
          day: str) -> Any:
    return client.post(EVENTS, json={"type": type_, "occurred_at": f"{day}T10:00:00+08:00",
                                     "data": data}, headers=headers)


def test_refusals_answer_409_with_reasons_and_record_nothing(
    world: World, client: FlaskClient, cadre: dict[str, str]
) -> None:
    world.visit("i1", "h1", "2020-06-01", checks={"food": "met"}, income={"wage": 2000})
    head = world.ledger.head()
    early = _post(client, cadre, "ExitVerified",
                  {"household_id": "h1", "year": 2020, "passed": True, "note": "n"},
                  "2020-07-05")
    assert early.status_code == 409
    error = early.get_json()["error"]
    assert (error["code"], error["details"]["missing_step"]) == ("invalid_transition",
                                                                 "ExitAppraised")
    assert world.ledger.head() == head

    appraised = _post(client, cadre, "ExitAppraised",
                      {"household_id": "h1", "year": 2020, "votes_for": 30, "votes_total": 35},
                      "2020-07-01")
    assert appraised.status_code == 201
    head = world.ledger.head()
    refused = _post(client, cadre, "ExitVerified",
                    {"household_id": "h1", "year": 2020, "passed": True, "note": "n"},
                    "2020-07-05")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "conflict"
    assert [(r["condition"], r.get("guarantee")) for r in error["details"]["reasons"]] == [
        ("income", None), ("guarantee", "clothing"), ("guarantee", "education"),
        ("guarantee", "medical"), ("guarantee", "housing"), ("guarantee", "water")]
    assert world.ledger.head() == head

    facts = _post(client, cadre, "HouseholdFactsRecorded",
                  {"household_id": "h1", "category": "edge"}, "2020-07-06")
    assert facts.status_code == 409
    assert facts.get_json()["error"]["details"]["field"] == "category"
    other_unit = _post(client, cadre, "MonitoringStarted",
                       {"household_id": "h2", "monitoring_type": "edge", "risks": ["illness"],
                        "note": "n"}, "2020-07-06")
    assert other_unit.status_code == 403
    assert world.ledger.head() == head

    votes = _post(client, cadre, "ExitAppraised", {"household_id": "h1", "year": 2021,
                                                   "votes_for": 36, "votes_total": 35},
                  "2021-07-01")
    assert votes.status_code == 422
    assert votes.get_json()["error"]["details"]["field"] == "votes_for"
    assert world.ledger.head() == head


@pytest.mark.parametrize(("type_", "data", "field"), [
    ("HouseholdRegistered", {"household_id": "h9", "village_id": "v1", "head_name": "Li",
                             "size": 2, "category": "exited"}, "data.exit_year"),
    ("HouseholdRegistered", {"household_id": "h9", "village_id": "v1", "head_name": "Li",
                             "size": 2, "category": "edge", "exit_year": 2018},
     "data.exit_year"),
    ("ExitAppraised", {"household_id": "h1", "year": 1999, "votes_for": 3,
                       "votes_total": 5}, "data.year"),
    ("MonitoringStarted", {"household_id": "h1", "monitoring_type": "edge", "risks": [],
                           "note": "n"}, "data.risks"),
    ("MonitoringStarted", {"household_id": "h1", "monitoring_type": "poor", "risks": ["other"],
                           "note": "n"}, "data.monitoring_type"),
])
def test_invalid_lifecycle_data_is_422_naming_the_field(
    world: World, client: FlaskClient, cadre: dict[str, str], type_: str,
    data: dict[str, Any], field: str,
) -> None:
    admin = {"Authorization": f"Bearer {world.ledger.create_token('admin-1', 'admin')}"}
    head = world.ledger.head()
    answer = _post(client, admin, type_, data, "2020-07-01")
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"]["fields"]
    assert world.ledger.head() == head


def test_a_committee_member_reads_an_exit_and_its_replay(
    world: World, client: FlaskClient, cadre: dict[str, str]
) -> None:
    world.visit("i1", "h1", "2020-06-01", checks=ALL_MET, income={"wage": 9000})
    ids = {}
    for type_, data, day in STEPS:
        answer = _post(client, cadre, type_, {"household_id": "h1", "year": 2020, **data}, day)
        assert answer.status_code == 201, answer.get_json()
        ids[type_] = answer.get_json()["event_id"]
    logged = {e.type: e for e in world.ledger.read_log(0, 1000)}
    assert logged["ExitPublicized"].data == {"household_id": "h1", "year": 2020,
                                                "from": "2020-07-07", "to": "2020-07-14"}
    world.project()
    discipline = {"Authorization": f"Bearer {world.ledger.create_token('jw', 'discipline')}"}
    now = client.get("/api/v1/households/h1", headers=discipline).get_json()
    assert (now["poverty_status"], now["exit_year"], now["exit"]["next_step"]) == (
        "exited", 2020, None)
    assert [s["event_id"] for s in now["exit"]["steps"]] == list(ids.values())
    then = client.get("/api/v1/households/h1?valid_at=2020-07-10", headers=discipline)
    assert then.get_json()["poverty_status"] == "registered_poor"
    assert then.get_json()["exit"]["next_step"] == "HouseholdExited"
    history = client.get("/api/v1/households/h1/history", headers=discipline).get_json()
    assert [e["type"] for e in history["events"]][-5:] == [t for t, _, _ in STEPS]
