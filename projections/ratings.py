"""Quarterly lights (季度考核亮灯): one state per quarter with the standing light of each unit
rated in it, ranked on reading."""
from __future__ import annotations

from typing import Any

from projections.events import Event

State = dict[str, Any]
LIGHTS = ("green", "yellow", "red")


def apply(state: State | None, event: Event) -> State | None:
    data = event.data
    if event.type == "QuarterlyRatingRecorded":
        state = state or {"period": data["period"], "units": {}, "withdrawn": []}
        state["units"][data["unit_id"]] = {
            "unit_id": data["unit_id"], "light": data["light"], "score": data.get("score"),
            "note": data.get("note"), "on": event.occurred_on, "event_id": event.event_id}
    elif event.type == "QuarterlyRatingWithdrawn" and state is not None:
        rating = state["units"].pop(data["unit_id"], None)
        if rating is not None:
            state["withdrawn"].append({**rating, "withdrawn_event": event.event_id})
    return state


def render(period: str, state: State | None, units: dict[str, State], kind: str | None
           ) -> State:
    """Rated units (of `kind`, if given) ranked by score, highest first (ties share a rank;
    units rated without a score come last, unranked), with the count of each light."""
    rated = [
        {**rating, "name": units.get(rating["unit_id"], {}).get("name"),
         "kind": units.get(rating["unit_id"], {}).get("kind")}
        for rating in (state or {}).get("units", {}).values()
    ]
    if kind is not None:
        rated = [r for r in rated if r["kind"] == kind]
    rated.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["unit_id"]))
    previous: tuple[int, float] | None = None
    for place, rating in enumerate(rated, start=1):
        if rating["score"] is None:
            rating["rank"] = None
            continue
        if previous is None or rating["score"] != previous[1]:
            previous = (place, rating["score"])
        rating["rank"] = previous[0]
    return {
        "period": period,
        "kind": kind,
        "units": rated,
        "counts": {light: sum(r["light"] == light for r in rated) for light in LIGHTS},
    }
