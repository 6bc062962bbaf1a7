"""The list of units (督战 at a glance): each unit with its listing, supervising unit and
摘牌 target date, filtered by supervising unit, listing and `past_due` (listed with its due
date passed), in unit_id order. Units are few (hundreds in a county), so a page reads unit
states in key order and filters them as it goes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from projections.store import ProjectionStore

State = dict[str, Any]
CHUNK = 500


@dataclass(frozen=True)
class UnitFilter:
    supervising_unit_id: str | None = None
    listed: bool | None = None
    past_due: bool | None = None
    # Whether a unit is within the reader's scope (None: every unit).
    within: Callable[[str], bool] | None = None


def item(state: State, on: str) -> State:
    listing = state.get("listing")
    due_date = listing.get("due_date") if listing else None
    return {
        "unit_id": state["unit_id"], "name": state["name"], "kind": state["kind"],
        "parent_id": state.get("parent_id"), "listed": listing is not None,
        "level": listing["level"] if listing else None,
        "listed_since": listing["since"] if listing else None,
        "supervising_unit_id": listing.get("supervising_unit_id") if listing else None,
        "due_date": due_date,
        "past_due": due_date is not None and due_date < on,
    }


def _matches(found: State, query: UnitFilter) -> bool:
    return ((query.supervising_unit_id is None
             or found["supervising_unit_id"] == query.supervising_unit_id)
            and (query.listed is None or found["listed"] == query.listed)
            and (query.past_due is None or found["past_due"] == query.past_due)
            and (query.within is None or query.within(found["unit_id"])))


def page(store: ProjectionStore, query: UnitFilter, on: str, after: str, limit: int) -> State:
    """One page in unit_id order, `next` the `after` of the following one (None: the last)."""
    items: list[State] = []
    cursor = after
    while len(items) <= limit:
        rows = store.query("SELECT key, state FROM proj_state WHERE kind = 'unit' AND key > ? "
                           "ORDER BY key LIMIT ?", (cursor, CHUNK))
        for _, state in rows:
            found = item(orjson.loads(state), on)
            if _matches(found, query):
                items.append(found)
        if len(rows) < CHUNK:
            break
        cursor = rows[-1][0]
    names = {s["unit_id"]: s["name"] for s in store.load(
        "unit", {i["supervising_unit_id"] for i in items[:limit] if i["supervising_unit_id"]}
    ).values()}
    for found in items[:limit]:
        found["supervising_unit_name"] = names.get(found["supervising_unit_id"] or "")
    more = len(items) > limit
    return {"items": items[:limit], "next": items[limit - 1]["unit_id"] if more else None}
