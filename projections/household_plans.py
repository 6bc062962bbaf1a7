"""A household's help plans and its open mismatches with the information system, as the
household status shows them, and the overdue measures a person answers for.

By business time, as every status value: of the plans of one year the latest by `occurred_at`
stands, whatever the order of entry; a replay by `valid_at` or `as_of` folds only what the cut
lets through. A measure is open until completed, and overdue the day after its due date (as a
finding is); one completed only after its due date still went overdue. Lapses are facts: a plan
that replaces another keeps the measures of the replaced plan that had gone overdue before the
replacement, as `overdue_before_replacement` (on the plan and on the person's trail).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from projections import responsibility
from projections.business_time import AT, keep_latest, moment, shown
from projections.events import Event
from projections.lapses import day_after

State = dict[str, Any]
REPLACED_OVERDUE = "overdue_before_replacement"
EVENTS = frozenset({"HelpPlanRecorded", "MeasureCompleted", "SystemRecordCompared",
                    "DataMismatchFound", "MismatchResolved", "MeasureReopened",
                    "MismatchReopened"})


def apply(state: State, event: Event) -> None:
    """Fold one of EVENTS into a household state."""
    data = event.data
    if event.type == "HelpPlanRecorded":
        plan = {"year": data["year"], "causes": data["causes"], "measures": data["measures"],
                "event_id": event.event_id, "on": event.occurred_on}
        keep_latest(state.setdefault("plans", {}), str(data["year"]), plan, event)
        state.setdefault("plan_history", {}).setdefault(str(data["year"]), []).append(
            {**plan, AT: moment(event)})
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
            "compared_event_id": data["compared_event_id"], "on": event.occurred_on,
            "due_date": data.get("due_date"),
            "responsible_person_ids": data.get("responsible_person_ids", [])}
    elif event.type == "MismatchResolved":
        resolved = state.get("mismatches", {}).pop(data["mismatch_event_id"], None)
        if resolved is not None and resolved.get("due_date"):
            # Kept while it matters to a trail: a mismatch resolved after its due date lapsed.
            state.setdefault("resolved_mismatches", {})[data["mismatch_event_id"]] = {
                **resolved, "resolved_on": event.occurred_on,
                "resolved_event": event.event_id}
    elif event.type == "MeasureReopened":
        state.get("completed", {}).pop(data["measure_id"], None)
    elif event.type == "MismatchReopened":
        reopened = state.get("resolved_mismatches", {}).pop(data["mismatch_event_id"], None)
        if reopened is not None:
            state.setdefault("mismatches", {})[data["mismatch_event_id"]] = {
                k: v for k, v in reopened.items() if k not in ("resolved_on", "resolved_event")}


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
            "on": plan["on"], "measures": [_measure(state, m, on) for m in plan["measures"]],
            "overdue_before_replacement": overdue_before_replacement(
                state, str(plan["year"]), on)}


def overdue_before_replacement(state: State, year: str, on: str) -> list[State]:
    """The measures of each replaced plan of `year` that had lapsed before the plan replacing
    it (by business time): not completed by their due date, the replacement dated after it."""
    history = sorted(state.get("plan_history", {}).get(year, []), key=lambda p: p[AT])
    lapsed = []
    for replaced, replacing in zip(history, history[1:], strict=False):
        for measure in replaced["measures"]:
            due = measure["due_date"]
            done = state.get("completed", {}).get(measure["measure_id"])
            if replacing["on"] <= due or day_after(due) > on or (done and done["on"] <= due):
                continue
            lapsed.append({
                "measure_id": measure["measure_id"], "kind": measure["kind"],
                "description": measure["description"], "due_date": due,
                "person_id": measure.get("person_id"), "overdue_on": day_after(due),
                "plan_event": replaced["event_id"], "replaced_by": replacing["event_id"]})
    return lapsed


def lapsed_on(mismatch: State) -> str | None:
    """The day an unresolved mismatch goes overdue: the day after its due date."""
    due = mismatch.get("due_date")
    return None if not due else (date.fromisoformat(due) + timedelta(days=1)).isoformat()


def _open_mismatch(mismatch: State, on: str) -> State:
    lapse = lapsed_on(mismatch)
    overdue = lapse is not None and lapse <= on
    return {**mismatch, "responsible_person_ids": mismatch.get("responsible_person_ids", []),
            "due_date": mismatch.get("due_date"), "overdue": overdue,
            "overdue_on": lapse if overdue else None}


def earliest_due(state: State) -> str | None:
    """The earliest due date of the household's open mismatches (None: none is due)."""
    return min((m["due_date"] for m in state.get("mismatches", {}).values()
                if m.get("due_date")), default=None)


def render(state: State, on: str) -> State:
    """The status fields: `plan` (the latest year's, or null) and the open `mismatches`."""
    plans = state.get("plans", {})
    latest = max(plans, key=int, default=None)
    return {
        "plan": None if latest is None else _plan(state, plans[latest], on),
        "mismatches": [_open_mismatch(m, on) for m in state.get("mismatches", {}).values()],
    }


def overdue_mismatches(person_id: str, assignments: list[State],
                       household_states: dict[str, State], on: str) -> list[State]:
    """Mismatches that went overdue by `on` on a household the person answered for on the
    day they lapsed (helper cadre then, or named responsible); kept once resolved late."""
    items = []
    for household_id, state in sorted(household_states.items()):
        for event_id, mismatch in [*state.get("mismatches", {}).items(),
                                   *state.get("resolved_mismatches", {}).items()]:
            lapse = lapsed_on(mismatch)
            resolved = mismatch.get("resolved_on")
            if lapse is None or lapse > on or (resolved is not None and resolved < lapse):
                continue
            why = [a for a in assignments if a["subject_type"] == "household"
                   and a["subject_id"] == household_id and a["role"] == "helper_cadre"
                   and responsibility.holds_on(a, lapse)]
            named = person_id in mismatch.get("responsible_person_ids", [])
            if not why and not named:
                continue
            items.append({
                "household_id": household_id, "mismatch_event_id": event_id,
                "field": mismatch["field"], "due_date": mismatch["due_date"],
                "overdue_on": lapse, "resolved_on": resolved,
                "event_ids": [e for e in (event_id, *(a["assigned_event"] for a in why),
                                          mismatch.get("resolved_event")) if e is not None]})
    return sorted(items, key=lambda m: (m["overdue_on"], m["household_id"],
                                        m["mismatch_event_id"]))


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
                    "overdue_on": day_after(measure["due_date"]),
                    "status": measure["status"], "completed_on": measure["completed_on"],
                    "event_ids": [e for e in (plan["event_id"], measure["completed_event"])
                                  if e is not None]})
            items += [{
                "household_id": household_id, "year": plan["year"],
                "measure_id": lapsed["measure_id"], "due_date": lapsed["due_date"],
                "overdue_on": lapsed["overdue_on"], "status": REPLACED_OVERDUE,
                "completed_on": None,
                "event_ids": [lapsed["plan_event"], lapsed["replaced_by"]],
            } for lapsed in plan["overdue_before_replacement"]
                if lapsed["person_id"] == person_id]
    return sorted(items, key=lambda m: (m["due_date"], m["household_id"], m["measure_id"]))
