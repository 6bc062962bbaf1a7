"""Rules on the event's own date through the ledger, on SQLite and PostgreSQL: each refusal
answers its status and code, names the field or the event, and records nothing; the "Why"
cases of issue 16 as regressions."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.errors import STATUS_OF
from ledger.application import Command
from ledger.errors import Conflict, Invalid, LedgerError, OutOfOrder
from ledger.identity import Actor
from projections.replay import Cut
from tests.projections.conftest import INSPECTOR, World, at

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}
CADRE = Actor("cadre-wang", "cadre", "v1")
STATUS = {OutOfOrder: 409, Conflict: 409, Invalid: 422}


def _refused(world: World, error: type[LedgerError], type_: str, data: dict[str, Any],
             day: str, actor: Actor = INSPECTOR) -> LedgerError:
    before = world.ledger.read_log(0, 100_000)
    with pytest.raises(error) as caught:
        world.ledger.record(actor, [Command(type_, data, at(day))])
    assert type(caught.value) is error
    assert next(s for cls, s in STATUS_OF if isinstance(caught.value, cls)) == STATUS[error]
    assert world.ledger.read_log(0, 100_000) == before
    return caught.value


def test_due_dates_before_the_events_own_date_are_refused_naming_the_field(world: World
                                                                           ) -> None:
    world.village(), world.household()
    finding = {"finding_id": "f1", "subject_type": "household", "subject_id": "h1",
               "category": "housing", "description": "roof", "responsible_unit_id": "v1",
               "due_date": "2020-02-29"}
    assert _refused(world, Invalid, "FindingRaised", finding,
                    "2020-03-01").details["field"] == "due_date"
    listing = {"unit_id": "v1", "level": "city", "due_date": "2020-02-29"}
    assert _refused(world, Invalid, "UnitListed", listing,
                    "2020-03-01").details["field"] == "due_date"
    plan = {"household_id": "h1", "year": 2020, "causes": ["illness"], "measures": [
        {"measure_id": "m1", "kind": "health", "description": "clinic",
         "due_date": "2020-03-01"},
        {"measure_id": "m2", "kind": "health", "description": "drugs",
         "due_date": "2020-02-29"}]}
    assert _refused(world, Invalid, "HelpPlanRecorded", plan, "2020-03-01",
                    CADRE).details["field"] == "measures.1.due_date"
    world.finding("f1", due="2020-03-01", on="2020-03-01")  # due on its own date: accepted
    extension = {"finding_id": "f1", "new_due_date": "2020-03-09", "reason": "flood"}
    assert _refused(world, Invalid, "DeadlineExtended", extension,
                    "2020-03-10").details["field"] == "new_due_date"


def test_a_verification_dated_before_its_report_is_refused_naming_the_report(
    world: World,
) -> None:
    """Why: accepted 04-28 for a report dated 06-10, the finding read closed on 04-28."""
    world.village(), world.household()
    world.finding("f1", due="2020-06-30", on="2020-03-01")
    report = world.record("RectificationReported",
                          {"finding_id": "f1", "description": "roof repaired"}, "2020-06-10")
    error = _refused(world, OutOfOrder, "RectificationVerified",
                     {"finding_id": "f1", "accepted": True, "note": "ok"}, "2020-04-28")
    assert error.code == "out_of_order"
    assert (error.details["event_id"], error.details["occurred_at"]) == (
        report.event_id, report.occurred_at.isoformat())
    raised = _refused(world, OutOfOrder, "FindingWithdrawn",
                      {"finding_id": "f1", "reason": "dup"}, "2020-02-01")
    assert raised.details["event_id"] != report.event_id


def test_a_late_delisting_is_judged_on_its_own_date_over_the_subtree(world: World) -> None:
    """Why: a delisting dated 06-20, recorded after the last findings were closed on 06-25,
    was accepted while three findings below the township were open on its date."""
    world.record("UnitRegistered", {"unit_id": "t1", "name": "T1", "kind": "township"},
                 "2020-01-01")
    world.village("v1", parent_id="t1")
    world.household()
    world.record("UnitListed", {"unit_id": "t1", "level": "city"}, "2020-01-10")
    for finding_id in ("f1", "f2", "f3"):
        world.finding(finding_id, due="2020-06-30", on="2020-03-01")
    world.record("FindingRaised", {
        "finding_id": "f4", "subject_type": "unit", "subject_id": "v1", "category": "visits",
        "description": "d", "responsible_unit_id": "v1", "due_date": "2020-06-30"},
        "2020-03-01", INSPECTOR)
    world.record("FindingWithdrawn", {"finding_id": "f4", "reason": "raised in error"},
                 "2020-06-01", INSPECTOR)
    for finding_id in ("f1", "f2", "f3"):
        world.record("RectificationReported",
                     {"finding_id": finding_id, "description": "done"}, "2020-06-24")
        world.record("RectificationVerified",
                     {"finding_id": finding_id, "accepted": True, "note": "ok"}, "2020-06-25",
                     INSPECTOR)
    error = _refused(world, Conflict, "UnitDelisted", {"unit_id": "t1"}, "2020-06-20")
    assert (error.details["on"], error.details["open_findings"]) == ("2020-06-20", 3)
    assert sorted(error.details["open_finding_ids"]) == ["f1", "f2", "f3"]
    world.record("UnitDelisted", {"unit_id": "t1"}, "2020-06-26", INSPECTOR)
    world.project()
    assert world.views.unit("t1", Cut(valid_at=date(2020, 6, 27)))["listed"] is False


def _exit_under_way(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1", size=2)
    world.visit("i1", "h1", "2020-06-01", checks=ALL_MET, income={"wage": 9000})
    for type_, data, day in (
        ("ExitAppraised", {"votes_for": 30, "votes_total": 35}, "2020-07-01"),
        ("ExitVerified", {"passed": True, "note": "checked"}, "2020-07-05"),
        ("ExitAcknowledged", {}, "2020-07-06"),
        ("ExitPublicized", {"from": "2020-07-07", "to": "2020-07-14"}, "2020-07-07"),
    ):
        world.record(type_, {"household_id": "h1", "year": 2020, **data}, day, CADRE)


def test_household_exited_is_refused_with_a_finding_raised_after_the_verification(
    world: World,
) -> None:
    """Why: the exit went through while a finding raised after the verification was open."""
    _exit_under_way(world)
    world.finding("f9", due="2020-08-31", on="2020-07-10")
    error = _refused(world, Conflict, "HouseholdExited", {"household_id": "h1", "year": 2020},
                     "2020-07-15", CADRE)
    assert error.details["reasons"] == [{
        "condition": "open_findings", "finding_ids": ["f9"],
        "message": "1 finding(s) open on the household"}]
    world.record("FindingWithdrawn", {"finding_id": "f9", "reason": "wrong household"},
                 "2020-07-20", INSPECTOR)
    world.record("HouseholdExited", {"household_id": "h1", "year": 2020}, "2020-07-21", CADRE)


def test_an_appraisal_of_5_in_35_ends_the_attempt_and_2027_in_july_2020_is_refused(
    world: World,
) -> None:
    """Why: an exit went through after an appraisal of 5 votes in 35, for year 2027."""
    world.village(), world.household("h1", size=2)
    year = _refused(world, Invalid, "ExitAppraised",
                    {"household_id": "h1", "year": 2027, "votes_for": 30, "votes_total": 35},
                    "2020-07-01", CADRE)
    assert year.details["field"] == "year"
    appraisal = world.record("ExitAppraised", {"household_id": "h1", "year": 2020,
                                               "votes_for": 5, "votes_total": 35},
                             "2020-07-01", CADRE)
    assert appraisal.data["majority_reached"] is False
    world.project()
    exit_ = world.views.household("h1")["exit"]
    assert (exit_["outcome"], exit_["next_step"]) == ("ended", "ExitAppraised")
    world.record("RuleParameterSet", {"parameter": "exit_appraisal_majority", "value": 0.1})
    passed = world.record("ExitAppraised", {"household_id": "h1", "year": 2020,
                                            "votes_for": 5, "votes_total": 35},
                          "2020-07-02", CADRE)
    assert "majority_reached" not in passed.data


def test_each_step_dated_before_the_step_it_follows_is_out_of_order(world: World) -> None:
    """One refusal per procedure through the ledger: each names the other event and records
    nothing."""
    _exit_under_way(world)
    raised = world.finding("f1", due="2020-08-31", on="2020-07-01")
    for type_, data in (
        ("RectificationReported", {"finding_id": "f1", "description": "done"}),
        ("DeadlineExtended", {"finding_id": "f1", "new_due_date": "2020-09-30",
                              "reason": "rain"}),
        ("FindingTransferred", {"finding_id": "f1", "to_unit_id": "v1", "reason": "r"}),
    ):
        actor = CADRE if type_ == "RectificationReported" else INSPECTOR
        error = _refused(world, OutOfOrder, type_, data, "2020-06-30", actor)
        assert error.details["event_id"] == raised.event_id, type_
    world.record("RectificationReported", {"finding_id": "f1", "description": "done"},
                 "2020-07-10", CADRE)
    rejected = world.record("RectificationVerified",
                            {"finding_id": "f1", "accepted": False, "note": "no"},
                            "2020-07-12", INSPECTOR)
    again = _refused(world, OutOfOrder, "RectificationReported",
                     {"finding_id": "f1", "description": "again"}, "2020-07-11", CADRE)
    assert again.details["event_id"] == rejected.event_id

    objection = world.record("ExitObjectionRaised", {"household_id": "h1", "year": 2020,
                                                     "note": "income"}, "2020-07-10", CADRE)
    settled = _refused(world, OutOfOrder, "ExitObjectionSettled",
                       {"household_id": "h1", "year": 2020, "upheld": False, "note": "n"},
                       "2020-07-09", CADRE)
    assert settled.details["event_id"] == objection.event_id

    compared = world.record("SystemRecordCompared", {
        "household_id": "h1", "source": "national_system", "as_of_date": "2020-07-01",
        "record": {"size": 5}}, "2020-07-20", INSPECTOR)
    [mismatch] = compared.consequences
    resolved = _refused(world, OutOfOrder, "MismatchResolved", {
        "household_id": "h1", "mismatch_event_id": mismatch.event_id,
        "resolution": "explained", "note": "n"}, "2020-07-19", INSPECTOR)
    assert resolved.details["event_id"] == mismatch.event_id


def test_a_back_dated_second_completion_is_out_of_order_naming_the_first(world: World
                                                                          ) -> None:
    world.village(), world.household()
    world.record("HelpPlanRecorded", {"household_id": "h1", "year": 2020,
                                      "causes": ["illness"], "measures": [
                                          {"measure_id": "m1", "kind": "health",
                                           "description": "clinic", "due_date": "2020-06-30"}]},
                 "2020-03-01", CADRE)
    done = world.record("MeasureCompleted", {"household_id": "h1", "measure_id": "m1",
                                             "note": "done"}, "2020-05-01", CADRE)
    error = _refused(world, OutOfOrder, "MeasureCompleted",
                     {"household_id": "h1", "measure_id": "m1", "note": "earlier"},
                     "2020-04-01", CADRE)
    assert (error.details["event_id"], error.details["occurred_at"]) == (
        done.event_id, done.occurred_at.isoformat())
