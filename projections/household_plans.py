"""A household's help plans and its open mismatches with the information system, as the
household status shows them, and the overdue measures a person answers for.

By business time, as every status value: of the plans of one year the latest by `occurred_at`
stands, whatever the order of entry; a replay by `valid_at` or `as_of` folds only what the cut
lets through. A measure is open until completed, and overdue the day after its due date (as a
finding is); one completed only after its due date still went overdue.
"""
from __future__ import annotations

from typing import Any, cast

from projections.business_time import keep_latest, shown
from projections.events import Event

State = dict[str, Any]
EVENTS = frozenset({"HelpPlanRecorded", "MeasureCompleted", "SystemRecordCompared",
                    "DataMismatchFound", "MismatchResolved", "MeasureReopened",
                    "MismatchReopened"})


def apply(state: State, event: Event) -> None:
    """Fold one of EVENTS into a household state."""
    data = event.data
    if event.type == "HelpPlanRecorded":
        keep_latest(state.setdefault("plans", {}), str(data["year"]), {
            "year": data["year"], "causes": data["causes"], "measures": data["measures"],
            "event_id": event.event_id, "on": event.occurred_on}, event)
    elif event.type == "MeasureCompleted":
        state.setdefault("completed", {})[data["measure_id"]] = {
            "on": event.occurred_on, "event_id": event.event_id}
    elif event.type == "SystemRecordCompared":
        state["compared"] = {"event_id": event.event_id, "source": data["source"],
                             "as_of_date": data["as_of_date"]}
    elif event.type == "DataMismatchFound":
        compared = state.get("compared") or {}
        state.setdefault("mismatches", {})[event.event_id] = {
            "event_id": event.event_id, "field": data["field"],
            "system_value": data["system_value"], "ledger_value": data.get("ledger_value"),
            "source": compared.get("source"), "as_of_date": compared.get("as_of_date"),
            "compared_event_id": data["compared_event_id"], "on": event.occurred_on}
    elif event.type == "MismatchResolved":
        closed = state.get("mismatches", {}).pop(data["mismatch_event_id"], None)
        if closed is not None:
            state.setdefault("resolved_mismatches", {})[data["mismatch_event_id"]] = closed
    elif event.type == "MeasureReopened":
        state.get("completed", {}).pop(data["measure_id"], None)
    elif event.type == "MismatchReopened":
        reopened = state.get("resolved_mismatches", {}).pop(data["mismatch_event_id"], None)
        if reopened is not None:
            state.setdefault("mismatches", {})[data["mismatch_event_id"]] = reopened


def _measure(state: State, measure: State, on: str) -> State:
    done = state.get("completed", {}).get(measure["measure_id"])
    if done is not None and done["on"] > on:
        done = None
    status = "done" if done else ("overdue" if on > measure["due_date"] else "open")
    return {"measure_id": measure["measure_id"], "kind": measure["kind"],
            "description": measure["description"], "due_date": measure["due_date"],
            "person_id": measure.get("person_id"), "status": status,
            "completed_on": done["on"] if done else None,
            "completed_event": done["event_id"] if done else None}


def _plan(state: State, held: State, on: str) -> State:
    plan = cast(State, shown(held))
    return {"year": plan["year"], "causes": plan["causes"], "event_id": plan["event_id"],
            "on": plan["on"], "measures": [_measure(state, m, on) for m in plan["measures"]]}


def render(state: State, on: str) -> State:
    """The status fields: `plan` (the latest year's, or null) and the open `mismatches`."""
    plans = state.get("plans", {})
    latest = max(plans, key=int, default=None)
    return {
        "plan": None if latest is None else _plan(state, plans[latest], on),
        "mismatches": list(state.get("mismatches", {}).values()),
    }


def overdue_measures(person_id: str, household_states: dict[str, State], on: str
                     ) -> list[State]:
    """Measures naming `person_id`, in the plan that stands for their year, that went overdue
    by business date `on`; each with the plan (and completion) proving it."""
    items = []
    for household_id, state in sorted(household_states.items()):
        for held in state.get("plans", {}).values():
            plan = _plan(state, held, on)
            for measure in plan["measures"]:
                if measure["person_id"] != person_id or on <= measure["due_date"]:
                    continue
                late = measure["completed_on"] is None or measure["completed_on"] > \
                    measure["due_date"]
                if not late:
                    continue
                items.append({
                    "household_id": household_id, "year": plan["year"],
                    "measure_id": measure["measure_id"], "due_date": measure["due_date"],
                    "status": measure["status"], "completed_on": measure["completed_on"],
                    "event_ids": [e for e in (plan["event_id"], measure["completed_event"])
                                  if e is not None]})
    return sorted(items, key=lambda m: (m["due_date"], m["household_id"], m["measure_id"]))
