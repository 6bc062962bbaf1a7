"""The conditions a household must meet to leave poverty or monitoring, judged on one date.

Both an exit verification (against the income standard of its year) and a risk removal
(against the edge line) need, as known valid on their date: per-capita income at or above
the line, every guarantee met or not applicable, and no open finding on the household. Each
unmet condition is named, so a refusal lists them all at once.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.members import size_on
from ledger.domain.supervision import CHECK_NAMES
from ledger.domain.timeline import Timeline, on

PASSING_CHECKS = ("met", "na")


def per_capita(record: Timeline, day: str) -> float | None:
    income = on(record, "income", day)
    size = size_on(record, day)
    if income is None or not size:
        return None
    return round(sum(income.values()) / size, 2)


def unmet(record: Timeline, day: str, line: str, line_value: float,
          open_finding_ids: list[str]) -> list[dict[str, Any]]:
    """Every condition not met on business day `day`, each with what it was judged on."""
    reasons: list[dict[str, Any]] = []
    income = per_capita(record, day)
    if income is None or income < line_value:
        known = "no income is recorded" if income is None else f"per-capita income {income:g}"
        reasons.append({
            "condition": "income", "per_capita": income, "line": line, "line_value": line_value,
            "message": f"{known} on {day}; needs at least {line_value:g} ({line})",
        })
    for name in CHECK_NAMES:
        value = on(record, name, day) or "unknown"
        if value not in PASSING_CHECKS:
            reasons.append({"condition": "guarantee", "guarantee": name, "value": value,
                            "message": f"{name} is {value} on {day}"})
    if open_finding_ids:
        reasons.append({"condition": "open_findings", "finding_ids": sorted(open_finding_ids),
                        "message": f"{len(open_finding_ids)} finding(s) open on the household"})
    return reasons
