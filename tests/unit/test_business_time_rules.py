"""Rules judged on the event's own date (CONTRACT.md "Business-time integrity"), without a
database: each refusal names its code and the event or field at fault, and triggers nothing."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import pytest

from ledger.domain.base import Recording, recording
from ledger.domain.registry import Household
from ledger.domain.supervision import Finding
from ledger.domain.units import Unit
from ledger.errors import Conflict, Invalid, InvalidTransition, LedgerError, OutOfOrder
from tests.unit.test_snapshot_state import _round_trip

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}


def _in(day: str) -> AbstractContextManager[Recording]:
    return recording("inspector-li", datetime.fromisoformat(f"{day}T10:00+08:00"))


def _event_id(aggregate: Any, version: int) -> str:
    return f"{aggregate.id}:{version}"


def _refused(aggregate: Any, day: str, error: type[LedgerError], command: Callable[[], None]
             ) -> LedgerError:
    """`command` dated `day` is refused with exactly `error` and triggers no event."""
    pending = len(aggregate.pending_events)
    with _in(day), pytest.raises(error) as caught:
        command()
    assert type(caught.value) is error
    assert len(aggregate.pending_events) == pending
    return caught.value


def _finding() -> Finding:
    with _in("2020-03-01"):
        return Finding(finding_id="f1", subject_type="unit", subject_id="v1",
                       category="visits", description="visits not done",
                       responsible_unit_id="v1", due_date="2020-03-31")


@pytest.mark.parametrize(("name", "command"), [
    ("report", lambda f: f.report_rectification("done", [])),
    ("extend", lambda f: f.extend_deadline("2020-04-30", "flood", None)),
    ("transfer", lambda f: f.transfer("t1", None, "needs the township")),
    ("withdraw", lambda f: f.withdraw("duplicate")),
])
def test_a_step_of_a_finding_dated_before_its_raise_is_out_of_order(
    name: str, command: Callable[[Finding], None],
) -> None:
    finding = _finding()
    error = _refused(finding, "2020-02-28", OutOfOrder, lambda: command(finding))
    assert error.code == "out_of_order"
    assert error.details["event_id"] == _event_id(finding, 1)
    assert error.details["occurred_at"] == "2020-03-01T10:00:00+08:00"


def test_a_verification_dated_before_the_report_it_verifies_is_out_of_order() -> None:
    """Why: an acceptance dated 04-28 for a report dated 06-10 closed the finding on 04-28."""
    finding = _finding()
    with _in("2020-06-10"):
        finding.report_rectification("roof repaired", [])
    error = _refused(finding, "2020-04-28", OutOfOrder,
                     lambda: finding.verify_rectification(True, "checked"))
    assert (error.details["event_id"], error.details["occurred_at"]) == (
        _event_id(finding, 2), "2020-06-10T10:00:00+08:00")
    assert finding.is_open_on("2020-04-28")


def test_a_verification_dated_before_an_earlier_verification_is_out_of_order() -> None:
    """Back-dated before a rejection already recorded: it names the later event (the report
    that followed the rejection, which the new verification would precede)."""
    finding = _finding()
    with _in("2020-03-10"):
        finding.report_rectification("first try", [])
    with _in("2020-03-12"):
        finding.verify_rectification(False, "not done")
    with _in("2020-03-20"):
        finding.report_rectification("second try", [])
    error = _refused(finding, "2020-03-11", OutOfOrder,
                     lambda: finding.verify_rectification(True, "ok"))
    assert error.details["event_id"] == _event_id(finding, 4)
    report = _refused(finding, "2020-03-11", InvalidTransition,
                      lambda: finding.report_rectification("third", []))
    assert report.code == "invalid_transition"


def test_a_report_dated_before_the_last_verification_is_out_of_order() -> None:
    finding = _finding()
    with _in("2020-03-10"):
        finding.report_rectification("first try", [])
    with _in("2020-03-12"):
        finding.verify_rectification(False, "not done")
    error = _refused(finding, "2020-03-11", OutOfOrder,
                     lambda: finding.report_rectification("again", []))
    assert error.details["event_id"] == _event_id(finding, 3)


def test_marks_survive_a_snapshot() -> None:
    finding = _round_trip(_finding())
    error = _refused(finding, "2020-02-01", OutOfOrder, lambda: finding.withdraw("dup"))
    assert error.details["event_id"] == _event_id(finding, 1)


def _household(**record: Any) -> Household:
    with _in("2020-01-02"):
        household = Household(household_id="h1", village_id="v1", head_name="Li", size=2,
                              category="registered_poor")
    with _in("2020-06-01"):
        household.note_inspection("i1", ALL_MET, {"wage": 9000})
    return household


def test_a_completion_before_its_plan_or_before_a_completion_is_out_of_order() -> None:
    household = _household()
    with _in("2020-03-01"):
        household.record_help_plan(2020, ["illness"], [
            {"measure_id": "m1", "kind": "health", "description": "clinic",
             "due_date": "2020-05-31"}])
    plan = _refused(household, "2020-02-01", OutOfOrder,
                    lambda: household.complete_measure("m1", "done"))
    assert plan.details["event_id"] == _event_id(household, 3)
    with _in("2020-04-01"):
        household.complete_measure("m1", "done")
    earlier = _refused(household, "2020-03-15", OutOfOrder,
                       lambda: household.complete_measure("m1", "done before"))
    assert earlier.details["event_id"] == _event_id(household, 4)
    twice = _refused(household, "2020-04-02", InvalidTransition,
                     lambda: household.complete_measure("m1", "done again"))
    assert twice.details["measure_id"] == "m1"


def test_a_mismatch_resolved_before_it_was_found_is_out_of_order() -> None:
    household = _household()
    with _in("2020-07-01"):
        household.compare_system_record("national_system", "2020-06-30", {"size": 3}, "Li")
    [mismatch] = household.open_mismatches
    error = _refused(household, "2020-06-30", OutOfOrder,
                     lambda: household.resolve_mismatch(mismatch, "explained", "newborn"))
    assert error.details["event_id"] == mismatch


def _through_notice(household: Household) -> None:
    for day, step in (
        ("2020-07-01", lambda: household.appraise_exit(2020, 30, 35, None)),
        ("2020-07-05", lambda: household.verify_exit(2020, True, "ok", 3700, [])),
        ("2020-07-06", lambda: household.acknowledge_exit(2020, None)),
        ("2020-07-07", lambda: household.publicize_exit(2020, "2020-07-07", "2020-07-14", 7)),
    ):
        with _in(day):
            step()


def test_exit_steps_follow_each_other_in_business_time() -> None:
    household = _household()
    _through_notice(household)
    with _in("2020-07-10"):
        household.raise_exit_objection(2020, "wage is seasonal")
    settled = _refused(household, "2020-07-09", OutOfOrder,
                       lambda: household.settle_exit_objection(2020, False, "dismissed"))
    assert settled.details["event_id"] == _event_id(household, 7)
    missing = _refused(household, "2020-07-16", InvalidTransition,
                       lambda: household.acknowledge_exit(2020, None))
    assert missing.details["missing_step"] == "HouseholdExited"


@pytest.mark.parametrize(("year", "day", "accepted"), [
    (2020, "2020-07-01", True), (2019, "2020-01-15", True),
    (2027, "2020-07-01", False), (2018, "2020-07-01", False), (2021, "2020-12-31", False),
])
def test_an_exit_steps_year_is_its_dates_year_or_the_year_before(
    year: int, day: str, accepted: bool,
) -> None:
    household = _household()
    if accepted:
        with _in(day):
            household.appraise_exit(year, 30, 35, None)
        return
    error = _refused(household, day, Invalid,
                     lambda: household.appraise_exit(year, 30, 35, None))
    assert error.details["field"] == "year"


def test_appraisal_votes_are_checked_and_a_minority_ends_the_attempt() -> None:
    household = _household()
    none = _refused(household, "2020-07-01", Invalid,
                    lambda: household.appraise_exit(2020, 0, 0, None))
    assert none.details["field"] == "votes_total"
    more = _refused(household, "2020-07-01", Invalid,
                    lambda: household.appraise_exit(2020, 36, 35, None))
    assert more.details["field"] == "votes_for"
    with _in("2020-07-01"):
        household.appraise_exit(2020, 5, 35, None)  # Why: 5 votes in 35
    assert household.pending_events[-1].majority_reached is False
    assert household.exit_attempt is None
    half = _refused(household, "2020-07-05", InvalidTransition,
                    lambda: household.verify_exit(2020, True, "ok", 3700, []))
    assert half.details["missing_step"] == "ExitAppraised"
    with _in("2020-07-02"):
        household.appraise_exit(2020, 10, 20, None, majority=0.5)  # exactly half: not more
    assert household.exit_attempt is None
    with _in("2020-07-03"):
        household.appraise_exit(2020, 11, 20, None, majority=0.5)
    assert household.exit_attempt is not None
    assert household.pending_events[-1].majority_reached is None


def test_household_exited_re_judges_every_condition_on_its_own_date() -> None:
    """Why: a finding raised after the verification is still open when the exit is
    announced."""
    household = _household()
    _through_notice(household)
    with _in("2020-07-10"):
        household.note_inspection("i2", {"housing": "unmet"}, None)
    with _in("2020-07-12"):
        household.compare_system_record("national_system", "2020-07-12", {"size": 3}, "Li")
    error = _refused(household, "2020-07-15", Conflict,
                     lambda: household.record_exit(2020, 3700, ["f9"]))
    assert error.code == "conflict"
    assert [r["condition"] for r in error.details["reasons"]] == [
        "guarantee", "open_findings", "open_mismatches"]
    assert error.details["reasons"][1]["finding_ids"] == ["f9"]
    income = _refused(household, "2020-07-15", Conflict,
                      lambda: household.record_exit(2020, 5000, []))
    assert income.details["reasons"][0]["condition"] == "income"


def _listed_unit() -> Unit:
    with _in("2020-01-01"):
        unit = Unit(unit_id="v1", name="V1", kind="village")
        unit.list_for_supervision("city")
    return unit


def test_a_delisting_is_judged_on_the_tally_of_its_own_date() -> None:
    """Why: a delisting dated 06-20, recorded after the findings were closed on 06-25."""
    unit = _listed_unit()
    for finding_id in ("f1", "f2", "f3"):
        with _in("2020-03-01"):
            unit.attach_finding(finding_id)
        with _in("2020-06-25"):
            unit.settle_open_finding(finding_id, "closed")
    named = []
    error = _refused(unit, "2020-06-20", Conflict,
                     lambda: unit.delist(lambda day: named.append(day) or ["f1", "f2", "f3"]))
    assert (error.details["on"], error.details["open_findings"]) == ("2020-06-20", 3)
    assert named == ["2020-06-20"]
    with _in("2020-02-29"):
        unit.delist()  # before the findings were raised
    assert unit.listed_level is None


def test_a_withdrawn_finding_never_stood_in_the_tally() -> None:
    unit = _listed_unit()
    with _in("2020-03-01"):
        unit.attach_finding("f1")
    with _in("2020-07-01"):
        unit.settle_open_finding("f1", "withdrawn", since="2020-03-01")
    assert unit.open_on("2020-05-01") == 0
    restored = _round_trip(unit)
    assert restored.open_days == unit.open_days


def test_an_interview_is_dated_by_the_later_card_in_business_time() -> None:
    """Why: a yellow card entered late dated the interview before the card that caused it."""
    unit = _listed_unit()
    with _in("2020-06-20"):
        unit.note_warning("w2", "yellow", "2020-Q2")
    with _in("2020-03-20"):  # typed in after it: the first quarter's card
        unit.note_warning("w1", "yellow", "2020-Q1")
    [interview] = [e for e in unit.pending_events if type(e).__name__ == "InterviewRequired"]
    assert interview.occurred_at == datetime.fromisoformat("2020-06-20T10:00+08:00")
    assert interview.actor == "system"


def test_an_interview_due_from_the_earliest_card_of_each_period() -> None:
    unit = _listed_unit()
    for day, warning_id, period in (("2020-03-20", "w1", "2020-Q1"),
                                    ("2020-03-25", "w1b", "2020-Q1"),
                                    ("2020-05-02", "w2", "2020-Q2")):
        with _in(day):
            unit.note_warning(warning_id, "yellow", period)
    [interview] = [e for e in unit.pending_events if type(e).__name__ == "InterviewRequired"]
    assert interview.occurred_at == datetime.fromisoformat("2020-05-02T10:00+08:00")
