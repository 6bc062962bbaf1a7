"""Lists the console needs that the views do not offer yet: every unit, and household statuses
page by page. Interim: the household list endpoint of the views replaces `households_page`
(keep the swap to this one function); units are few (a county has hundreds), so they are
loaded whole. Statuses are rendered by the views' own fold (`projections.households.render`)
from states loaded in bulk, so a page costs a few queries whatever its length."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from projections import households
from projections.replay import Cut
from projections.routing import RULES_KEY
from projections.views import Views

State = dict[str, Any]
SCAN = 500


def all_units(views: Views) -> dict[str, State]:
    keys = [row[0] for row in views.store.query(
        "SELECT key FROM proj_state WHERE kind = ? ORDER BY key", ("unit",))]
    return views.store.load("unit", keys)


def below(units: dict[str, State], root: str) -> set[str]:
    """`root` and every unit under it."""
    children: dict[str | None, list[str]] = {}
    for unit_id, state in units.items():
        children.setdefault(state.get("parent_id"), []).append(unit_id)
    found, todo = set(), [root]
    while todo:
        unit_id = todo.pop()
        if unit_id not in found:
            found.add(unit_id)
            todo.extend(children.get(unit_id, []))
    return found


def households_page(views: Views, villages: set[str] | None,
                    keep: Callable[[State], bool], after: str, limit: int
                    ) -> tuple[list[State], str | None]:
    """Household statuses after `after` in id order, in `villages` (None: all), that `keep`
    accepts; and the id to continue after, or None at the end."""
    found: list[State] = []
    cursor = after
    on = Cut().on(views.clock())
    rules = views.store.load_one("rules", RULES_KEY)
    while True:
        keys = [row[0] for row in views.store.query(
            "SELECT key FROM proj_state WHERE kind = ? AND key > ? ORDER BY key LIMIT ?",
            ("household", cursor, SCAN))]
        states = views.store.load("household", keys)
        wanted = [k for k in keys if k in states and
                  (villages is None or states[k]["village_id"] in villages)]
        about = _findings_about(views, wanted)
        for key in wanted:
            status = households.render(states[key], about.get(key, []), rules, on)
            if keep(status):
                found.append(status)
                if len(found) == limit:
                    return found, key
        if len(keys) < SCAN:
            return found, None
        cursor = keys[-1]


def _findings_about(views: Views, keys: list[str]) -> dict[str, list[State]]:
    about: dict[str, list[State]] = {}
    if not keys:
        return about
    marks = ", ".join("?" * len(keys))
    for finding in views.store.findings(
            f"subject_type = 'household' AND subject_id IN ({marks})", keys):
        about.setdefault(finding["subject_id"], []).append(finding)
    return about


def every_household(views: Views, villages: set[str] | None) -> Iterable[State]:
    cursor: str | None = ""
    while cursor is not None:
        page, cursor = households_page(views, villages, lambda _: True, cursor, SCAN)
        yield from page
