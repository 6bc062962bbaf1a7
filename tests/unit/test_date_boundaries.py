"""Every date rule, tested on the day itself and on the day either side.

Business dates are China Standard Time. The rules, as the README and CONTRACT.md state them:
a finding is overdue from the day after its due date; it "went overdue" when closed after its
due date; an assignment holds from `effective_from` up to but not including `effective_to`; a
helper cadre's lapse is a stretch longer than the visit period; a headed unit's warning counts
when issued on a day the person held the unit; an interview held on or after the day it became
due answers it; a review period and the income standard in force follow the date judged on; a
deadline moves only forward; an assignment may end on the day it began, never before.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from ledger.domain.base import recording
from ledger.domain.registry import Household
from ledger.domain.supervision import Finding
from ledger.errors import Conflict, Invalid
from projections import findings, households, people, responsibility, rulebook, units
from projections.events import Event, business_date
from projections.lapses import finding_lapse
from projections.replay import Cut

CST = timezone(timedelta(hours=8))
DUE = "2020-03-31"


def _event(type_: str, data: dict[str, Any], day: str, actor: str = "county-admin") -> Event:
    moment = datetime.fromisoformat(f"{day}T10:00+08:00")
    return Event(position=1, event_id=f"e-{type_}-{day}", type=type_, actor=actor,
                 occurred_at=moment, recorded_at=moment, data=data, occurred_on=day,
                 recorded_us=0)


def _finding(due: str = DUE) -> dict[str, Any]:
    state = findings.apply(None, _event("FindingRaised", {
        "finding_id": "f1", "subject_type": "household", "subject_id": "h1",
        "category": "housing", "description": "roof leaks", "responsible_unit_id": "v1",
        "due_date": due, "responsible_person_id": "p1"}, "2020-03-01"))
    assert state is not None
    return state


def _closed_on(day: str) -> dict[str, Any]:
    state = _finding()
    for type_, data in (("RectificationReported", {"finding_id": "f1", "description": "done"}),
                        ("RectificationVerified", {"finding_id": "f1", "accepted": True,
                                                   "note": "seen"})):
        state = findings.apply(state, _event(type_, data, day))
    return state


# Findings: overdue from the day after the due date ----------------------------------------
@pytest.mark.parametrize("on, overdue", [("2020-03-30", False), (DUE, False),
                                         ("2020-04-01", True)])
def test_an_open_finding_is_overdue_only_after_its_due_date(on: str, overdue: bool) -> None:
    state = _finding()
    assert findings.is_overdue(state, on) is overdue
    assert findings.summary(state, on)["overdue"] is overdue


@pytest.mark.parametrize("on, overdue", [(DUE, False), ("2020-04-01", True)])
def test_a_finding_with_a_rectification_reported_still_goes_overdue(on: str,
                                                                    overdue: bool) -> None:
    state = findings.apply(_finding(), _event(
        "RectificationReported", {"finding_id": "f1", "description": "done"}, "2020-03-20"))
    assert findings.is_overdue(state, on) is overdue


@pytest.mark.parametrize("due", ["2020-03-30", DUE])
def test_an_extended_deadline_is_judged_on_the_new_due_date(due: str) -> None:
    state = findings.apply(_finding(due), _event(
        "DeadlineExtended", {"finding_id": "f1", "new_due_date": "2020-04-30",
                             "reason": "flood"}, "2020-03-25"))
    assert not findings.is_overdue(state, "2020-04-30")
    assert findings.is_overdue(state, "2020-05-01")


@pytest.mark.parametrize("closed, went", [("2020-03-30", False), (DUE, False),
                                          ("2020-04-01", True)])
def test_a_finding_closed_after_its_due_date_went_overdue(closed: str, went: bool) -> None:
    state = _closed_on(closed)
    assert not findings.is_overdue(state, "2020-12-31")  # closed findings are never overdue
    lapse = finding_lapse(state, "2020-12-31")
    assert (lapse["overdue_on"] is not None, lapse["closed_late"]) == (went, went)


@pytest.mark.parametrize("on, overdue", [(DUE, False), ("2020-04-01", True)])
def test_household_and_unit_views_count_overdue_from_the_day_after(on: str,
                                                                   overdue: bool) -> None:
    finding = _finding()
    household = households.apply(None, _event("HouseholdRegistered", {
        "household_id": "h1", "village_id": "v1", "head_name": "Li", "size": 4,
        "category": "registered_poor"}, "2020-01-02"))
    unit = units.apply(None, _event("UnitRegistered", {"unit_id": "v1", "name": "V",
                                                       "kind": "village"}, "2020-01-01"))
    expected = ["f1"] if overdue else []
    assert households.render(household, [finding], None, on)["overdue_findings"] == expected
    assert units.render(unit, [finding], None, on)["findings"]["overdue"] == expected


# Responsibility: from effective_from up to, not including, effective_to ------------------
@pytest.mark.parametrize("on, holds", [("2020-01-31", False), ("2020-02-01", True),
                                       ("2020-04-30", True), ("2020-05-01", False)])
def test_an_assignment_holds_from_its_first_day_up_to_its_end_day(on: str, holds: bool) -> None:
    held: list[dict[str, Any]] = []
    base = {"person_id": "p1", "role": "helper_cadre", "subject_type": "household",
            "subject_id": "h1"}
    responsibility.apply(held, _event("ResponsibilityAssigned",
                                      {**base, "effective_from": "2020-02-01"}, "2020-02-01"))
    responsibility.apply(held, _event("ResponsibilityEnded",
                                      {**base, "effective_to": "2020-05-01"}, "2020-05-01"))
    names = [r["person_id"] for r in responsibility.responsible_on(held, on)]
    assert names == (["p1"] if holds else [])


# Visits: a lapse is a stretch longer than the visit period (31 days by default) -----------
def _helper(assigned: str = "2020-01-01") -> dict[str, Any]:
    state = people.apply(None, _event("PersonRegistered", {"person_id": "p1", "name": "Wang",
                                                           "unit_id": "v1"}, "2020-01-01"), "p1")
    return people.apply(state, _event("ResponsibilityAssigned", {
        "person_id": "p1", "role": "helper_cadre", "subject_type": "household",
        "subject_id": "h1", "effective_from": assigned}, assigned), "p1")


@pytest.mark.parametrize("visit, lapse", [("2020-02-01", False), ("2020-02-02", True)])
def test_a_visit_exactly_one_visit_period_after_the_last_is_no_lapse(visit: str,
                                                                      lapse: bool) -> None:
    visited = {"h1": {"visits": [[visit, "e-visit", ["p1"]]]}}
    lapses = people.unvisited(_helper(), visited, None, visit)
    assert [(x["from"], x["until"], x["days"]) for x in lapses] == (
        [("2020-01-01", visit, 32)] if lapse else [])


@pytest.mark.parametrize("on, lapse", [("2020-02-01", False), ("2020-02-02", True)])
def test_an_unvisited_stretch_up_to_the_date_judged_on_counts_the_same_way(on: str,
                                                                           lapse: bool) -> None:
    lapses = people.unvisited(_helper(), {"h1": {"visits": []}}, None, on)
    assert bool(lapses) is lapse
    assert all(not x["visited_at_end"] for x in lapses)


def test_an_assignment_starting_after_the_date_judged_on_has_no_lapse_yet() -> None:
    assert people.unvisited(_helper("2020-03-01"), {"h1": {"visits": []}}, None,
                            "2020-02-29") == []


# Warnings of headed units: issued on a day the person held the unit, by the date judged on --
def _headed_warnings(issued: str, on: str) -> list[str]:
    base = {"person_id": "p1", "role": "village_secretary", "subject_type": "unit",
            "subject_id": "v1"}
    person = people.apply(None, _event("PersonRegistered", {"person_id": "p1", "name": "Wang",
                                                            "unit_id": "v1"}, "2020-01-01"), "p1")
    unit = units.apply(None, _event("UnitRegistered", {"unit_id": "v1", "name": "V",
                                                       "kind": "village"}, "2020-01-01"))
    for type_, data, day in (
        ("ResponsibilityAssigned", {**base, "effective_from": "2020-02-01"}, "2020-02-01"),
        ("ResponsibilityEnded", {**base, "effective_to": "2020-05-01"}, "2020-05-01"),
    ):
        person = people.apply(person, _event(type_, data, day), "p1")
    unit = units.apply(unit, _event("WarningIssued", {
        "warning_id": "w1", "unit_id": "v1", "color": "yellow", "period": "2020-Q1",
        "reason": "visits not done"}, issued))
    trail = people.render(person, [], {"v1": unit}, {}, None, on)
    return [w["warning_id"] for w in trail["warnings_of_units_headed"]]


@pytest.mark.parametrize("issued, counted", [("2020-01-31", False), ("2020-02-01", True),
                                             ("2020-04-30", True), ("2020-05-01", False)])
def test_a_warning_counts_for_whoever_held_the_unit_on_the_day_it_was_issued(
    issued: str, counted: bool
) -> None:
    assert _headed_warnings(issued, "2020-12-31") == (["w1"] if counted else [])


@pytest.mark.parametrize("on, counted", [("2020-03-09", False), ("2020-03-10", True)])
def test_a_warning_counts_from_the_day_it_was_issued(on: str, counted: bool) -> None:
    assert _headed_warnings("2020-03-10", on) == (["w1"] if counted else [])


# Interviews: one held on or after the day it became due answers it ------------------------
@pytest.mark.parametrize("held, status", [("2020-07-09", "due"), ("2020-07-10", "held")])
def test_an_interview_held_on_the_day_it_became_due_answers_it(held: str, status: str) -> None:
    unit = units.apply(None, _event("UnitRegistered", {"unit_id": "v1", "name": "V",
                                                       "kind": "village"}, "2020-01-01"))
    unit = units.apply(unit, _event("InterviewRequired", {
        "unit_id": "v1", "person_id": "p1", "warning_ids": ["w1", "w2"],
        "periods": ["2020-Q1", "2020-Q2"]}, "2020-07-10", actor="system"))
    unit = units.apply(unit, _event("InterviewHeld", {"unit_id": "v1", "person_id": "p1",
                                                      "note": "talked"}, held))
    assert [i["status"] for i in units.interviews(unit)] == [status]


# Business days, review periods and the rules in force ------------------------------------
@pytest.mark.parametrize("moment, day", [
    ("2020-03-31T23:59:59+08:00", "2020-03-31"),
    ("2020-03-31T15:59:59+00:00", "2020-03-31"),
    ("2020-03-31T16:00:00+00:00", "2020-04-01"),
])
def test_a_business_day_is_the_date_in_china_standard_time(moment: str, day: str) -> None:
    assert business_date(datetime.fromisoformat(moment)) == day
    assert Cut(as_of=datetime.fromisoformat(moment)).on() == day


def test_valid_at_is_judged_on_that_very_day() -> None:
    assert Cut(valid_at=date(2020, 3, 31)).on() == "2020-03-31"
    assert Cut().on(datetime(2020, 3, 31, 16, 0, tzinfo=UTC)) == "2020-04-01"


@pytest.mark.parametrize("months, on, period", [
    (3, "2020-03-31", "2020-Q1"), (3, "2020-04-01", "2020-Q2"),
    (3, "2020-12-31", "2020-Q4"), (3, "2021-01-01", "2021-Q1"),
    (1, "2020-01-31", "2020-01"), (1, "2020-02-01", "2020-02"),
])
def test_the_review_period_changes_on_its_first_day(months: int, on: str, period: str) -> None:
    rules = rulebook.apply(None, _event("RuleParameterSet", {
        "parameter": "review_period_months", "value": months}, "2019-01-01"))
    assert rulebook.review_period(rules, on) == period


@pytest.mark.parametrize("on, meets", [("2020-12-31", True), ("2021-01-01", False)])
def test_the_income_standard_in_force_is_the_one_for_the_year_of_the_date(on: str,
                                                                         meets: bool) -> None:
    rules = rulebook.apply(None, _event("RuleParameterSet", {
        "parameter": "income_standard", "value": 4000, "year": 2021}, "2020-06-01"))
    state = households.apply(None, _event("HouseholdRegistered", {
        "household_id": "h1", "village_id": "v1", "head_name": "Li", "size": 1,
        "category": "registered_poor"}, "2020-01-02"))
    state = households.apply(state, _event("HouseholdFactsRecorded", {
        "household_id": "h1", "income": {"wage": 3800}}, "2020-06-01"))
    assert households.render(state, [], rules, on)["income"]["meets_standard"] is meets


@pytest.mark.parametrize("per_capita, meets, below_edge", [
    (3699.99, False, True), (3700, True, True), (4999.99, True, True), (5000, True, False),
])
def test_income_on_the_line_itself_meets_the_standard_and_is_not_below_the_edge(
    per_capita: float, meets: bool, below_edge: bool
) -> None:
    state = households.apply(None, _event("HouseholdRegistered", {
        "household_id": "h1", "village_id": "v1", "head_name": "Li", "size": 1,
        "category": "registered_poor"}, "2020-01-02"))
    state = households.apply(state, _event("HouseholdFactsRecorded", {
        "household_id": "h1", "income": {"wage": per_capita}}, "2020-06-01"))
    income = households.render(state, [], None, "2020-06-30")["income"]
    assert (income["meets_standard"], income["below_edge_line"]) == (meets, below_edge)


# Domain guards on dates -------------------------------------------------------------------
@pytest.fixture
def _recording() -> Iterator[None]:
    with recording("county-admin"):
        yield


@pytest.mark.usefixtures("_recording")
@pytest.mark.parametrize("new_due, allowed", [(DUE, False), ("2020-04-01", True)])
def test_a_deadline_moves_at_least_one_day_forward(new_due: str, allowed: bool) -> None:
    finding = Finding(finding_id="f1", subject_type="household", subject_id="h1",
                      category="housing", description="roof", responsible_unit_id="v1",
                      due_date=DUE)
    if allowed:
        finding.extend_deadline(new_due, "flood", None)
        assert finding.due_date == new_due
    else:
        with pytest.raises(Conflict):
            finding.extend_deadline(new_due, "flood", None)
        assert finding.due_date == DUE


@pytest.mark.usefixtures("_recording")
@pytest.mark.parametrize("end, allowed", [("2020-02-29", False), ("2020-03-01", True)])
def test_an_assignment_ends_on_its_first_day_at_the_earliest(end: str, allowed: bool) -> None:
    household = Household(household_id="h1", village_id="v1", head_name="Li", size=4,
                          category="registered_poor")
    household.assign("p1", "helper_cadre", "2020-03-01")
    if allowed:
        household.end_assignment("p1", "helper_cadre", end)
        assert household.responsible == {"helper_cadre": {}}
    else:
        with pytest.raises(Invalid):
            household.end_assignment("p1", "helper_cadre", end)
        assert household.responsible == {"helper_cadre": {"p1": "2020-03-01"}}
