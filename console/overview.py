"""The overview (首页) of a county or township: counts, the findings chart, lights, interviews
due, projection lag and the ledger's integrity."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from console import listing
from projections.views import Views

State = dict[str, Any]
CHART_MONTHS = 12


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


def household_counts(statuses: list[State]) -> State:
    """Counts over rendered statuses (where the views give no roll-up)."""
    status = Counter(h.get("poverty_status") or h["category"] for h in statuses)
    classes = Counter(h.get("exit_class") or "未评定" for h in statuses
                      if h["category"] == "registered_poor" or h.get("exit_class"))
    monitored = sum(1 for h in statuses if h.get("monitoring") or h["category"] == "monitored")
    return {"total": len(statuses), "by_status": dict(sorted(status.items())),
            "by_class": dict(sorted(classes.items())), "monitored": monitored,
            "key": sum(1 for h in statuses if h.get("key_household"))}


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
        villages = {u for u in scope if units[u].get("kind") == "village"}
        counts = household_counts(list(listing.every_household(views, villages)))
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
