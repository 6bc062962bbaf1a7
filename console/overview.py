"""The overview (首页) of a county or township: counts, the findings chart, lights, interviews
due, projection lag and the ledger's integrity."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from console import listing
from projections.household_list import UNIT_COLUMNS, HouseholdFilter
from projections.views import Views

State = dict[str, Any]
CHART_MONTHS = 12
LIST_PAGE = 1000


def month_ends(today: date, count: int = CHART_MONTHS) -> list[tuple[str, str]]:
    """(YYYY-MM, last day) of the `count` months up to today's, oldest first."""
    ends = []
    year, month = today.year, today.month
    for _ in range(count):
        following = date(year + (month == 12), month % 12 + 1, 1)
        last = date.fromordinal(following.toordinal() - 1)
        ends.append((f"{year:04d}-{month:02d}", min(last, today).isoformat()))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return ends[::-1]


FINDING_ROWS = "SELECT unit_id, status, raised_on, closed_on, due_date FROM proj_findings"


def _finding_rows(views: Views, scope: set[str]) -> list[State]:
    """The findings of units in scope, as the ledger's own columns (no state is decoded)."""
    return [{"unit_id": r[0], "status": r[1], "raised_on": r[2], "closed_on": r[3],
             "due_date": r[4]} for r in views.store.query(FINDING_ROWS) if r[0] in scope]


def findings_by_month(rows: list[State], today: date) -> list[State]:
    """For each month up to the last with any finding raised or closed (at most today's): open
    and overdue at its end, closed during it (judged by the due dates in force now)."""
    days = [d for f in rows for d in (f["raised_on"], f["closed_on"]) if d]
    last = min(today, date.fromisoformat(max(days))) if days else today
    answer = []
    for month, end in month_ends(last):
        open_then = [f for f in rows if f["raised_on"] <= end
                     and (f["closed_on"] is None or f["closed_on"] > end)]
        answer.append({
            "month": month,
            "open": len(open_then),
            "overdue": sum(1 for f in open_then if f["due_date"] < end),
            "closed": sum(1 for f in rows if f["status"] == "closed" and f["closed_on"]
                          and f["closed_on"][:7] == month),
        })
    return answer


def household_counts(items: Iterable[State]) -> State:
    """Counts over the items of the household list (where the views give no roll-up)."""
    status: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    total = monitored = key = 0
    for item in items:
        total += 1
        status[item["poverty_status"]] += 1
        if item["poverty_status"] == "registered_poor":
            classes[item["exit_class"] or "未评定"] += 1
        monitored += bool(item["monitoring"])
        key += bool(item["key_household"])
    return {"total": total, "by_status": dict(sorted(status.items())),
            "by_class": dict(sorted(classes.items())), "monitored": monitored, "key": key}


def _items(views: Views, query: HouseholdFilter) -> Iterator[State]:
    after: str | None = ""
    while after is not None:
        page = views.household_list(query, after, LIST_PAGE)
        yield from page["items"]
        after = page["next"]


def _from_rollups(rollups: list[State]) -> State:
    """Counts summed over the roll-ups of the views (one per top unit in scope)."""
    status: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    total = monitored = key = 0
    for rollup in rollups:
        counted = rollup["households"]
        total += counted["total"]
        status.update(counted.get("by_poverty_status") or counted.get("by_category") or {})
        classes.update({k: v for k, v in (counted.get("by_exit_class") or {}).items() if v})
        key += counted.get("key_households", 0)
        monitored += (rollup.get("monitored") or {}).get("total", 0)
    return {"total": total, "by_status": dict(sorted(status.items())),
            "by_class": dict(sorted(classes.items())), "monitored": monitored, "key": key}


def latest_light(board: State) -> State | None:
    """The unit's standing light of its latest rated quarter (a withdrawn rating stands no
    more), from the board's `lights_by_quarter` where the views give it."""
    for quarter, ratings in sorted((board.get("lights_by_quarter") or {}).items(),
                                   reverse=True):
        standing = [r for r in ratings if not r.get("withdrawn")]
        if standing:
            return {"unit_id": board["unit_id"], "name": board["name"], "period": quarter,
                    **standing[-1]}
    return None


def build(views: Views, root: str | None) -> State:
    """The overview of `root` and the units below it (None: every unit)."""
    units = listing.all_units(views)
    scope = listing.below(units, root) if root else set(units)
    today = date.fromisoformat(views.clock().date().isoformat())
    tops = [root] if root else sorted(u for u in scope if units[u].get("parent_id") is None)
    boards = {u: b for u, b in ((u, views.unit(u)) for u in sorted(scope)) if b is not None}
    rollups = [boards[u]["rollup"] for u in tops if u in boards and boards[u].get("rollup")]
    if rollups and len(rollups) == len(tops):
        counts = _from_rollups(rollups)
    else:
        column = UNIT_COLUMNS.get(units[root].get("kind", "")) if root else None
        if root and column is None:  # a department or group: no households of its own
            counts = household_counts([])
        else:
            scope_filter = HouseholdFilter(scope=(column, root) if column and root else None)
            counts = household_counts(_items(views, scope_filter))
    rows = _finding_rows(views, scope)
    on = today.isoformat()
    open_rows = [f for f in rows if f["status"] in ("open", "rectification_reported")]
    return {
        "root": units.get(root) if root else None,
        "households": counts,
        "findings": {
            "open": len(open_rows),
            "overdue": sum(1 for f in open_rows if f["due_date"] < on),
            "closed": sum(1 for f in rows if f["status"] == "closed"),
            "by_month": findings_by_month(rows, today),
        },
        "interviews_due": [
            {"unit_id": b["unit_id"], "name": b["name"], **i}
            for b in boards.values() for i in b["interviews"] if i["status"] == "due"],
        "lights": [light for light in map(latest_light, boards.values()) if light],
        "top_units": tops,
        "lag": views.lag(),
    }
