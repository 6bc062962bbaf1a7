"""The rules in force: folded from RuleParameterSet events, with the seeds' defaults."""
from __future__ import annotations

from typing import Any

from ledger.domain.rules import PARAMETERS
from projections.events import Event

State = dict[str, Any]
ANY_YEAR = "*"


def apply(state: State | None, event: Event) -> State | None:
    if event.type != "RuleParameterSet":
        return state
    state = state or {}
    data = event.data
    year = str(data["year"]) if "year" in data else ANY_YEAR
    state.setdefault(data["parameter"], {})[year] = {
        "value": data["value"],
        "event_id": event.event_id,
    }
    return state


def value(state: State | None, parameter: str, year: int | None = None) -> State:
    """The value in force and where it comes from: a setting for the year, for every year,
    or the default."""
    settings = (state or {}).get(parameter, {})
    for key in ([str(year)] if year is not None else []) + [ANY_YEAR]:
        if key in settings:
            return {"value": settings[key]["value"], "event_id": settings[key]["event_id"]}
    _, _, _, default, why = PARAMETERS[parameter]
    return {"value": default, "event_id": None, "default": why}


def review_period(state: State | None, on: str) -> str:
    """The review period containing business date `on`: `2020-Q1` or `2020-03` and so on."""
    months = int(value(state, "review_period_months")["value"])
    year, month = int(on[:4]), int(on[5:7])
    if months == 1:
        return f"{year}-{month:02d}"
    if months == 3:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-P{(month - 1) // months + 1}"
