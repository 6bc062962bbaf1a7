"""Return-to-poverty monitoring (防止返贫监测), on SQLite and PostgreSQL: entry with its risks,
spells that never overlap, risk removal only when its conditions hold on its date."""
from __future__ import annotations

from datetime import date

import pytest

from ledger.application import LoggedEvent
from ledger.errors import Conflict, InvalidTransition
from projections.replay import Cut
from tests.projections.conftest import INSPECTOR, World
from tests.projections.test_household_exit import ALL_MET, CADRE, STEPS, _refused, _step


def _start(world: World, day: str, h: str = "h1", kind: str = "edge") -> LoggedEvent:
    return world.record("MonitoringStarted", {"household_id": h, "monitoring_type": kind,
                                              "risks": ["illness", "education_costs"],
                                              "note": "a son in hospital"}, day, CADRE)


def _eliminate(world: World, day: str, h: str = "h1") -> LoggedEvent:
    return world.record("RiskEliminated", {"household_id": h, "note": "recovered"}, day, CADRE)


@pytest.fixture
def edge(world: World) -> World:
    """An edge household whose income (2,400 a head) is below the edge line of 5,000."""
    world.village(), world.person("p1")
    world.household("h1", size=2, category="edge")
    world.visit("i1", "h1", "2020-02-01", checks=ALL_MET, income={"wage": 4800})
    return world


def test_monitoring_shows_type_risks_and_events_and_replays_by_date(edge: World) -> None:
    world = edge
    started = _start(world, "2020-03-01")
    world.visit("i2", "h1", "2020-06-01", income={"wage": 11000})
    removed = _eliminate(world, "2020-06-15")
    world.project()

    assert world.views.household("h1")["monitoring"] is None
    during = world.views.household("h1", Cut(valid_at=date(2020, 4, 1)))
    assert during["monitoring"] == {"type": "edge", "since": "2020-03-01",
                                    "risks": ["illness", "education_costs"],
                                    "event_ids": [started.event_id]}
    assert world.views.household("h1", Cut(as_of=started.recorded_at))["monitoring"][
        "type"] == "edge"
    assert world.views.household("h1", Cut(valid_at=date(2020, 2, 28)))["monitoring"] is None
    assert removed.type == "RiskEliminated"


def test_spells_never_overlap(edge: World) -> None:
    world = edge
    _start(world, "2020-03-01")
    data = {"household_id": "h1", "monitoring_type": "sudden_hardship", "risks": ["accident"],
            "note": "injured"}
    error = _refused(world, Conflict, "MonitoringStarted", data, "2020-04-01")
    assert (error.code, error.details["monitoring_type"]) == ("conflict", "edge")
    world.visit("i2", "h1", "2020-06-01", income={"wage": 11000})
    _eliminate(world, "2020-06-15")
    overlapping = _refused(world, Conflict, "MonitoringStarted", data, "2020-06-10")
    assert overlapping.details["until"] is not None
    again = world.record("MonitoringStarted", data, "2020-06-20", CADRE)
    world.project()
    assert world.views.household("h1")["monitoring"]["event_ids"] == [again.event_id]


def test_unstable_exited_only_for_an_exited_household(edge: World) -> None:
    world = edge
    data = {"household_id": "h1", "monitoring_type": "unstable_exited", "risks": ["illness"],
            "note": "n"}
    error = _refused(world, Conflict, "MonitoringStarted", data, "2020-03-01")
    assert (error.details["field"], error.details["category"]) == ("monitoring_type", "edge")

    world.household("h2", size=2)
    world.visit("i-h2", "h2", "2020-06-01", checks=ALL_MET, income={"wage": 9000})
    for type_, step, day in STEPS:
        _step(world, type_, day, "h2", **step)
    during_procedure = _refused(world, Conflict, "MonitoringStarted",
                                {**data, "household_id": "h2"}, "2020-07-10")
    assert during_procedure.details["category"] == "registered_poor"
    started = world.record("MonitoringStarted", {**data, "household_id": "h2"}, "2020-08-01",
                           CADRE)
    world.project()
    status = world.views.household("h2")
    assert (status["poverty_status"], status["monitoring"]["type"]) == ("exited",
                                                                        "unstable_exited")
    assert status["monitoring"]["event_ids"] == [started.event_id]


def test_risk_removal_is_refused_naming_every_unmet_condition(edge: World) -> None:
    world = edge
    not_monitored = _refused(world, InvalidTransition, "RiskEliminated",
                             {"household_id": "h1", "note": "n"}, "2020-02-15")
    assert not_monitored.details["missing_step"] == "MonitoringStarted"
    _start(world, "2020-03-01")
    world.visit("i2", "h1", "2020-04-01", checks={"water": "unmet"})
    world.finding("f1", on="2020-04-02", due="2020-09-30")
    error = _refused(world, Conflict, "RiskEliminated", {"household_id": "h1", "note": "n"},
                     "2020-05-01")
    reasons = {(r["condition"], r.get("guarantee")): r for r in error.details["reasons"]}
    assert set(reasons) == {("income", None), ("guarantee", "water"), ("open_findings", None)}
    assert (reasons[("income", None)]["per_capita"], reasons[("income", None)]["line"],
            reasons[("income", None)]["line_value"]) == (2400, "edge_line", 5000)
    assert reasons[("open_findings", None)]["finding_ids"] == ["f1"]

    # The edge line in force for the year decides, and so does the world on the date.
    world.record("RuleParameterSet", {"parameter": "edge_line", "value": 2000, "year": 2020})
    world.visit("i3", "h1", "2020-05-10", checks={"water": "met"})
    world.record("RectificationReported", {"finding_id": "f1", "description": "pipe mended"},
                 "2020-05-10")
    world.record("RectificationVerified", {"finding_id": "f1", "accepted": True,
                                           "note": "water runs"}, "2020-05-11", INSPECTOR)
    still = _refused(world, Conflict, "RiskEliminated", {"household_id": "h1", "note": "n"},
                     "2020-05-01")  # on 1 May water was unmet and f1 open
    assert [(r["condition"], r.get("guarantee")) for r in still.details["reasons"]] == [
        ("guarantee", "water"), ("open_findings", None)]
    assert _eliminate(world, "2020-05-12").type == "RiskEliminated"
