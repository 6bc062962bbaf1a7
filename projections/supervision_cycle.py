"""The unit supervision cycle on the unit board: supervision done and its gaps, quarterly
lights, findings transferred away.

Which inspections count as supervision of a listed unit: 督战 (`supervision`), 巡回督战
(`roving`), 四不两直 (`unannounced`) and the 五查 of seed 004 (`special`, `observation`,
`exposure`, `interactive`; its 通报督查 and 晾晒督查 are both `exposure`), recorded with the
listed unit as their subject. A `cross_check` (交叉检查) is a screening between areas (seed
001), not the supervision of a listed unit, and a visit or call is a household's, so neither
counts.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from projections import rulebook
from projections.events import Event

State = dict[str, Any]
SUPERVISION_METHODS = ("supervision", "roving", "unannounced", "special", "observation",
                       "exposure", "interactive")


# Folds into the unit's state (keys made on first use, so states folded before them still load)
def inspected(state: State, event: Event) -> None:
    data = event.data
    if data["subject_type"] != "unit" or data["method"] not in SUPERVISION_METHODS:
        return
    state.setdefault("supervisions", []).append({
        "inspection_id": data["inspection_id"], "method": data["method"],
        "on": event.occurred_on, "inspector_ids": data["inspector_ids"],
        "event_id": event.event_id})


def tallied(state: State, event: Event) -> None:
    """The write side's tally of findings open in the unit's subtree, mirrored."""
    change = -1 if event.type == "OpenFindingSettled" else 1
    state["open_in_subtree"] = max(0, state.get("open_in_subtree", 0) + change)


def rated(state: State, event: Event) -> None:
    data = event.data
    state.setdefault("lights", {}).setdefault(data["period"], []).append({
        "light": data["light"], "score": data.get("score"), "note": data.get("note"),
        "on": event.occurred_on, "event_id": event.event_id, "withdrawn_event": None})


def rating_withdrawn(state: State, event: Event) -> None:
    for rating in state.get("lights", {}).get(event.data["period"], []):
        if rating["withdrawn_event"] is None:
            rating["withdrawn_event"] = event.event_id


def finding_transferred(state: State, event: Event) -> None:
    """On the unit that gives the finding away (the one it is not transferred to)."""
    if event.data["to_unit_id"] == state["unit_id"]:
        return
    state.setdefault("transferred_out", {})[event.data["finding_id"]] = {
        "to_unit_id": event.data["to_unit_id"], "on": event.occurred_on,
        "event_id": event.event_id}


# The board ------------------------------------------------------------------------------
def _day(text: str) -> date:
    return date.fromisoformat(text)


def _spells(state: State, on: str) -> list[tuple[str, str | None]]:
    """Each stretch the unit was listed: (first day, day it was delisted or None)."""
    spells: list[tuple[str, str | None]] = []
    for change in state["listing_history"]:
        if change["change"] == "listed":
            spells.append((change["on"], None))
        elif spells and spells[-1][1] is None:
            spells[-1] = (spells[-1][0], change["on"])
    return [(start, end) for start, end in spells if start <= on]


def supervision_gaps(state: State, period_days: int, on: str) -> list[State]:
    """The periods of `period_days` from each listing, ended before `on` while the unit was
    still listed, in which no supervision-type inspection of it took place."""
    days = sorted(s["on"] for s in state.get("supervisions", []))
    gaps = []
    for start, end in _spells(state, on):
        first = _day(start)
        while True:
            last = first + timedelta(days=period_days - 1)
            if last.isoformat() >= on or (end is not None and last.isoformat() >= end):
                break
            if not any(first.isoformat() <= d <= last.isoformat() for d in days):
                gaps.append({"from": first.isoformat(), "to": last.isoformat(),
                             "days": period_days})
            first = last + timedelta(days=1)
    return gaps


def board(state: State, rules: State | None, on: str) -> State:
    """What the supervision cycle adds to a unit board."""
    listing = state["listing"] or {}
    period = rulebook.value(rules, "supervision_period_days")
    lights = {
        quarter: [{**r, "withdrawn": r["withdrawn_event"] is not None} for r in ratings]
        for quarter, ratings in sorted(state.get("lights", {}).items())
    }
    return {
        "supervising_unit_id": listing.get("supervising_unit_id"),
        "due_date": listing.get("due_date"),
        "supervision_inspections": state.get("supervisions", []),
        "supervision_period_days": period,
        "supervision_gaps": supervision_gaps(state, int(period["value"]), on),
        "lights_by_quarter": lights,
        "open_findings_in_subtree": state.get("open_in_subtree", 0),
    }


def transferred_ids(state: State) -> list[str]:
    return sorted(state.get("transferred_out", {}))


def transfers_out(state: State, transferred: list[State]) -> State:
    """Findings this unit gave away, and those of them that had gone overdue before it did:
    that overdue stays with this unit (`transferred`: those findings' states)."""
    overdue = sorted(
        f["finding_id"] for f in transferred
        if any(t["from_unit_id"] == state["unit_id"] and t["overdue"]
               for t in f.get("transfers", [])))
    return {"transferred_out": transferred_ids(state), "overdue_before_transfer": overdue}
