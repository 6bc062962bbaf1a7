"""Every decision is reversible by dispute: the ledger records the undoing (actor `system`),
the dispute read lists it, every read follows it and the decider's trail shows it."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from evidence.disputes import dispute_view
from ledger.application import LoggedEvent
from ledger.errors import Invalid
from ledger.identity import Actor
from projections.replay import Cut
from service.root import Root
from tests.projections.conftest import DISCIPLINE, World, make_world

DECIDER = Actor("p-insp", "admin")


@pytest.fixture
def world(root: Root) -> World:
    world = make_world(root)
    world.village("v1")
    world.person("p-insp")
    world.household("h1")
    return world


def _overturn(world: World, contested: LoggedEvent, on: str = "2020-05-10") -> LoggedEvent:
    world.record("DisputeOpened", {"dispute_id": "d1", "contested_event_id": contested.event_id,
                                   "grounds": "not as recorded"}, on, DISCIPLINE)
    resolved = world.record("DisputeResolved", {"dispute_id": "d1", "outcome": "overturned",
                                                "note": "site visit"}, on, DISCIPLINE)
    world.project()
    return resolved


def _trail_item(world: World, contested: LoggedEvent) -> dict[str, Any]:
    items = world.views.accountability("p-insp")["overturned_decisions"]
    assert [i["event_id"] for i in items] == [contested.event_id]
    return items[0]


def test_an_overturned_acceptance_reopens_the_finding_from_its_date(world: World) -> None:
    world.finding("f1", due="2020-03-31")
    world.record("RectificationReported", {"finding_id": "f1", "description": "mended"},
                 "2020-03-20")
    verified = world.record("RectificationVerified", {"finding_id": "f1", "accepted": True,
                                                      "note": "seen"}, "2020-03-25", DECIDER)
    resolved = _overturn(world, verified)

    reopened = resolved.consequences[0]
    assert (reopened.type, reopened.actor) == ("FindingReopened", "system")
    assert reopened.data["verification_event_id"] == verified.event_id
    assert reopened.data["decided_by"] == "p-insp"
    assert reopened.occurred_at == verified.occurred_at
    finding = world.views.finding("f1")
    assert (finding["status"], finding["closed_on"], finding["overdue"]) == ("open", None, True)
    on_the_day_after = world.views.finding("f1", Cut(valid_at=date(2020, 4, 1)))
    assert (on_the_day_after["status"], on_the_day_after["overdue"]) == ("open", True)
    assert world.views.household("h1")["overdue_findings"] == ["f1"]
    assert _trail_item(world, verified)["type"] == "FindingReopened"
    assert [c["type"] for c in _dispute(world)["consequences"]][0] == "FindingReopened"


def test_an_overturned_delisting_relists_the_unit(world: World) -> None:
    world.record("UnitListed", {"unit_id": "v1", "level": "district"}, "2020-01-10")
    delisted = world.record("UnitDelisted", {"unit_id": "v1"}, "2020-04-01", DECIDER)
    resolved = _overturn(world, delisted)
    assert [c.type for c in resolved.consequences] == ["UnitRelisted"]
    assert world.views.unit("v1")["listed"] is True
    assert _trail_item(world, delisted)["type"] == "UnitRelisted"


def test_an_overturned_completion_reopens_the_measure(world: World) -> None:
    world.record("HelpPlanRecorded", {"household_id": "h1", "year": 2020, "causes": ["illness"],
                                      "measures": [{"measure_id": "m1", "kind": "health",
                                                    "description": "clinic",
                                                    "due_date": "2020-06-30"}]}, "2020-02-01")
    done = world.record("MeasureCompleted", {"household_id": "h1", "measure_id": "m1",
                                             "note": "done"}, "2020-03-01", DECIDER)
    resolved = _overturn(world, done)
    assert [c.type for c in resolved.consequences] == ["MeasureReopened"]
    measures = world.views.household("h1")["plan"]["measures"]
    assert [(m["measure_id"], m["status"], m["completed_on"]) for m in measures] == [
        ("m1", "overdue", None)]  # read today, long after its due date
    assert _trail_item(world, done)["type"] == "MeasureReopened"


def test_an_overturned_risk_removal_resumes_monitoring(world: World) -> None:
    world.record("InspectionRecorded", {
        "inspection_id": "i1", "subject_type": "household", "subject_id": "h1",
        "method": "visit", "inspector_ids": ["p-insp"], "income": {"wage": 40000},
        "checks": dict.fromkeys(("food", "clothing", "education", "medical", "housing", "water"),
                                "met")}, "2020-01-03")
    world.record("MonitoringStarted", {"household_id": "h1", "monitoring_type": "edge",
                                       "risks": ["illness"], "note": "sick"}, "2020-02-01")
    eliminated = world.record("RiskEliminated", {"household_id": "h1", "note": "well"},
                              "2020-03-01", DECIDER)
    world.project()
    assert world.views.household("h1")["monitoring"] is None
    resolved = _overturn(world, eliminated)
    assert [c.type for c in resolved.consequences] == ["MonitoringResumed"]
    assert world.views.household("h1")["monitoring"]["type"] == "edge"
    assert _trail_item(world, eliminated)["type"] == "MonitoringResumed"


def test_an_overturned_score_is_withdrawn(world: World) -> None:
    scored = world.record("ScoreRecorded", {"round_id": "r1", "village_id": "v1",
                                            "section": "village", "points": 25},
                          "2020-03-01", DECIDER)
    resolved = _overturn(world, scored)
    assert [c.type for c in resolved.consequences] == ["ScoreWithdrawn"]
    assert world.views.scoring("r1")["villages"] == [] or all(
        v["total"] == 0 for v in world.views.scoring("r1")["villages"])
    assert _trail_item(world, scored)["type"] == "ScoreWithdrawn"


def test_any_other_overturned_event_is_read_as_never_recorded(world: World) -> None:
    facts = world.record("HouseholdFactsRecorded", {"household_id": "h1", "size": 9},
                         "2020-02-01", DECIDER)
    world.project()
    assert world.views.household("h1")["size"] == 9
    resolved = _overturn(world, facts)
    overturned = resolved.consequences[0]
    assert (overturned.type, overturned.data["event_id"]) == ("EventOverturned", facts.event_id)
    assert world.views.household("h1")["size"] == 4
    assert _trail_item(world, facts)["type"] == "EventOverturned"
    assert world.views.household("h1", Cut(as_of=facts.recorded_at))["size"] == 9
    world.runner.rebuild()
    assert world.views.household("h1")["size"] == 4


def _dispute(world: World) -> dict[str, Any]:
    return dispute_view(world.ledger, world.views, "d1")


def test_an_overturned_quarterly_light_reaches_its_recorder_trail(world: World) -> None:
    rated = world.record("QuarterlyRatingRecorded", {"unit_id": "v1", "period": "2020-Q1",
                                                     "light": "red"}, "2020-04-02", DECIDER)
    resolved = _overturn(world, rated)
    assert [(c.type, c.data["decided_by"]) for c in resolved.consequences] == [
        ("QuarterlyRatingWithdrawn", "p-insp")]
    assert _trail_item(world, rated)["type"] == "QuarterlyRatingWithdrawn"


@pytest.mark.parametrize("type_", ["FindingReopened", "EventOverturned", "LateEntryFlagged",
                                   "DecisionContradicted"])
def test_no_client_records_what_only_the_ledger_records(world: World, type_: str) -> None:
    before = len(world.ledger.read_log(0, 1000))
    with pytest.raises(Invalid) as refused:
        world.record(type_, {"finding_id": "f1"}, "2020-04-02")
    assert refused.value.details["field"] == "type"
    assert len(world.ledger.read_log(0, 1000)) == before


def test_an_overturned_resolution_reopens_the_mismatch(world: World) -> None:
    compared = world.record("SystemRecordCompared", {
        "household_id": "h1", "source": "national_system", "as_of_date": "2020-02-01",
        "record": {"size": 5}}, "2020-02-05")
    [found] = compared.consequences
    resolved_mismatch = world.record("MismatchResolved", {
        "household_id": "h1", "mismatch_event_id": found.event_id,
        "resolution": "system_corrected", "note": "fixed upstream"}, "2020-02-10", DECIDER)
    world.project()
    assert world.views.household("h1")["mismatches"] == []
    resolved = _overturn(world, resolved_mismatch)
    assert [c.type for c in resolved.consequences] == ["MismatchReopened"]
    assert [m["event_id"] for m in world.views.household("h1")["mismatches"]] == [
        found.event_id]
    assert _trail_item(world, resolved_mismatch)["type"] == "MismatchReopened"
    again = world.record("MismatchResolved", {  # open again, so it can be resolved again
        "household_id": "h1", "mismatch_event_id": found.event_id,
        "resolution": "explained", "note": "one member moved out"}, "2020-05-12")
    assert again.type == "MismatchResolved"


def test_an_overturned_finding_reaches_the_trail_of_who_raised_it(world: World) -> None:
    raised = world.record("FindingRaised", {
        "finding_id": "f1", "subject_type": "household", "subject_id": "h1",
        "category": "housing", "description": "roof", "responsible_unit_id": "v1",
        "due_date": "2020-03-31"}, "2020-03-01", DECIDER)
    resolved = _overturn(world, raised)
    assert resolved.consequences[0].data["decided_by"] == "p-insp"
    [item] = world.views.accountability("p-insp")["overturned_decisions"]
    assert (item["type"], item["finding_id"], item["event_id"]) == (
        "FindingWithdrawn", "f1", None)
    assert item["event_ids"] == [resolved.consequences[0].event_id]


def test_an_overturned_visit_is_read_as_never_made(world: World) -> None:
    visit = world.record("InspectionRecorded", {
        "inspection_id": "i1", "subject_type": "household", "subject_id": "h1",
        "method": "visit", "inspector_ids": ["p-insp"], "checks": {"housing": "unmet"}},
        "2020-02-01", DECIDER)
    world.project()
    assert world.views.household("h1")["guarantees"]["housing"]["value"] == "unmet"
    resolved = _overturn(world, visit)
    assert [(c.type, c.data["subject_id"]) for c in resolved.consequences] == [
        ("EventOverturned", "h1")]
    status = world.views.household("h1")
    assert (status["guarantees"]["housing"]["value"], status["last_visit"]) == ("unknown", None)
