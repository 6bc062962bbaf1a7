"""The deeper accountability trace (责任倒查, seeds 001 and 003): a finding that went overdue
reaches everyone responsible for its subject on the day it went overdue (the day after its due
date), by the dates of their `ResponsibilityAssigned` / `ResponsibilityEnded`:
- the helper cadre of a household subject;
- the unit roles (heads, secretaries, first secretary, department head, resident leader) of a
  unit subject and of the unit responsible for the finding on that day;
- the person the finding named as responsible on that day.
Someone who takes over later does not inherit it, and someone who moved keeps what went overdue
on their watch. Who held a finding on a day comes from its `responsibility_history` (entries
`unit_id`, `person_id`, `from`, `event_id`, written when a finding is transferred) when there is
one, else from its current `responsible_unit_id` / `responsible_person_id`.

Finding a person's findings: by the current columns of the findings table, and, for findings
transferred away from a unit or person, by a small `handed_over` state per earlier holder that
the runner keeps (`fold`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ledger.domain.units import MAIN_RESPONSIBLE_ROLES
from projections import responsibility
from projections.events import Event
from projections.lapses import finding_lapse

State = dict[str, Any]
Target = tuple[str, str]
Lookup = Callable[[str, str], State | None]
HANDED_OVER = "handed_over"
HOUSEHOLD_ROLES = ("helper_cadre",)


# Folding: findings handed over, by earlier holder -------------------------------------------
def fold(event: Event, touched: Iterable[Target], lookup: Lookup) -> dict[Target, State]:
    """The `handed_over` states an event changes: every earlier holder of a transferred
    finding (unit and person) lists it, so their trail still finds it."""
    finding_id = event.data.get("finding_id")
    finding = lookup("finding", finding_id) if finding_id else None
    changed: dict[Target, State] = {}
    for entry in (finding or {}).get("responsibility_history", [])[:-1]:
        for kind in ("unit", "person"):
            holder = entry.get(f"{kind}_id")
            if not holder:
                continue
            target = (HANDED_OVER, f"{kind}:{holder}")
            state = changed.get(target) or lookup(*target) or {"finding_ids": []}
            if finding_id not in state["finding_ids"]:
                state["finding_ids"].append(finding_id)
                changed[target] = state
    return changed


def handed_over_keys(person_id: str, unit_ids: Iterable[str]) -> list[str]:
    return [f"person:{person_id}", *(f"unit:{u}" for u in unit_ids)]


# Which findings to look at ---------------------------------------------------------------------
def watched(assignments: list[State]) -> tuple[list[str], list[str]]:
    """The households a person was helper cadre of and the units they held a unit role in."""
    households = sorted({a["subject_id"] for a in assignments if a["subject_type"] == "household"
                         and a["role"] in HOUSEHOLD_ROLES})
    units = sorted({a["subject_id"] for a in assignments if a["subject_type"] == "unit"
                    and a["role"] in MAIN_RESPONSIBLE_ROLES})
    return households, units


def candidates_sql(person_id: str, households: list[str], units: list[str],
                   handed_over: list[str]) -> tuple[str, list[Any]]:
    """A WHERE clause on the findings table for every finding that might reach the person."""
    clauses, params = ["person_id = ?"], [person_id]
    for column, values, extra in (("subject_id", households, "subject_type = 'household' AND "),
                                  ("subject_id", units, "subject_type = 'unit' AND "),
                                  ("unit_id", units, ""),
                                  ("finding_id", handed_over, "")):
        if values:
            clauses.append(f"({extra}{column} IN ({', '.join('?' * len(values))}))")
            params += values
    return " OR ".join(clauses), params


# Judging ----------------------------------------------------------------------------------------
def holder_on(finding: State, on: str) -> State:
    """Who held the finding on `on`: the unit, the person (or None) and the proving event."""
    history = finding.get("responsibility_history") or []
    held = [entry for entry in history if entry["from"] <= on]
    if held:
        entry = held[-1]
        return {"unit_id": entry["unit_id"], "person_id": entry.get("person_id"),
                "event_id": entry.get("event_id")}
    first = history[0] if history else None
    return {"unit_id": first["unit_id"] if first else finding["responsible_unit_id"],
            "person_id": first.get("person_id") if first else finding["responsible_person_id"],
            "event_id": first.get("event_id") if first else finding["raised_event"]}


def reasons(person_id: str, assignments: list[State], finding: State, day: str
            ) -> list[State]:
    """Why the finding that went overdue on `day` reaches this person, each with its proof."""
    holder = holder_on(finding, day)
    found: list[State] = []
    if holder["person_id"] == person_id:
        found.append({"as": "responsible_person", "role": None,
                      "subject_id": finding["finding_id"], "event_id": holder["event_id"]})
    units = {holder["unit_id"]: "responsible_unit"}
    if finding["subject_type"] == "unit":
        units[finding["subject_id"]] = "subject_unit"
    for held in assignments:
        if not responsibility.holds_on(held, day):
            continue
        if held["subject_type"] == "household" and held["role"] in HOUSEHOLD_ROLES \
                and finding["subject_type"] == "household" \
                and held["subject_id"] == finding["subject_id"]:
            basis = "helper_cadre"
        elif held["subject_type"] == "unit" and held["role"] in MAIN_RESPONSIBLE_ROLES \
                and held["subject_id"] in units:
            basis = units[held["subject_id"]]
        else:
            continue
        found.append({"as": basis, "role": held["role"], "subject_id": held["subject_id"],
                      "event_id": held["assigned_event"]})
    return found


def _finding_events(finding: State) -> list[str]:
    proof = [finding["raised_event"]]
    proof += [step["event_id"] for step in finding["trail"]
              if step["type"] in ("DeadlineExtended", "FindingTransferred")]
    if finding["closing_event"]:
        proof.append(finding["closing_event"])
    return proof


def overdue_items(person_id: str, assignments: list[State], finding_states: list[State],
                  on: str) -> list[State]:
    """The findings that went overdue by `on` and reach this person, with their evidence: the
    finding's events and the assignments that made the person responsible."""
    items = []
    for finding in sorted(finding_states, key=lambda f: f["finding_id"]):
        lapse = finding_lapse(finding, on)
        day = lapse["overdue_on"]
        if day is None:
            continue
        why = reasons(person_id, assignments, finding, day)
        if not why:
            continue
        proof = _finding_events(finding)
        proof += [r["event_id"] for r in why if r["event_id"] not in proof]
        items.append({"finding_id": finding["finding_id"], "due_date": finding["due_date"],
                      "original_due_date": lapse["original_due_date"],
                      "overdue_on": day, "closed_late": lapse["closed_late"],
                      "status": finding["status"],
                      "closed_on": finding["closed_on"],
                      "subject_type": finding["subject_type"],
                      "subject_id": finding["subject_id"],
                      "responsible_unit_id": holder_on(finding, day)["unit_id"],
                      "reached_as": why, "event_ids": proof})
    return items
