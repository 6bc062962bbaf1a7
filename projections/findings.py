"""The findings ledger (台账): one state per finding, folded from its events."""
from __future__ import annotations

from typing import Any

from projections.events import Event
from projections.lapses import finding_lapse

State = dict[str, Any]
OPEN_STATUSES = ("open", "rectification_reported")
FINDING_EVENTS = (
    "FindingRaised",
    "RectificationReported",
    "RectificationVerified",
    "DeadlineExtended",
    "FindingWithdrawn",
    "FindingTransferred",
    "FindingReopened",
)


def _step(event: Event) -> State:
    return {
        "event_id": event.event_id,
        "type": event.type,
        "position": event.position,
        "occurred_at": event.occurred_text,
        "recorded_at": event.recorded_text,
        "actor": event.actor,
        "data": event.data,
    }


def apply(state: State | None, event: Event) -> State | None:
    """Fold one event into a finding's state (None: the finding is not known yet)."""
    data = event.data
    if event.type == "FindingRaised":
        return {
            "finding_id": data["finding_id"],
            "subject_type": data["subject_type"],
            "subject_id": data["subject_id"],
            "category": data["category"],
            "description": data["description"],
            "responsible_unit_id": data["responsible_unit_id"],
            "responsible_person_id": data.get("responsible_person_id"),
            "inspection_id": data.get("inspection_id"),
            "source": data.get("source"),
            "sector": data.get("sector"),
            "responsibility_history": [_holder(event, data["responsible_unit_id"],
                                               data.get("responsible_person_id"))],
            "transfers": [],
            "raised_on": event.occurred_on,
            "raised_event": event.event_id,
            "due_date": data["due_date"],
            "status": "open",
            "closed_on": None,
            "closing_event": None,
            "reporters": [],
            "rejections": [],
            "trail": [_step(event)],
        }
    if state is None:
        return None
    state["trail"].append(_step(event))
    if event.type == "RectificationReported":
        state["status"] = "rectification_reported"
        state["last_report"] = {"event_id": event.event_id, "actor": event.actor}
        if event.actor not in state["reporters"]:
            state["reporters"].append(event.actor)
    elif event.type == "RectificationVerified":
        if data["accepted"]:
            state["status"] = "closed"
            state["closed_on"] = event.occurred_on
            state["closing_event"] = event.event_id
        else:
            state["status"] = "open"
            state["rejections"].append(
                {
                    "event_id": event.event_id,
                    "on": event.occurred_on,
                    "note": data["note"],
                    "report": state.get("last_report"),
                }
            )
    elif event.type == "DeadlineExtended":
        state["due_date"] = data["new_due_date"]
    elif event.type == "FindingWithdrawn":
        state["status"] = "withdrawn"
        state["closed_on"] = event.occurred_on
        state["closing_event"] = event.event_id
    elif event.type == "FindingTransferred":
        _transferred(state, event)
    elif event.type == "FindingReopened":
        # The accepted verification never stood: open from its date on.
        state.update(status="open", closed_on=None, closing_event=None,
                     reopened_event=event.event_id)
    return state


def _holder(event: Event, unit_id: str, person_id: str | None) -> State:
    """One entry of `responsibility_history`: who answers for the finding from a date on."""
    return {"unit_id": unit_id, "person_id": person_id, "from": event.occurred_on,
            "event_id": event.event_id}


def _transferred(state: State, event: Event) -> None:
    """The new unit and person answer from now on; whether it had already gone overdue is
    kept with the transfer, for the unit (and people) that had it then."""
    data = event.data
    state.setdefault("transfers", []).append({
        "from_unit_id": state["responsible_unit_id"], "to_unit_id": data["to_unit_id"],
        "on": event.occurred_on,
        "overdue": finding_lapse(state, event.occurred_on)["overdue_on"] is not None,
        "reason": data["reason"], "event_id": event.event_id})
    state["responsible_unit_id"] = data["to_unit_id"]
    state["responsible_person_id"] = data.get("to_person_id")
    state.setdefault("responsibility_history", []).append(
        _holder(event, data["to_unit_id"], data.get("to_person_id")))


def is_open(state: State) -> bool:
    return state["status"] in OPEN_STATUSES


def is_overdue(state: State, on: str) -> bool:
    """Open after its due date (dates as ISO text compare in order)."""
    return is_open(state) and on > state["due_date"]


def summary(state: State, on: str) -> State:
    """One line of the ledger, as of business date `on`, with its lapse (`overdue_on`) kept
    whatever followed it."""
    lapse = finding_lapse(state, on)
    return {
        "finding_id": state["finding_id"],
        "subject_type": state["subject_type"],
        "subject_id": state["subject_id"],
        "category": state["category"],
        "source": state.get("source"),
        "sector": state.get("sector"),
        "description": state["description"],
        "responsible_unit_id": state["responsible_unit_id"],
        "responsible_person_id": state["responsible_person_id"],
        "raised_on": state["raised_on"],
        "due_date": state["due_date"],
        "original_due_date": lapse["original_due_date"],
        "status": state["status"],
        "overdue": is_overdue(state, on),
        "overdue_on": lapse["overdue_on"],
        "closed_late": lapse["closed_late"],
        "closed_on": state["closed_on"],
        "raised_event": state["raised_event"],
        "closing_event": state["closing_event"],
    }


def detail(state: State, on: str) -> State:
    """One finding with its whole trail."""
    return {
        **summary(state, on),
        "inspection_id": state["inspection_id"],
        "extensions": finding_lapse(state, on)["extensions"],
        "responsibility_history": state.get("responsibility_history", []),
        "transfers": state.get("transfers", []),
        "rejections": state["rejections"],
        "trail": state["trail"],
    }
