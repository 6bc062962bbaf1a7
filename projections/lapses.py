"""Lapses are facts (CONTRACT.md "Business-time integrity"): the day a finding went overdue,
read from its trail by business time, stays whatever follows.

A finding goes overdue the day after its due date in force, when it is still open then. A later
`DeadlineExtended` (one dated after the due date in force is not granted in time), a transfer
or a closing adds to the story and never moves that day; a finding closed after it is
`closed_late`. A withdrawn finding (also one a dispute overturned) carries no lapse: it should
not have existed. Judged on the events the read lets through (a replay cuts the trail first),
up to business date `on`.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from projections.events import business_date

State = dict[str, Any]


def day_after(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _in_business_order(trail: list[State]) -> list[tuple[str, State]]:
    """(business day, step) of every step after the raise, by `occurred_at` then position."""
    steps = [(datetime.fromisoformat(s["occurred_at"]), s["position"], s) for s in trail[1:]]
    return [(business_date(moment), step) for moment, _, step in sorted(
        steps, key=lambda entry: (entry[0], entry[1]))]


def finding_lapse(state: State, on: str) -> State:
    """`original_due_date`, `extensions` (each with `in_time`), `overdue_on` (None: it never
    lapsed by `on`) and `closed_late`."""
    original = state["trail"][0]["data"]["due_date"]
    due, lapsed, closed_on, withdrawn = original, None, None, False
    extensions = []
    for day, step in _in_business_order(state["trail"]):
        if day > on:
            break
        if lapsed is None and closed_on is None and day > due:
            lapsed = day_after(due)
        if step["type"] == "DeadlineExtended":
            extensions.append({"from_due_date": due, "new_due_date": step["data"]["new_due_date"],
                               "on": day, "in_time": day <= due,
                               "reason": step["data"]["reason"], "event_id": step["event_id"]})
            due = step["data"]["new_due_date"]
        elif step["type"] == "RectificationVerified" and step["data"]["accepted"]:
            closed_on = day
        elif step["type"] == "FindingWithdrawn":
            withdrawn = True
    if lapsed is None and closed_on is None and on > due:
        lapsed = day_after(due)
    if withdrawn:
        lapsed = None
    return {"original_due_date": original, "extensions": extensions, "overdue_on": lapsed,
            "closed_late": closed_on is not None and lapsed is not None}
