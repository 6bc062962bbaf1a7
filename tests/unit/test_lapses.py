"""Lapses are facts: a finding's `overdue_on` read from its trail by business time, without a
database (projections.lapses)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from projections import findings
from projections.events import Event
from projections.lapses import finding_lapse

State = dict[str, Any]


def _event(position: int, type_: str, day: str, **data: Any) -> Event:
    moment = datetime.fromisoformat(f"{day}T10:00+08:00")
    return Event(position=position, event_id=f"e{position}", type=type_, actor="a",
                 occurred_at=moment, recorded_at=moment, data={"finding_id": "f1", **data},
                 occurred_on=day, recorded_us=position)


def _story(*steps: tuple[str, str, dict[str, Any]]) -> State:
    """A finding raised 03-01, due 03-31, then `steps` (type, day, data) in order of entry."""
    state = findings.apply(None, _event(1, "FindingRaised", "2020-03-01", subject_type="unit",
                                        subject_id="v1", category="c", description="d",
                                        responsible_unit_id="v1", due_date="2020-03-31"))
    for position, (type_, day, data) in enumerate(steps, start=2):
        state = findings.apply(state, _event(position, type_, day, **data))
    assert state is not None
    return state


EXTEND = "DeadlineExtended"
ACCEPT = ("RectificationVerified", {"accepted": True, "note": "ok"})


@pytest.mark.parametrize(("extended_on", "overdue_on"), [
    ("2020-03-31", None),  # on the due date in force: granted in time
    ("2020-04-01", "2020-04-01"),  # the day after: the lapse stays
])
def test_an_extension_keeps_a_lapse_it_came_too_late_for(extended_on: str,
                                                         overdue_on: str | None) -> None:
    state = _story((EXTEND, extended_on, {"new_due_date": "2020-06-30", "reason": "r"}))
    lapse = finding_lapse(state, "2020-05-01")
    assert lapse["overdue_on"] == overdue_on
    assert lapse["original_due_date"] == "2020-03-31"
    assert [e["in_time"] for e in lapse["extensions"]] == [overdue_on is None]
    assert not findings.is_overdue(state, "2020-05-01")  # no longer overdue, lapsed all the same


def test_a_lapse_is_judged_by_business_time_whatever_the_order_of_entry() -> None:
    """Closed 04-10 and extended 03-20 (typed in after the closing): in time, never lapsed."""
    state = _story(("RectificationReported", "2020-04-05", {"description": "done"}),
                   (ACCEPT[0], "2020-04-10", ACCEPT[1]),
                   (EXTEND, "2020-03-20", {"new_due_date": "2020-04-30", "reason": "r"}))
    assert finding_lapse(state, "2020-12-31")["overdue_on"] is None


def test_closed_after_the_lapse_is_closed_late_and_a_withdrawal_carries_none() -> None:
    closed = _story(("RectificationReported", "2020-04-05", {"description": "done"}),
                    (ACCEPT[0], "2020-04-10", ACCEPT[1]))
    assert finding_lapse(closed, "2020-12-31") | {"extensions": None} == {
        "original_due_date": "2020-03-31", "extensions": None, "overdue_on": "2020-04-01",
        "closed_late": True}
    assert finding_lapse(closed, "2020-03-31")["overdue_on"] is None  # not yet, on that date
    withdrawn = _story(("FindingWithdrawn", "2020-05-01", {"reason": "duplicate"}))
    assert finding_lapse(withdrawn, "2020-12-31")["overdue_on"] is None


def test_a_transfer_after_the_lapse_keeps_it_with_the_unit_it_left() -> None:
    state = _story(("FindingTransferred", "2020-04-15", {"to_unit_id": "t1", "reason": "r"}))
    assert finding_lapse(state, "2020-05-01")["overdue_on"] == "2020-04-01"
    assert state["transfers"][0]["overdue"] is True
    early = _story(("FindingTransferred", "2020-03-15", {"to_unit_id": "t1", "reason": "r"}))
    assert early["transfers"][0]["overdue"] is False
