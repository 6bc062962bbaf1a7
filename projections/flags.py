"""What the committee reads of late entries, contradicted decisions and overturned decisions:
the flags listed newest first, and the items they add to subjects and accountability trails."""
from __future__ import annotations

from typing import Any

import orjson

from projections.events import Event

State = dict[str, Any]
FLAG_KIND = "flag"
KINDS = {"LateEntryFlagged": "late_entry", "DecisionContradicted": "contradiction"}
# Consequences of an overturned decision; each names who recorded it (`decided_by`).
OVERTURNS = frozenset({"FindingReopened", "UnitRelisted", "MeasureReopened",
                       "MonitoringResumed", "MismatchReopened", "ScoreWithdrawn",
                       "EventOverturned", "ExitAnnulled", "QuarterlyRatingWithdrawn",
                       "WarningRevoked", "FindingWithdrawn"})
PERSON_EVENTS = OVERTURNS | frozenset(KINDS)


def flag_key(position: int) -> str:
    """Keys that sort as positions do, so a page of flags is one range of the state table."""
    return f"{position:015d}"


def contradiction(event: Event) -> State:
    """A decision later evidence contradicts, as the subject's read shows it."""
    data = event.data
    return {"event_id": data["event_id"], "type": data["type"], "on": data["on"],
            "decided_by": data["decided_by"], "evidence": data["evidence"],
            "reasons": data["reasons"], "flag_event": event.event_id}


def fold_flag(state: State | None, event: Event) -> State:
    """One listed flag: the flag event itself, with its kind."""
    return {"kind": KINDS[event.type], "event_id": event.event_id, "position": event.position,
            "recorded_at": event.recorded_text, "unit_ids": event.data.get("unit_ids", []),
            "data": event.data}


def fold_person(state: State, event: Event, person_id: str) -> None:
    """A person's trail items: decisions of theirs overturned or contradicted, their late
    entries."""
    data = event.data
    if event.type in OVERTURNS and data.get("decided_by") == person_id:
        overturned = _overturned_id(event)
        state.setdefault("overturned_decisions", []).append({
            "type": event.type, "event_id": overturned, "on": event.occurred_on,
            "finding_id": data.get("finding_id"), "warning_id": data.get("warning_id"),
            "event_ids": [e for e in (overturned, event.event_id) if e]})
    elif event.type == "DecisionContradicted" and data["decided_by"] == person_id:
        state.setdefault("contradicted_decisions", []).append(contradiction(event))
    elif event.type == "LateEntryFlagged" and data["recorded_by"] == person_id:
        state.setdefault("late_entries", []).append({
            "event_id": data["event_id"], "type": data["type"], "days_late": data["days_late"],
            "changes": data["changes"], "event_ids": [data["event_id"], event.event_id]})


def _overturned_id(event: Event) -> str | None:
    """The overturned decision's event id; None for a withdrawn finding or revoked warning,
    which name the finding or warning instead."""
    data = event.data
    if "rating_version" in data:  # the light was the same unit's event of that version
        return f"{event.event_id.rpartition(':')[0]}:{data['rating_version']}"
    for name in ("verification_event_id", "delisted_event_id", "completed_event_id",
                 "eliminated_event_id", "resolved_event_id", "score_event_id", "event_id",
                 "exited_event_id"):
        if name in data:
            return str(data[name])
    return None


def trail(state: State) -> State:
    return {"overturned_decisions": state.get("overturned_decisions", []),
            "late_entries": state.get("late_entries", []),
            "contradicted_decisions": state.get("contradicted_decisions", [])}


def page(store: Any, kind: str | None, unit_id: str | None, after: str | None,
         limit: int) -> State:
    """Flags newest first, of one kind and in one unit's subtree if asked; `after` is the
    `next` of the page before."""
    items: list[State] = []
    cursor = after
    while len(items) <= limit:
        statement = "SELECT key, state FROM proj_state WHERE kind = ?"
        params: list[Any] = [FLAG_KIND]
        if cursor is not None:
            statement += " AND key < ?"
            params.append(flag_key(int(cursor)))
        rows = store.query(statement + " ORDER BY key DESC LIMIT ?", [*params, 500])
        for key, raw in rows:
            cursor = str(int(key))
            flag = orjson.loads(raw)
            if kind in (None, flag["kind"]) and unit_id in (None, *flag["unit_ids"]):
                items.append(flag)
                if len(items) > limit:
                    break
        if len(rows) < 500:
            break
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next": str(items[-1]["position"]) if more and items else None}
