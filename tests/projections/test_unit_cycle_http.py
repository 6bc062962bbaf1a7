"""The unit supervision cycle over HTTP, on both backends: refusals name what is at fault and
record nothing; the quarterly light table, the unit board and the findings ledger answer as
the OpenAPI document says."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import World

EVENTS = "/api/v1/events"


@pytest.fixture
def client(root: Root, world: World) -> FlaskClient:
    app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})
    return conforming(app).test_client()


class Http:
    def __init__(self, world: World, client: FlaskClient) -> None:
        self.world, self.client = world, client
        self.admin = {"Authorization": f"Bearer {world.ledger.create_token('a', 'admin')}"}
        self.reader = {"Authorization":
                       f"Bearer {world.ledger.create_token('j', 'discipline')}"}

    def post(self, type_: str, data: dict[str, Any], day: str = "2020-03-01") -> TestResponse:
        body = {"type": type_, "occurred_at": f"{day}T10:00:00+08:00", "data": data}
        return self.client.post(EVENTS, data=json.dumps(body),
                                headers={**self.admin, "Content-Type": "application/json"})

    def ok(self, type_: str, data: dict[str, Any], day: str = "2020-03-01") -> dict:
        answer = self.post(type_, data, day)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def refused(self, status: int, code: str, type_: str, data: dict[str, Any]) -> dict:
        """Refused with this status and code, and the log gained nothing."""
        head = self.world.ledger.head()
        answer = self.post(type_, data)
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code)
        assert self.world.ledger.head() == head
        return answer.get_json()["error"]["details"]

    def get(self, path: str) -> TestResponse:
        self.world.project()
        return self.client.get(path, headers=self.reader)


@pytest.fixture
def http(world: World, client: FlaskClient) -> Http:
    http = Http(world, client)
    for unit in ({"unit_id": "c1", "name": "County", "kind": "county"},
                 {"unit_id": "t1", "name": "Town", "kind": "township", "parent_id": "c1"},
                 {"unit_id": "v1", "name": "Village", "kind": "village", "parent_id": "t1"}):
        http.ok("UnitRegistered", unit, "2020-01-01")
    http.ok("HouseholdRegistered", {"household_id": "h1", "village_id": "v1", "head_name": "Li",
                                    "size": 3, "category": "registered_poor"}, "2020-01-01")
    http.ok("UnitListed", {"unit_id": "t1", "level": "city", "supervising_unit_id": "c1",
                           "due_date": "2020-12-31"}, "2020-01-02")
    http.ok("FindingRaised", {"finding_id": "f1", "subject_type": "household",
                              "subject_id": "h1", "category": "housing",
                              "description": "roof leaks", "responsible_unit_id": "v1",
                              "due_date": "2020-03-31", "source": "patrol_review",
                              "sector": "housing"})
    return http


def test_a_township_with_a_village_household_finding_open_is_not_delisted(http: Http) -> None:
    details = http.refused(409, "conflict", "UnitDelisted", {"unit_id": "t1"})
    assert details == {"unit_id": "t1", "on": "2020-03-01", "open_findings": 1,
                       "open_finding_ids": ["f1"]}
    board = http.get("/api/v1/units/t1").get_json()
    assert (board["supervising_unit_id"], board["due_date"]) == ("c1", "2020-12-31")


@pytest.mark.parametrize(("type_", "data", "field"), [
    ("QuarterlyRatingRecorded", {"unit_id": "t1", "period": "2020-03", "light": "red"},
     "data.period"),
    ("QuarterlyRatingRecorded", {"unit_id": "t1", "period": "2020-Q1", "light": "blue"},
     "data.light"),
    ("QuarterlyRatingRecorded", {"unit_id": "t1", "period": "2020-Q1", "light": "red",
                                 "score": 100.5}, "data.score"),
    ("FindingTransferred", {"finding_id": "f1", "to_unit_id": "t1"}, "data.reason"),
    ("FindingRaised", {"finding_id": "f2", "subject_type": "unit", "subject_id": "v1",
                       "category": "visits", "description": "d", "responsible_unit_id": "v1",
                       "due_date": "2020-03-31", "source": "rumour"}, "data.source"),
    ("UnitListed", {"unit_id": "v1", "level": "city", "due_date": "2020-02-30"},
     "data.due_date"),
])
def test_bad_fields_are_422_naming_the_field(http: Http, type_: str, data: dict,
                                              field: str) -> None:
    details = http.refused(422, "invalid", type_, data)
    assert list(details["fields"]) == [field]


def test_a_second_light_for_the_quarter_is_409(http: Http) -> None:
    http.ok("QuarterlyRatingRecorded", {"unit_id": "t1", "period": "2020-Q1", "light": "red"})
    details = http.refused(409, "already_exists", "QuarterlyRatingRecorded",
                           {"unit_id": "t1", "period": "2020-Q1", "light": "green"})
    assert details["period"] == "2020-Q1"


def test_the_quarterly_light_table_over_http(http: Http) -> None:
    http.ok("QuarterlyRatingRecorded", {"unit_id": "t1", "period": "2020-Q1", "light": "yellow",
                                        "score": 78, "note": "visits behind"}, "2020-04-03")
    http.ok("QuarterlyRatingRecorded", {"unit_id": "v1", "period": "2020-Q1", "light": "green",
                                        "score": 92}, "2020-04-03")
    table = http.get("/api/v1/ratings/2020-Q1").get_json()
    assert [(u["unit_id"], u["kind"], u["light"], u["rank"]) for u in table["units"]] == [
        ("v1", "village", "green", 1), ("t1", "township", "yellow", 2)]
    assert table["counts"] == {"green": 1, "yellow": 1, "red": 0}
    towns = http.get("/api/v1/ratings/2020-Q1?kind=township").get_json()
    assert [u["unit_id"] for u in towns["units"]] == ["t1"]
    not_a_quarter = http.get("/api/v1/ratings/2020-13")
    assert not_a_quarter.status_code == 404
    assert not_a_quarter.get_json()["error"]["details"]["field"] == "period"
    bad_kind = http.get("/api/v1/ratings/2020-Q1?kind=planet")
    assert bad_kind.status_code == 422
    assert list(bad_kind.get_json()["error"]["details"]["fields"]) == ["kind"]
    board = http.get("/api/v1/units/t1").get_json()
    assert [r["light"] for r in board["lights_by_quarter"]["2020-Q1"]] == ["yellow"]


def test_findings_ledger_filters_and_exports_source_and_sector(http: Http) -> None:
    found = http.get("/api/v1/findings?source=patrol_review&sector=housing").get_json()
    assert [(f["finding_id"], f["source"], f["sector"]) for f in found["findings"]] == [
        ("f1", "patrol_review", "housing")]
    assert http.get("/api/v1/findings?sector=water").get_json()["findings"] == []
    assert http.get("/api/v1/findings?source=rumour").status_code == 422
    export = http.get("/api/v1/findings-export?source=patrol_review&format=csv")
    [row] = list(csv.DictReader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert (row["finding_id"], row["source"], row["sector"]) == ("f1", "patrol_review",
                                                                 "housing")


def test_a_transferred_findings_trail_shows_both_units(http: Http) -> None:
    moved = http.ok("FindingTransferred", {"finding_id": "f1", "to_unit_id": "t1",
                                           "reason": "the township funds roofs"}, "2020-04-02")
    trail = http.get("/api/v1/findings/f1").get_json()
    assert [(h["unit_id"], h["from"]) for h in trail["responsibility_history"]] == [
        ("v1", "2020-03-01"), ("t1", "2020-04-02")]
    assert trail["transfers"][0]["overdue"] is True
    assert trail["trail"][-1]["event_id"] == moved["event_id"]
    village = http.get("/api/v1/units/v1").get_json()
    assert village["findings"]["overdue_before_transfer"] == ["f1"]
