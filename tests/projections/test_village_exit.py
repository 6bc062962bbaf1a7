"""A poor village's exit (贫困村出列) on both backends: incidence on its date, open findings in
its subtree, a county's own threshold, the board and the township's roll-up, and a dispute
that overturns it."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from ledger.application import Command
from ledger.errors import Conflict, Forbidden
from ledger.identity import Actor
from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import ADMIN, DISCIPLINE, World, at

EVENTS = "/api/v1/events"


def _county(world: World, poor_village: bool = True) -> None:
    world.record("UnitRegistered", {"unit_id": "c1", "name": "C", "kind": "county"}, "2020-01-01")
    world.record("UnitRegistered", {"unit_id": "t1", "name": "T", "kind": "township",
                                    "parent_id": "c1"}, "2020-01-01")
    world.record("UnitRegistered", {"unit_id": "v1", "name": "V", "kind": "village",
                                    "parent_id": "t1", "poor_village": poor_village},
                 "2020-01-01")
    world.household("h1", size=4, category="registered_poor")
    world.household("h2", size=3, category="other")
    world.record("VillagePopulationRecorded",
                 {"village_id": "v1", "year": 2020, "population": 150}, "2020-02-01")


def _exit(world: World, on: str = "2020-10-01", actor: Actor = ADMIN) -> None:
    world.record("VillageExitRecorded", {"village_id": "v1", "year": 2020}, on, actor)


def test_a_village_over_the_incidence_is_refused_naming_it_until_its_poor_exit(
        world: World) -> None:
    _county(world)
    with pytest.raises(Conflict) as refused:
        _exit(world)
    (reason,) = refused.value.details["reasons"]
    assert (reason["condition"], reason["incidence"], reason["poor_people"],
            reason["village_exit_incidence"]) == ("incidence", 0.0267, 4, 0.02)
    # 4 of 150 is 2.67%: a county that sets 3% for itself lets it exit.
    world.record("RuleParameterSet", {"parameter": "village_exit_incidence", "value": 0.03,
                                      "unit_id": "c1"}, "2020-03-01")
    _exit(world)
    world.project()
    board = world.views.unit("v1")
    assert (board["exit_year"], board["incidence"], board["poor_village"]) == (2020, 0.0267, True)
    township = world.views.unit("t1")["rollup"]["poverty_incidence"]
    assert township == {"year": 2020, "population": 150, "poor_people": 4,
                        "incidence": 0.0267}


def test_the_exit_is_judged_on_its_own_date_and_waits_for_open_findings(world: World) -> None:
    _county(world)
    world.record("HouseholdRegistered", {"household_id": "h3", "village_id": "v1",
                                         "head_name": "Zhao", "size": 2,
                                         "category": "edge"}, "2020-01-02")
    world.finding("f1", subject_id="h2", due="2020-12-31", on="2020-03-01")
    # h1's size falls to 2 only in November: on 1 October it still counted 4 people.
    world.record("HouseholdFactsRecorded", {"household_id": "h1", "size": 2}, "2020-11-01")
    world.record("VillagePopulationRecorded",
                 {"village_id": "v1", "year": 2020, "population": 200}, "2020-02-02")
    with pytest.raises(Conflict) as refused:
        _exit(world, "2020-10-01")
    assert [r["condition"] for r in refused.value.details["reasons"]] == ["open_findings"]
    assert refused.value.details["reasons"][0]["finding_ids"] == ["f1"]


def test_not_a_poor_village_and_not_the_county_are_refused(world: World) -> None:
    _county(world, poor_village=False)
    with pytest.raises(Conflict) as refused:
        _exit(world)
    assert refused.value.details["reasons"][0]["condition"] == "poor_village"
    with pytest.raises(Forbidden):
        _exit(world, actor=Actor("cadre-t", "cadre", "t1"))


def test_an_overturned_exit_is_annulled_by_the_ledger(world: World) -> None:
    _county(world)
    world.record("HouseholdFactsRecorded", {"household_id": "h1", "size": 2}, "2020-03-01")
    exit_event = world.ledger.record(Actor("cadre-c", "cadre", "c1"), [
        Command("VillageExitRecorded", {"village_id": "v1", "year": 2020}, at("2020-10-01"))])[0]
    world.record("DisputeOpened", {"dispute_id": "d1", "contested_event_id": exit_event.event_id,
                                   "grounds": "numbers made up"}, "2020-10-05", DISCIPLINE)
    world.record("DisputeResolved", {"dispute_id": "d1", "outcome": "overturned",
                                     "note": "recount"}, "2020-10-09", DISCIPLINE)
    world.project()
    assert world.views.unit("v1")["exit_year"] is None
    log = world.ledger.read_log(0, 1000)
    annulled = [e for e in log if e.type == "VillageExitAnnulled"]
    assert [(e.actor, e.data["exit_event_id"]) for e in annulled] == [
        ("system", exit_event.event_id)]


@pytest.fixture
def client(root: Root) -> FlaskClient:
    return conforming(create_app(root=root, settings={"TESTING": True})).test_client()


@pytest.mark.parametrize(("event", "field", "status"), [
    ({"type": "VillageExitRecorded", "data": {"village_id": "v1", "year": 2020}}, None, 409),
    ({"type": "VillageExitRecorded", "data": {"village_id": "v1", "year": "2020"}},
     "data.year", 422),
    ({"type": "VillagePopulationRecorded", "data": {"village_id": "v1", "year": 2020,
                                                    "population": 0}}, "data.population", 422),
    ({"type": "VillageExitRecorded", "data": {"village_id": "v1", "year": 2020, "x": 1}},
     "data.x", 422),
    ({"type": "UnitRegistered", "data": {"unit_id": "t9", "name": "T", "kind": "township",
                                         "poor_village": True}}, "poor_village", 422),
    ({"type": "RuleParameterSet", "data": {"parameter": "mismatch_days", "value": 5,
                                           "unit_id": "c1"}}, "data.unit_id", 422),
])
def test_bad_village_input_is_refused_and_records_nothing(world: World, client: FlaskClient,
                                                         event: dict, field: str | None,
                                                         status: int) -> None:
    _county(world)
    token = world.ledger.create_token("county-admin", "admin")
    before = len(world.ledger.read_log(0, 1000))
    answer = client.post(EVENTS, json={"occurred_at": "2020-10-01T10:00:00+08:00", **event},
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == status, answer.get_json()
    error = answer.get_json()["error"]
    if field is None:
        assert [r["condition"] for r in error["details"]["reasons"]] == ["incidence"]
    else:
        assert field in str(error["details"]), error
    assert len(world.ledger.read_log(0, 1000)) == before
