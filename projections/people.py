"""Accountability trails (责任倒查): what each person answered for, with the proving events."""
from __future__ import annotations

from datetime import date
from typing import Any

from ledger.domain.units import MAIN_RESPONSIBLE_ROLES
from projections import flags, household_plans, responsibility, rulebook, trace
from projections.events import Event

State = dict[str, Any]
VISITING_ROLES = ("helper_cadre",)


def apply(state: State | None, event: Event, person_id: str) -> State | None:
    data = event.data
    if event.type == "PersonRegistered":
        return {
            "person_id": data["person_id"],
            "name": data["name"],
            "unit_id": data["unit_id"],
            "registered_event": event.event_id,
            "assignments": [],
            "measures": [],
            "interviews_required": [],
            "interviews_held": [],
            "reported": {},
            "rejections": [],
        }
    if state is None:
        return None
    if event.type in ("ResponsibilityAssigned", "ResponsibilityEnded"):
        responsibility.apply(state["assignments"], event)
    elif event.type == "AccountabilityMeasureTaken":
        state["measures"].append({"measure": data["measure"], "basis": data["basis"],
                                  "note": data["note"], "on": event.occurred_on,
                                  "event_id": event.event_id})
    elif event.type == "InterviewRequired":
        state["interviews_required"].append({"unit_id": data["unit_id"],
                                             "periods": data["periods"],
                                             "warning_ids": data["warning_ids"],
                                             "on": event.occurred_on,
                                             "event_id": event.event_id, "voided_event": None})
    elif event.type == "InterviewVoided":
        for due in state["interviews_required"]:
            if due["unit_id"] == data["unit_id"] and due["periods"] == data["periods"]:
                due["voided_event"] = due["voided_event"] or event.event_id
    elif event.type == "InterviewHeld" and data["person_id"] == person_id:
        state["interviews_held"].append({"unit_id": data["unit_id"], "note": data["note"],
                                         "on": event.occurred_on, "event_id": event.event_id})
    elif event.type in flags.PERSON_EVENTS:
        flags.fold_person(state, event, person_id)
    elif event.type == "HelpPlanRecorded":
        planned = state.setdefault("planned_households", [])
        if data["household_id"] not in planned:
            planned.append(data["household_id"])
    elif event.type == "RectificationReported" and event.actor == person_id:
        state["reported"][data["finding_id"]] = event.event_id
    elif event.type == "RectificationVerified" and not data["accepted"]:
        report = state["reported"].get(data["finding_id"])
        if report is not None:
            state["rejections"].append({"finding_id": data["finding_id"], "note": data["note"],
                                        "on": event.occurred_on,
                                        "event_ids": [report, event.event_id]})
    return state


def watched_households(state: State) -> list[str]:
    """Households whose states the trail reads: those to visit and those whose help plans
    name this person in a measure."""
    return sorted({*visited_households(state), *state.get("planned_households", [])})


def _days(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days


def visited_households(state: State) -> list[str]:
    """Households this person had to visit: their visits are kept on the household."""
    return sorted({held["subject_id"] for held in state["assignments"]
                   if held["subject_type"] == "household" and held["role"] in VISITING_ROLES})


def unvisited(state: State, household_states: dict[str, State], rules: State | None,
              on: str) -> list[State]:
    """Stretches longer than the visit period in which an assigned household had no visit
    from this person, from the assignment (or last visit) to the next visit (or `on`)."""
    period = int(rulebook.value(rules, "visit_period_days")["value"])
    lapses = []
    for held in state["assignments"]:
        if held["subject_type"] != "household" or held["role"] not in VISITING_ROLES:
            continue
        if held["from"] > on:
            continue
        end = held["to"] if held["to"] is not None and held["to"] <= on else on
        household = held["subject_id"]
        visits = sorted(
            [v[0], v[1]]
            for v in (household_states.get(household) or {}).get("visits", [])
            if state["person_id"] in v[2] and held["from"] <= v[0] <= end
        )
        last_on, last_event = held["from"], None
        for visit_on, visit_event in visits + [[end, None]]:
            if _days(last_on, visit_on) > period:
                lapses.append({
                    "household_id": household,
                    "from": last_on,
                    "until": visit_on,
                    "days": _days(last_on, visit_on),
                    "visited_at_end": visit_event is not None,
                    "event_ids": [e for e in (held["assigned_event"], last_event, visit_event)
                                  if e is not None],
                })
            last_on, last_event = visit_on, visit_event
    return lapses


def _rejections(state: State, finding_states: list[State]) -> list[State]:
    items = {r["event_ids"][-1]: r for r in state["rejections"]}
    for finding in finding_states:
        if finding["responsible_person_id"] != state["person_id"]:
            continue
        for rejection in finding["rejections"]:
            report = rejection["report"]["event_id"] if rejection.get("report") else None
            items.setdefault(rejection["event_id"], {
                "finding_id": finding["finding_id"], "note": rejection["note"],
                "on": rejection["on"],
                "event_ids": [e for e in (report, rejection["event_id"]) if e is not None],
            })
    return sorted(items.values(), key=lambda r: (r["on"], r["event_ids"][-1]))


def headed_units(state: State) -> list[str]:
    return sorted({held["subject_id"] for held in state["assignments"]
                   if held["subject_type"] == "unit" and held["role"] in MAIN_RESPONSIBLE_ROLES})


def _warnings(state: State, unit_states: dict[str, State], on: str) -> list[State]:
    items = []
    for held in state["assignments"]:
        if held["subject_type"] != "unit" or held["role"] not in MAIN_RESPONSIBLE_ROLES:
            continue
        unit = unit_states.get(held["subject_id"])
        for warning in (unit or {}).get("warnings", {}).values():
            issued = warning["issued_on"]
            if issued > on or not responsibility.holds_on(held, issued):
                continue
            proof = [warning["event_id"], held["assigned_event"]]
            if warning["revoked_event"]:
                proof.append(warning["revoked_event"])
            items.append({"unit_id": held["subject_id"], "role": held["role"],
                          "warning_id": warning["warning_id"], "color": warning["color"],
                          "period": warning["period"], "issued_on": issued,
                          "revoked": warning["revoked_event"] is not None, "event_ids": proof})
    return sorted(items, key=lambda w: (w["issued_on"], w["warning_id"]))


def render(state: State, finding_states: list[State], unit_states: dict[str, State],
           household_states: dict[str, State], rules: State | None, on: str) -> State:
    return {
        "person_id": state["person_id"],
        "name": state["name"],
        "unit_id": state["unit_id"],
        "as_of_date": on,
        "responsibilities": state["assignments"],
        "unvisited_households": unvisited(state, household_states, rules, on),
        "overdue_findings": trace.overdue_items(state["person_id"], state["assignments"],
                                                finding_states, on),
        "rejected_rectifications": _rejections(state, finding_states),
        "warnings_of_units_headed": _warnings(state, unit_states, on),
        "interviews_required": state["interviews_required"],
        "interviews_held": state["interviews_held"],
        "measures": state["measures"],
        "overdue_help_measures": household_plans.overdue_measures(
            state["person_id"], household_states, on),
        "overdue_mismatches": household_plans.overdue_mismatches(
            state["person_id"], state["assignments"], household_states, on),
        **flags.trail(state),
    }
