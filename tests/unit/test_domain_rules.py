"""Domain rules on aggregates alone: no database, no HTTP."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ledger.domain.base import recording
from ledger.domain.periods import is_period, previous_period
from ledger.domain.scoring import SECTION_MAXIMA, Score
from ledger.domain.supervision import (
    CLOSED,
    OPEN,
    RECTIFICATION_REPORTED,
    WITHDRAWN,
    Finding,
)
from ledger.domain.units import NAMED_OPEN_FINDINGS, Unit
from ledger.errors import AlreadyExists, Conflict, Invalid, InvalidTransition


@pytest.fixture(autouse=True)
def _recording() -> Iterator[None]:
    with recording("inspector-li"):
        yield


def _finding() -> Finding:
    return Finding(
        finding_id="f1",
        subject_type="unit",
        subject_id="v1",
        category="visits",
        description="helper cadre visits not done",
        responsible_unit_id="v1",
        due_date="2020-03-31",
    )


def _types(aggregate: object) -> list[str]:
    return [type(e).__name__ for e in aggregate.pending_events]  # type: ignore[attr-defined]


# Finding lifecycle -----------------------------------------------------------
def test_finding_goes_open_reported_closed() -> None:
    finding = _finding()
    assert finding.status == OPEN
    finding.report_rectification("visits done", [])
    assert finding.status == RECTIFICATION_REPORTED
    finding.verify_rectification(True, "checked on site")
    assert finding.status == CLOSED
    assert not finding.is_open
    assert _types(finding) == ["FindingRaised", "RectificationReported", "RectificationVerified"]


def test_rejected_rectification_reopens_the_finding() -> None:
    finding = _finding()
    finding.report_rectification("visits done", [])
    finding.verify_rectification(False, "no visit records")
    assert finding.status == OPEN
    finding.report_rectification("visits done, with records", [{"name": "log.pdf"}])
    assert finding.status == RECTIFICATION_REPORTED


def test_withdraw_from_open_and_from_reported() -> None:
    finding = _finding()
    finding.withdraw("raised against the wrong village")
    assert finding.status == WITHDRAWN
    other = _finding()
    other.report_rectification("done", [])
    other.withdraw("duplicate")
    assert other.status == WITHDRAWN


def _closed() -> Finding:
    f = _finding()
    f.report_rectification("done", [])
    f.verify_rectification(True, "ok")
    return f


def _reported() -> Finding:
    f = _finding()
    f.report_rectification("done", [])
    return f


def _withdrawn() -> Finding:
    f = _finding()
    f.withdraw("duplicate")
    return f


@pytest.mark.parametrize(
    ("make", "act"),
    [
        (_finding, lambda f: f.verify_rectification(True, "never reported")),
        (_closed, lambda f: f.report_rectification("again", [])),
        (_closed, lambda f: f.verify_rectification(True, "again")),
        (_closed, lambda f: f.withdraw("too late")),
        (_closed, lambda f: f.extend_deadline("2021-01-01", "late", None)),
        (_withdrawn, lambda f: f.report_rectification("done", [])),
        (_withdrawn, lambda f: f.withdraw("twice")),
        (_reported, lambda f: f.report_rectification("twice", [])),
    ],
)
def test_illegal_transitions_raise_and_add_no_event(
    make: Callable[[], Finding], act: Callable[[Finding], object]
) -> None:
    finding = make()
    before_status, before_events = finding.status, len(finding.pending_events)
    with pytest.raises(InvalidTransition) as caught:
        act(finding)
    assert caught.value.details["finding_id"] == "f1"
    assert finding.status == before_status
    assert len(finding.pending_events) == before_events


@pytest.mark.parametrize("new_due", ["2020-03-31", "2020-03-30", "2019-12-31"])
def test_deadline_extension_only_forward(new_due: str) -> None:
    """Not later than the due date in force: 409 (it contradicts the ledger), naming it."""
    finding = _finding()
    with pytest.raises(Conflict) as caught:
        finding.extend_deadline(new_due, "more time", None)
    assert caught.value.details == {"field": "new_due_date"}
    assert finding.due_date == "2020-03-31"
    assert len(finding.pending_events) == 1


def test_deadline_extension_forward_moves_the_due_date() -> None:
    finding = _finding()
    finding.extend_deadline("2020-04-30", "flood", "p9")
    assert finding.due_date == "2020-04-30"
    assert _types(finding)[-1] == "DeadlineExtended"


# Units: listing, responsibility ------------------------------------------------
def _unit(unit_id: str = "v1") -> Unit:
    return Unit(unit_id=unit_id, name="Sanjiayu", kind="village", parent_id=None)


def test_delist_refused_while_findings_are_open() -> None:
    unit = _unit()
    unit.list_for_supervision("city")
    unit.attach_finding("f1")
    unit.count_open_finding("f2")  # open in a village or household below it
    with pytest.raises(Conflict) as caught:
        unit.delist()
    assert caught.value.details["open_finding_ids"] == ["f1", "f2"]
    assert caught.value.details["open_findings"] == 2
    assert unit.listed_level == "city"
    assert _types(unit) == ["UnitRegistered", "UnitListed", "FindingAttached",
                            "OpenFindingCounted"]
    unit.settle_open_finding("f1", "closed")
    unit.settle_open_finding("f2", "withdrawn")
    unit.delist()
    assert unit.listed_level is None
    assert _types(unit)[-1] == "UnitDelisted"


def test_a_refused_delisting_reads_back_names_the_unit_no_longer_keeps() -> None:
    unit = _unit()
    unit.list_for_supervision("city")
    for i in range(NAMED_OPEN_FINDINGS + 1):
        unit.attach_finding(f"f{i}")
    unit.settle_open_finding("f0", "closed")  # the kept names are now one short
    with pytest.raises(Conflict) as caught:
        unit.delist(lambda day: ["f5", "f10"])
    on = caught.value.details.pop("on")
    assert caught.value.details == {"unit_id": "v1", "open_findings": NAMED_OPEN_FINDINGS,
                                    "open_finding_ids": ["f5", "f10"]}
    assert on == max(unit.open_days)


def test_a_unit_cannot_supervise_itself() -> None:
    unit = _unit()
    with pytest.raises(Invalid) as caught:
        unit.list_for_supervision("city", supervising_unit_id="v1")
    assert caught.value.details == {"field": "supervising_unit_id"}
    assert _types(unit) == ["UnitRegistered"]


def test_a_quarter_is_rated_once_until_its_light_is_withdrawn() -> None:
    unit = _unit()
    unit.rate_quarter("2020-Q1", "yellow", 71.5, None)
    rating_version = unit.version
    with pytest.raises(AlreadyExists) as caught:
        unit.rate_quarter("2020-Q1", "green", None, None)
    assert caught.value.details["period"] == "2020-Q1"
    unit.withdraw_rating(rating_version, "overturned")
    unit.rate_quarter("2020-Q1", "green", 90, None)
    assert _types(unit)[1:] == ["QuarterlyRatingRecorded", "QuarterlyRatingWithdrawn",
                                "QuarterlyRatingRecorded"]
    assert unit.yellow_cards == {} and unit.interviews == []


def test_delist_refused_when_not_listed() -> None:
    unit = _unit()
    with pytest.raises(InvalidTransition):
        unit.delist()
    assert _types(unit) == ["UnitRegistered"]


def test_listing_twice_is_refused() -> None:
    unit = _unit()
    unit.list_for_supervision("district")
    with pytest.raises(InvalidTransition):
        unit.list_for_supervision("city")
    assert len(unit.pending_events) == 2


def test_responsibility_assign_and_end() -> None:
    unit = _unit()
    unit.assign("p1", "village_secretary", "2020-01-01")
    with pytest.raises(Conflict):
        unit.assign("p1", "village_secretary", "2020-02-01")
    assert len(unit.pending_events) == 2
    with pytest.raises(Conflict):
        unit.end_assignment("p2", "village_secretary", "2020-06-30")
    with pytest.raises(Conflict):
        unit.end_assignment("p1", "first_secretary", "2020-06-30")
    assert len(unit.pending_events) == 2
    unit.end_assignment("p1", "village_secretary", "2020-06-30")
    assert unit.responsible["village_secretary"] == {}
    unit.assign("p1", "village_secretary", "2021-01-01")  # may hold the role again later
    assert _types(unit)[-2:] == ["ResponsibilityEnded", "ResponsibilityAssigned"]


def test_main_responsible_person_follows_role_precedence() -> None:
    unit = _unit()
    assert unit.main_responsible_person() is None
    unit.assign("helper", "helper_cadre", "2020-01-01")
    assert unit.main_responsible_person() is None  # a helper cadre is not a main responsible
    unit.assign("sec", "village_secretary", "2020-01-01")
    assert unit.main_responsible_person() == "sec"
    unit.assign("head", "unit_head", "2020-01-01")
    assert unit.main_responsible_person() == "head"


# Periods --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("period", "before"),
    [
        ("2020-Q1", "2019-Q4"),
        ("2020-Q2", "2020-Q1"),
        ("2020-Q4", "2020-Q3"),
        ("2020-01", "2019-12"),
        ("2020-02", "2020-01"),
        ("2020-10", "2020-09"),
        ("2020-12", "2020-11"),
    ],
)
def test_previous_period(period: str, before: str) -> None:
    assert previous_period(period) == before


@pytest.mark.parametrize("bad", ["2020-Q5", "2020-Q0", "2020-13", "2020-00", "2020", "Q1-2020"])
def test_not_a_period(bad: str) -> None:
    assert not is_period(bad)
    with pytest.raises(ValueError):
        previous_period(bad)


# Double yellow card -> interview ------------------------------------------------
def _unit_with_secretary() -> Unit:
    unit = _unit()
    unit.assign("p1", "village_secretary", "2020-01-01")
    unit.assign("h1", "helper_cadre", "2020-01-01")
    return unit


def _interviews(unit: Unit) -> list:
    return [e for e in unit.pending_events if type(e).__name__ == "InterviewRequired"]


def test_yellow_cards_in_consecutive_periods_make_one_interview_due() -> None:
    unit = _unit_with_secretary()
    unit.note_warning("w1", "yellow", "2019-Q4")
    assert _interviews(unit) == []
    unit.note_warning("w2", "yellow", "2020-Q1")
    [interview] = _interviews(unit)
    assert interview.actor == "system"
    assert interview.warning_ids == ["w1", "w2"]
    assert interview.person_id == "p1"
    assert interview.periods == ["2019-Q4", "2020-Q1"]
    assert unit.pending_events[-2].actor == "inspector-li"  # the card itself is the client's


def test_consecutive_months_across_a_year_make_an_interview_due() -> None:
    unit = _unit_with_secretary()
    unit.note_warning("w1", "yellow", "2019-12")
    unit.note_warning("w2", "yellow", "2020-01")
    assert len(_interviews(unit)) == 1


def test_red_card_makes_no_interview_due() -> None:
    unit = _unit_with_secretary()
    unit.note_warning("w1", "yellow", "2020-Q1")
    unit.note_warning("w2", "red", "2020-Q2")
    assert _interviews(unit) == []
    assert "w2" not in unit.yellow_cards


def test_non_consecutive_yellow_cards_make_no_interview_due() -> None:
    unit = _unit_with_secretary()
    unit.note_warning("w1", "yellow", "2020-Q1")
    unit.note_warning("w2", "yellow", "2020-Q3")
    unit.note_warning("w3", "yellow", "2020-Q3")
    assert _interviews(unit) == []


def test_second_yellow_in_the_same_pair_makes_no_second_interview() -> None:
    unit = _unit_with_secretary()
    unit.note_warning("w1", "yellow", "2020-Q1")
    unit.note_warning("w2", "yellow", "2020-Q2")
    unit.note_warning("w3", "yellow", "2020-Q2")
    unit.note_warning("w4", "yellow", "2020-Q1")
    assert len(_interviews(unit)) == 1


def test_interview_without_a_main_responsible_names_nobody() -> None:
    unit = _unit()
    unit.note_warning("w1", "yellow", "2020-Q1")
    unit.note_warning("w2", "yellow", "2020-Q2")
    [interview] = _interviews(unit)
    assert interview.person_id is None


# Scores ---------------------------------------------------------------------------
@pytest.mark.parametrize("section", sorted(SECTION_MAXIMA))
def test_score_within_range_is_recorded(section: str) -> None:
    for points in (0, SECTION_MAXIMA[section]):
        score = Score.record("2020-05", "v1", section, points)
        assert score.points == points
        assert _types(score) == ["ScoreRecorded"]


@pytest.mark.parametrize(
    ("section", "points"),
    [("household", 50.5), ("household", -1), ("group", 21), ("village", 31), ("village", -0.1)],
)
def test_score_out_of_range_is_invalid(section: str, points: float) -> None:
    with pytest.raises(Invalid) as caught:
        Score.record("2020-05", "v1", section, points)
    assert caught.value.details == {"field": "points"}
