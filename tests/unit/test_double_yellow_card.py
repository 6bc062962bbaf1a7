"""The double-yellow-card rule when cards are entered late or people change in between."""
from __future__ import annotations

from collections.abc import Iterator
from itertools import permutations

import pytest

from ledger.domain.base import recording
from ledger.domain.periods import next_period, previous_period
from ledger.domain.units import Unit


@pytest.fixture(autouse=True)
def _recording() -> Iterator[None]:
    with recording("inspector-li"):
        yield


def _village() -> Unit:
    unit = Unit(unit_id="v1", name="Sanjiayu", kind="village", parent_id=None)
    unit.assign("p1", "village_secretary", "2020-01-01")
    return unit


def _interviews(unit: Unit) -> list[tuple[str | None, list[str], list[str]]]:
    return [
        (e.person_id, e.periods, e.warning_ids)
        for e in unit.pending_events
        if type(e).__name__ == "InterviewRequired"
    ]


@pytest.mark.parametrize(
    ("period", "after"),
    [("2019-Q4", "2020-Q1"), ("2020-Q1", "2020-Q2"), ("2020-Q3", "2020-Q4"),
     ("2019-12", "2020-01"), ("2020-01", "2020-02"), ("2020-09", "2020-10")],
)
def test_next_period_crosses_year_boundaries_and_undoes_previous(period: str, after: str) -> None:
    assert next_period(period) == after
    assert previous_period(after) == period


@pytest.mark.parametrize("bad", ["2020-Q5", "2020-13", "2020", ""])
def test_next_period_refuses_what_is_not_a_period(bad: str) -> None:
    with pytest.raises(ValueError):
        next_period(bad)


def test_earlier_card_entered_late_still_makes_the_interview_due() -> None:
    unit = _village()
    unit.note_warning("w-q2", "yellow", "2020-Q2")
    assert _interviews(unit) == []
    unit.note_warning("w-q1", "yellow", "2020-Q1")
    assert _interviews(unit) == [("p1", ["2020-Q1", "2020-Q2"], ["w-q1", "w-q2"])]
    assert unit.pending_events[-1].actor == "system"


def test_late_december_card_pairs_with_january() -> None:
    unit = _village()
    unit.note_warning("w-jan", "yellow", "2021-01")
    unit.note_warning("w-dec", "yellow", "2020-12")
    assert _interviews(unit) == [("p1", ["2020-12", "2021-01"], ["w-dec", "w-jan"])]


@pytest.mark.parametrize("order", list(permutations(["2020-Q1", "2020-Q2", "2020-Q3"])))
def test_the_interviews_due_do_not_depend_on_the_order_cards_are_entered(
    order: tuple[str, ...],
) -> None:
    unit = _village()
    for period in order:
        unit.note_warning(f"w-{period}", "yellow", period)
    assert sorted(_interviews(unit)) == [
        ("p1", ["2020-Q1", "2020-Q2"], ["w-2020-Q1", "w-2020-Q2"]),
        ("p1", ["2020-Q2", "2020-Q3"], ["w-2020-Q2", "w-2020-Q3"]),
    ]


def test_interview_names_whoever_is_main_responsible_when_it_becomes_due() -> None:
    unit = _village()
    unit.note_warning("w1", "yellow", "2020-Q1")
    unit.end_assignment("p1", "village_secretary", "2020-03-31")
    unit.assign("p2", "village_secretary", "2020-04-01")
    unit.note_warning("w2", "yellow", "2020-Q2")
    assert _interviews(unit) == [("p2", ["2020-Q1", "2020-Q2"], ["w1", "w2"])]
    unit.end_assignment("p2", "village_secretary", "2020-06-30")
    assert _interviews(unit)[0][0] == "p2"  # what was recorded stays as recorded


def test_a_late_yellow_beside_a_red_card_makes_no_interview_due() -> None:
    unit = _village()
    unit.note_warning("w-q2", "red", "2020-Q2")
    unit.note_warning("w-q1", "yellow", "2020-Q1")
    assert _interviews(unit) == []
