"""The findings ledger's filters that reach beyond one column: a unit's whole subtree, every
person a finding was ever given to, and findings closed late."""
from __future__ import annotations

from typing import Any

State = dict[str, Any]
Clause = tuple[str, list[Any]]


def subtree(units: dict[str, State], unit_id: str) -> tuple[str, ...]:
    """`unit_id` and every unit below it, from the unit states (units never move)."""
    children: dict[str, list[str]] = {}
    for key, state in units.items():
        if state.get("parent_id"):
            children.setdefault(state["parent_id"], []).append(key)
    found, waiting = [unit_id], [unit_id]
    while waiting:
        for child in sorted(children.get(waiting.pop(), [])):
            if child not in found:
                found.append(child)
                waiting.append(child)
    return tuple(found)


def closed_late(state: State) -> bool:
    """Closed only after it had lapsed (the day after its due date in force, or the lapse the
    finding itself keeps)."""
    if "closed_late" in state:
        return bool(state["closed_late"])
    return state["status"] == "closed" and state["closed_on"] > state["due_date"]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def sql(person_id: str | None, units: tuple[str, ...] | None, late: bool | None
        ) -> list[Clause]:
    clauses: list[Clause] = []
    if person_id is not None:
        # Every holder is kept in `responsibility_history`; the state is compact JSON.
        clauses.append(("(person_id = ? OR state LIKE ? ESCAPE '\\')",
                        [person_id, f'%"person_id":"{_like(person_id)}"%']))
    if units is not None:
        marks = ", ".join("?" * len(units))
        clauses.append((
            f"(unit_id IN ({marks}) OR (subject_type = 'unit' AND subject_id IN ({marks})) "
            "OR (subject_type = 'household' AND subject_id IN (SELECT household_id FROM "
            f"proj_households WHERE village_id IN ({marks}))))", [*units, *units, *units]))
    if late is not None:
        # The patterns go as parameters: psycopg reads a literal percent sign as a placeholder.
        test = ("(state LIKE ? OR (state NOT LIKE ? AND status = 'closed' "
                "AND closed_on > due_date))")
        clauses.append((test if late else f"NOT {test}",
                        ['%"closed_late":true%', '%"closed_late":%']))
    return clauses


def matches(state: State, person_id: str | None, late: bool | None) -> bool:
    """The same tests as `sql` but the subtree's, for replayed states (a replay reads the
    findings the live subtree names)."""
    if person_id is not None and not reached(state, person_id):
        return False
    return late is None or closed_late(state) == late


def reached(state: State, person_id: str) -> bool:
    """Whether the finding was ever given to the person."""
    return state.get("responsible_person_id") == person_id or any(
        held.get("person_id") == person_id for held in state.get("responsibility_history", []))
