"""What the console reads beyond the views' own answers: every unit (a county has hundreds,
so they are loaded whole) and the full statuses of a village's or a unit's households, for
the exit 公示 list and the overview where the views give no roll-up. Statuses are rendered by
the views' own fold (`projections.households.render`) from states loaded in bulk; which
households to render comes from the household list (`Views.household_list`)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from projections import households
from projections.household_list import HouseholdFilter
from projections.replay import Cut
from projections.routing import RULES_KEY
from projections.views import Views

State = dict[str, Any]
PAGE = 1000


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


def household_ids(views: Views, query: HouseholdFilter) -> Iterator[str]:
    after: str | None = ""
    while after is not None:
        page = views.household_list(query, after, PAGE)
        yield from (item["household_id"] for item in page["items"])
        after = page["next"]


def statuses(views: Views, keys: Iterable[str]) -> Iterator[State]:
    """The live statuses of these households, a thousand at a time, personal fields opened."""
    on = Cut().on(views.clock())
    rules = views.store.load_one("rules", RULES_KEY)
    chunk: list[str] = []
    for key in [*keys, None]:
        if key is not None:
            chunk.append(key)
        if chunk and (key is None or len(chunk) == PAGE):
            states = views.store.load("household", chunk)
            about = _findings_about(views, chunk)
            rendered = [households.render(states[found], about.get(found, []), rules, on)
                        for found in chunk if found in states]
            yield from views.reveal(rendered)  # names opened here, as every view's are
            chunk = []


def _findings_about(views: Views, keys: list[str]) -> dict[str, list[State]]:
    about: dict[str, list[State]] = {}
    marks = ", ".join("?" * len(keys))
    for finding in views.store.findings(
            f"subject_type = 'household' AND subject_id IN ({marks})", keys):
        about.setdefault(finding["subject_id"], []).append(finding)
    return about


def village_statuses(views: Views, village_id: str) -> Iterator[State]:
    return statuses(views, household_ids(views, HouseholdFilter(village_id=village_id)))
