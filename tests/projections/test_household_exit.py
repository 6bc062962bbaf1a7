"""The exit procedure (贫困户退出), on SQLite and PostgreSQL: each step in order and out of
order, each refusal with its reasons and the log unchanged, the status and its replay."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from api.errors import STATUS_OF
from ledger.application import Command, LoggedEvent
from ledger.errors import Conflict, Invalid, InvalidTransition, LedgerError, OutOfOrder
from ledger.identity import Actor
from projections.replay import Cut
from tests.projections.conftest import ADMIN, DISCIPLINE, INSPECTOR, World, at

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}
CADRE = Actor("cadre-wang", "cadre", "v1")
# The error codes of CONTRACT.md and the README, by the refusal that answers them.
CODES = {InvalidTransition: "invalid_transition", Conflict: "conflict", Invalid: "invalid",
         OutOfOrder: "out_of_order"}
STEPS: list[tuple[str, dict[str, Any], str]] = [
    ("ExitAppraised", {"votes_for": 30, "votes_total": 35}, "2020-07-01"),
    ("ExitVerified", {"passed": True, "note": "checked"}, "2020-07-05"),
    ("ExitAcknowledged", {}, "2020-07-06"),
    ("ExitPublicized", {"from": "2020-07-07", "to": "2020-07-14"}, "2020-07-07"),
    ("HouseholdExited", {}, "2020-07-15"),
]


def _poor_household_meeting_the_standard(world: World, h: str = "h1") -> None:
    world.household(h, size=2)
    world.visit(f"{h}-june", h, "2020-06-01", checks=ALL_MET, income={"wage": 9000})


def _step(world: World, type_: str, day: str, h: str = "h1", actor: Actor = CADRE,
          **data: Any) -> LoggedEvent:
    return world.record(type_, {"household_id": h, "year": 2020, **data}, day, actor)


def _steps(world: World, upto: str, h: str = "h1") -> dict[str, LoggedEvent]:
    """Record the steps before `upto` (all of them: upto="")."""
    done = {}
    for type_, data, day in STEPS:
        if type_ == upto:
            break
        done[type_] = _step(world, type_, day, h, **data)
    return done


def _refused(world: World, error: type[LedgerError], type_: str, data: dict[str, Any],
             day: str, actor: Actor = CADRE, status: int = 409) -> LedgerError:
    """The write is refused with `error`, answered over HTTP with `status`, and the log
    gained nothing."""
    before = world.ledger.read_log(0, 10_000)
    with pytest.raises(error) as caught:
        world.ledger.record(actor, [Command(type_, data, at(day))])
    assert type(caught.value) is error
    assert caught.value.code == CODES[error]
    assert next(s for cls, s in STATUS_OF if isinstance(caught.value, cls)) == status
    assert world.ledger.read_log(0, 10_000) == before
    return caught.value


@pytest.fixture
def village(world: World) -> World:
    world.village(), world.person("p1")
    return world


def test_an_exit_in_order_shows_each_step_and_replays_by_valid_at_and_as_of(
    village: World,
) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    nexts = []
    done: dict[str, LoggedEvent] = {}
    for type_, data, day in STEPS:
        done[type_] = _step(world, type_, day, **data)
        world.project()
        nexts.append(world.views.household("h1")["exit"]["next_step"])
    assert nexts == ["ExitVerified", "ExitAcknowledged", "ExitPublicized", "HouseholdExited",
                     None]

    status = world.views.household("h1")
    assert (status["category"], status["poverty_status"], status["exit_year"]) == (
        "exited", "exited", 2020)
    assert status["exit"]["outcome"] == "exited"
    assert [(s["type"], s["event_id"], s["on"]) for s in status["exit"]["steps"]] == [
        (type_, done[type_].event_id, day) for type_, _, day in STEPS]
    assert status["exit"]["notice"] == {"from": "2020-07-07", "to": "2020-07-14"}
    assert status["exit_class"] is None  # only registered poor households are classed

    during_notice = world.views.household("h1", Cut(valid_at=date(2020, 7, 10)))
    assert (during_notice["poverty_status"], during_notice["category"]) == (
        "registered_poor", "registered_poor")
    assert during_notice["exit"]["next_step"] == "HouseholdExited"
    assert during_notice["exit_class"] == "A"
    before_exit = world.views.household(
        "h1", Cut(as_of=done["ExitPublicized"].recorded_at))
    assert before_exit["poverty_status"] == "registered_poor"
    assert [s["type"] for s in before_exit["exit"]["steps"]][-1] == "ExitPublicized"
    before_any = world.views.household("h1", Cut(valid_at=date(2020, 6, 30)))
    assert before_any["exit"] is None and before_any["poverty_status"] == "registered_poor"


@pytest.mark.parametrize("missing", [t for t, _, _ in STEPS[:-1]])
def test_a_step_out_of_order_is_refused_naming_the_missing_step(
    village: World, missing: str
) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    _steps(world, missing)
    following = [t for t, _, _ in STEPS][[t for t, _, _ in STEPS].index(missing) + 1]
    data = {"household_id": "h1", "year": 2020,
            **next(d for t, d, _ in STEPS if t == following)}
    error = _refused(world, InvalidTransition, following, data, "2020-07-20")
    assert error.code == "invalid_transition"
    assert error.details["missing_step"] == missing
    assert error.details["step"] == following


def test_objections_are_refused_out_of_their_place(village: World) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    _steps(world, "ExitPublicized")
    objection = {"household_id": "h1", "year": 2020, "note": "income overstated"}
    early = _refused(world, InvalidTransition, "ExitObjectionRaised", objection, "2020-07-06")
    assert early.details["missing_step"] == "ExitPublicized"
    settle = {"household_id": "h1", "year": 2020, "upheld": False, "note": "n"}
    _step(world, "ExitPublicized", "2020-07-07", **STEPS[3][1])
    nothing = _refused(world, InvalidTransition, "ExitObjectionSettled", settle, "2020-07-08")
    assert nothing.details["missing_step"] == "ExitObjectionRaised"
    late = _refused(world, InvalidTransition, "ExitObjectionRaised", objection, "2020-07-15")
    assert late.details["notice"] == ["2020-07-07", "2020-07-14"]

    _step(world, "ExitObjectionRaised", "2020-07-09", note="income overstated")
    halted = _refused(world, InvalidTransition, "HouseholdExited",
                      {"household_id": "h1", "year": 2020}, "2020-07-15")
    assert halted.details["missing_step"] == "ExitObjectionSettled"
    _step(world, "ExitObjectionSettled", "2020-07-12", upheld=False, note="income checked")
    too_soon = _refused(world, InvalidTransition, "HouseholdExited",
                        {"household_id": "h1", "year": 2020}, "2020-07-14")
    assert too_soon.details["notice"] == ["2020-07-07", "2020-07-14"]
    _step(world, "HouseholdExited", "2020-07-15")
    world.project()
    status = world.views.household("h1")
    assert status["poverty_status"] == "exited"
    assert [s["type"] for s in status["exit"]["steps"]] == [
        "ExitAppraised", "ExitVerified", "ExitAcknowledged", "ExitPublicized",
        "ExitObjectionRaised", "ExitObjectionSettled", "HouseholdExited"]


def test_an_upheld_objection_or_a_failed_verification_ends_the_attempt(
    village: World,
) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    _step(world, "ExitAppraised", "2020-06-20", **STEPS[0][1])
    _step(world, "ExitVerified", "2020-06-21", passed=False, note="income unstable")
    world.project()
    assert world.views.household("h1")["exit"]["outcome"] == "ended"
    assert world.views.household("h1")["exit"]["next_step"] == "ExitAppraised"

    # A new attempt starts at appraisal, never dated inside the failed one.
    inside = _refused(world, OutOfOrder, "ExitAppraised",
                      {"household_id": "h1", "year": 2020, **STEPS[0][1]}, "2020-06-20")
    assert inside.details["occurred_at"].startswith("2020-06-21")
    _steps(world, "HouseholdExited")
    _step(world, "ExitObjectionRaised", "2020-07-08", note="the son's wage is seasonal")
    _step(world, "ExitObjectionSettled", "2020-07-10", upheld=True, note="upheld")
    world.project()
    status = world.views.household("h1")
    assert (status["exit"]["outcome"], status["exit"]["next_step"]) == ("ended", "ExitAppraised")
    assert status["poverty_status"] == "registered_poor"
    error = _refused(world, InvalidTransition, "HouseholdExited",
                     {"household_id": "h1", "year": 2020}, "2020-07-20")
    assert error.details["missing_step"] == "ExitAppraised"


def test_a_step_may_not_go_back_in_time_or_change_year(village: World) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    appraised = _steps(world, "ExitVerified")["ExitAppraised"]
    back = _refused(world, OutOfOrder, "ExitVerified",
                    {"household_id": "h1", "year": 2020, "passed": True, "note": "n"},
                    "2020-06-30")
    assert (back.details["event_id"], back.details["occurred_at"]) == (
        appraised.event_id, appraised.occurred_at.isoformat())
    other_year = _refused(world, InvalidTransition, "ExitVerified",
                          {"household_id": "h1", "year": 2019, "passed": True, "note": "n"},
                          "2020-07-05")
    assert (other_year.details["field"], other_year.details["year"]) == ("year", 2020)
    twice = _refused(world, InvalidTransition, "ExitAppraised",
                     {"household_id": "h1", "year": 2020, "votes_for": 1, "votes_total": 2},
                     "2020-07-05")
    assert twice.details["missing_step"] == "ExitVerified"


def test_verification_is_refused_naming_every_unmet_condition(village: World) -> None:
    world = village
    world.household("h1", size=2)
    world.visit("i1", "h1", "2020-06-01", income={"wage": 7000},
                checks={**{n: "met" for n in ("food", "clothing", "education", "medical")},
                        "water": "unmet"})
    world.finding("f1", on="2020-06-02", due="2020-09-30")
    _step(world, "ExitAppraised", "2020-07-01", **STEPS[0][1])
    error = _refused(world, Conflict, "ExitVerified",
                     {"household_id": "h1", "year": 2020, "passed": True, "note": "n"},
                     "2020-07-05")
    assert error.code == "conflict"
    reasons = {(r["condition"], r.get("guarantee")): r for r in error.details["reasons"]}
    assert set(reasons) == {("income", None), ("guarantee", "water"),
                            ("guarantee", "housing"), ("open_findings", None)}
    assert reasons[("income", None)]["per_capita"] == 3500
    assert reasons[("income", None)]["line_value"] == 3700
    assert reasons[("guarantee", "water")]["value"] == "unmet"
    assert reasons[("guarantee", "housing")]["value"] == "unknown"
    assert reasons[("open_findings", None)]["finding_ids"] == ["f1"]

    # The rule in force for the year decides: a lower standard leaves the income met.
    world.record("RuleParameterSet", {"parameter": "income_standard", "value": 3400,
                                      "year": 2020})
    error = _refused(world, Conflict, "ExitVerified",
                     {"household_id": "h1", "year": 2020, "passed": True, "note": "n"},
                     "2020-07-05")
    assert "income" not in {r["condition"] for r in error.details["reasons"]}


def test_verification_is_decided_on_the_world_on_its_date_whatever_the_order_of_entry(
    village: World,
) -> None:
    world = village
    _poor_household_meeting_the_standard(world)  # visit of 1 June: all met
    # Typed in later: a phone check of 15 April (unmet) changes nothing on 5 July ...
    world.record("InspectionRecorded", {
        "inspection_id": "i-april", "subject_type": "household", "subject_id": "h1",
        "method": "phone", "inspector_ids": ["p1"], "checks": {"water": "unmet"},
        "income": {"wage": 1000}}, "2020-04-15", INSPECTOR)
    # ... nor does a check of 20 July, after the verification's date, nor a finding raised then.
    world.record("InspectionRecorded", {
        "inspection_id": "i-july", "subject_type": "household", "subject_id": "h1",
        "method": "visit", "inspector_ids": ["p1"], "checks": {"housing": "unmet"}},
        "2020-07-20", INSPECTOR)
    world.finding("f-late", on="2020-07-20", due="2020-09-30")
    _step(world, "ExitAppraised", "2020-07-01", **STEPS[0][1])
    verified = _step(world, "ExitVerified", "2020-07-05", **STEPS[1][1])
    assert verified.type == "ExitVerified"


def test_the_notice_must_run_exit_notice_days(village: World) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    _steps(world, "ExitPublicized")
    short = {"household_id": "h1", "year": 2020, "from": "2020-07-07", "to": "2020-07-13"}
    error = _refused(world, Conflict, "ExitPublicized", short, "2020-07-07")
    assert (error.details["days"], error.details["exit_notice_days"]) == (6, 7)
    assert error.details["reasons"][0]["condition"] == "notice_period"
    backwards = _refused(world, Conflict, "ExitPublicized",
                         {**short, "from": "2020-07-14", "to": "2020-07-07"}, "2020-07-07")
    assert backwards.details["days"] == -7
    world.record("RuleParameterSet", {"parameter": "exit_notice_days", "value": 10})
    week = {**short, "to": "2020-07-14"}
    error = _refused(world, Conflict, "ExitPublicized", week, "2020-07-07")
    assert error.details["exit_notice_days"] == 10
    _step(world, "ExitPublicized", "2020-07-07", **{"from": "2020-07-07", "to": "2020-07-17"})


def test_only_a_registered_poor_household_enters(village: World) -> None:
    world = village
    world.household("h-edge", category="edge")
    data = {"household_id": "h-edge", "year": 2020, "votes_for": 9, "votes_total": 10}
    error = _refused(world, InvalidTransition, "ExitAppraised", data, "2020-07-01")
    assert error.details["category"] == "edge"
    # Nor a household registered poor only after the appraisal's date.
    world.record("HouseholdRegistered", {"household_id": "h-late", "village_id": "v1",
                                         "head_name": "Li", "size": 2,
                                         "category": "registered_poor"}, "2020-08-01")
    error = _refused(world, InvalidTransition, "ExitAppraised",
                     {**data, "household_id": "h-late"}, "2020-07-01")
    assert error.details["category"] is None


def test_facts_cannot_move_category_around_the_procedure(village: World) -> None:
    world = village
    world.household("h1"), world.household("h-edge", category="edge")
    for household, category in (("h1", "edge"), ("h1", "exited"), ("h-edge", "registered_poor"),
                                ("h-edge", "exited")):
        error = _refused(world, Conflict, "HouseholdFactsRecorded",
                         {"household_id": household, "category": category}, "2020-05-01",
                         ADMIN)
        assert (error.details["field"], error.details["category"]) == ("category", category)
    world.record("HouseholdFactsRecorded", {"household_id": "h-edge", "category": "monitored"},
                 "2020-05-01")
    world.project()
    assert world.views.household("h-edge")["category"] == "monitored"


def test_a_household_that_exited_before_the_ledger_began_is_registered_exited(
    village: World,
) -> None:
    world = village
    registration = {"household_id": "h-old", "village_id": "v1", "head_name": "Li",
                    "size": 3, "category": "exited"}
    missing = _refused(world, Invalid, "HouseholdRegistered", registration, "2020-01-02", ADMIN,
                       status=422)
    assert (missing.code, missing.details["field"]) == ("invalid", "exit_year")
    world.record("HouseholdRegistered", {**registration, "exit_year": 2018}, "2020-01-02")
    world.project()
    status = world.views.household("h-old")
    assert (status["poverty_status"], status["exit_year"], status["exit"]) == ("exited", 2018,
                                                                               None)
    error = _refused(world, InvalidTransition, "ExitAppraised",
                     {"household_id": "h-old", "year": 2020, "votes_for": 9,
                      "votes_total": 10}, "2020-07-01")
    assert error.details["category"] == "exited"


def test_a_dispute_overturning_an_exit_makes_the_ledger_annul_it(village: World) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    exited = _steps(world, "")["HouseholdExited"]
    world.record("DisputeOpened", {"dispute_id": "d1", "contested_event_id": exited.event_id,
                                   "grounds": "the income was a one-off subsidy"},
                 "2020-09-01", DISCIPLINE)
    resolved = world.record("DisputeResolved", {"dispute_id": "d1", "outcome": "overturned",
                                                "note": "数字脱贫"}, "2020-09-10", DISCIPLINE)
    [annulled] = resolved.consequences
    assert (annulled.type, annulled.actor) == ("ExitAnnulled", "system")
    assert annulled.data == {"household_id": "h1", "year": 2020,
                             "exited_event_id": exited.event_id,
                             "reason": "overturned by dispute d1",
                             "decided_by": exited.actor}
    world.project()
    status = world.views.household("h1")
    assert (status["poverty_status"], status["exit_year"]) == ("registered_poor", None)
    assert status["exit"]["outcome"] == "annulled"
    assert status["exit"]["next_step"] == "ExitAppraised"
    assert world.views.household("h1", Cut(as_of=annulled.recorded_at))["poverty_status"] == \
        "registered_poor"
    assert world.views.household("h1", Cut(valid_at=date(2020, 8, 1)))["poverty_status"] == \
        "exited"
    assert world.views.household("h1", Cut(as_of=exited.recorded_at))["poverty_status"] == \
        "exited"
    history = [e["type"] for e in world.views.household_history("h1")]
    assert history.count("HouseholdExited") == 1 and history[-1] == "ExitAnnulled"
    # Registered poor again, it may go through the procedure anew.
    appraised = _step(world, "ExitAppraised", "2020-10-01", **STEPS[0][1])
    assert appraised.type == "ExitAppraised"


def test_a_finding_closed_after_the_verification_date_was_open_on_it(village: World) -> None:
    world = village
    _poor_household_meeting_the_standard(world)
    world.finding("f1", on="2020-06-10", due="2020-09-30")
    world.record("RectificationReported", {"finding_id": "f1", "description": "roof fixed"},
                 "2020-07-08")
    world.record("RectificationVerified", {"finding_id": "f1", "accepted": True, "note": "dry"},
                 "2020-07-10", INSPECTOR)
    _step(world, "ExitAppraised", "2020-07-01", **STEPS[0][1])
    verification = {"household_id": "h1", "year": 2020, "passed": True, "note": "n"}
    error = _refused(world, Conflict, "ExitVerified", verification, "2020-07-05")
    assert error.details["reasons"] == [{
        "condition": "open_findings", "finding_ids": ["f1"],
        "message": "1 finding(s) open on the household"}]
    assert _step(world, "ExitVerified", "2020-07-10", **STEPS[1][1]).type == "ExitVerified"
