"""Who is responsible for a household or unit over time, from assignment events with dates.

An assignment holds from `effective_from` up to, but not including, `effective_to`, so on any
date one answer holds even when one person hands over to another that day.
"""
from __future__ import annotations

from typing import Any

from projections.events import Event

State = dict[str, Any]


def apply(assignments: list[State], event: Event) -> None:
    data = event.data
    if event.type == "ResponsibilityAssigned":
        assignments.append(
            {
                "person_id": data["person_id"],
                "role": data["role"],
                "subject_type": data["subject_type"],
                "subject_id": data["subject_id"],
                "from": data["effective_from"],
                "to": None,
                "assigned_event": event.event_id,
                "ended_event": None,
            }
        )
    elif event.type == "ResponsibilityEnded":
        for held in assignments:
            if (
                held["to"] is None
                and held["person_id"] == data["person_id"]
                and held["role"] == data["role"]
                and held["subject_id"] == data["subject_id"]
                and held["subject_type"] == data["subject_type"]
            ):
                held["to"] = data["effective_to"]
                held["ended_event"] = event.event_id
                break


def holds_on(held: State, on: str) -> bool:
    return held["from"] <= on and (held["to"] is None or on < held["to"])


def responsible_on(assignments: list[State], on: str) -> list[State]:
    return [
        {k: held[k] for k in ("person_id", "role", "from", "to", "assigned_event")}
        for held in assignments
        if holds_on(held, on)
    ]
