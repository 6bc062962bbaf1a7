"""The overview (首页) of a county or township: counts, the findings chart, lights, interviews
due, projection lag and the ledger's integrity."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from console import listing
from projections import findings as finding_rules
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


def findings_by_month(states: list[State], today: date) -> list[State]:
    """For each month up to the last with any finding raised or closed (at most today's): open
    and overdue at its end, closed during it (judged by the due dates in force now)."""
    days = [d for f in states for d in (f["raised_on"], f["closed_on"]) if d]
    last = min(today, date.fromisoformat(max(days))) if days else today
    rows = []
    for month, end in month_ends(last):
        open_then = [f for f in states if f["raised_on"] <= end
                     and (f["closed_on"] is None or f["closed_on"] > end)]
        rows.append({
            "month": month,
            "open": len(open_then),
            "overdue": sum(1 for f in open_then if f["due_date"] < end),
            "closed": sum(1 for f in states if f["status"] == "closed" and f["closed_on"]
                          and f["closed_on"][:7] == month),
        })
    return rows


def household_counts(statuses: list[State]) -> State:
    status = Counter(h.get("poverty_status") or h["category"] for h in statuses)
    classes = Counter(h.get("exit_class") or "未评定" for h in statuses
                      if h["category"] == "registered_poor" or h.get("exit_class"))
    monitored = sum(1 for h in statuses if h.get("monitoring") or h["category"] == "monitored")
    return {"total": len(statuses), "by_status": dict(sorted(status.items())),
            "by_class": dict(sorted(classes.items())), "monitored": monitored,
            "key": sum(1 for h in statuses if h.get("key_household"))}


def build(views: Views, root: str | None) -> State:
    """The overview of `root` and the units below it (None: every unit)."""
    units = listing.all_units(views)
    scope = listing.below(units, root) if root else set(units)
    today = date.fromisoformat(views.clock().date().isoformat())
    villages = {u for u in scope if units[u].get("kind") == "village"}
    statuses = list(listing.every_household(views, villages if root else None))
    finding_states = [f for f in views.store.findings() if f["responsible_unit_id"] in scope]
    boards = [b for b in (views.unit(u) for u in sorted(scope)) if b is not None]
    on = today.isoformat()
    return {
        "root": units.get(root) if root else None,
        "households": household_counts(statuses),
        "findings": {
            "open": sum(1 for f in finding_states if finding_rules.is_open(f)),
            "overdue": sum(1 for f in finding_states if finding_rules.is_overdue(f, on)),
            "closed": sum(1 for f in finding_states if f["status"] == "closed"),
            "by_month": findings_by_month(finding_states, today),
        },
        "interviews_due": [
            {"unit_id": b["unit_id"], "name": b["name"], **i}
            for b in boards for i in b["interviews"] if i["status"] == "due"],
        "lights": [{"unit_id": b["unit_id"], "name": b["name"], "lights": b.get("lights")}
                   for b in boards if b.get("lights")],
        "top_units": sorted((u for u in scope if units[u].get("parent_id") not in scope),
                            key=str),
        "lag": views.lag(),
    }
