"""Competition scoring (大比武): village totals out of 100 per round, ranked (seed 001).

Rewards go to the first three villages and deductions to the last three. A tie at a place
that carries money is reported as a tie (the villages, the amounts at stake), never broken by
name. Only villages with every section scored compete for them; the others are listed as
incomplete with what they miss. A round states its month (`ScoreRecorded.month`), and each
village's yearly total adds up its rounds of that year (seed 001: it counts in the year-end
review)."""
from __future__ import annotations

from typing import Any

from ledger.domain.scoring import SECTION_MAXIMA
from projections.events import Event

State = dict[str, Any]
# Seed 001: first, second and third get 5000, 3000, 2000 yuan; the last three lose the same.
PRIZES = (5000, 3000, 2000)


def apply(state: State | None, event: Event) -> State | None:
    if event.type == "ScoreWithdrawn" and state is not None:
        sections = state["villages"].get(event.data["village_id"], {})
        if sections.get(event.data["section"], {}).get("event_id") == \
                event.data["score_event_id"]:
            del sections[event.data["section"]]
        return state
    if event.type != "ScoreRecorded":
        return state
    data = event.data
    state = state or {"round_id": data["round_id"], "villages": {}}
    state["villages"].setdefault(data["village_id"], {})[data["section"]] = {
        "points": data["points"],
        "event_id": event.event_id,
    }
    if data.get("month"):
        state["month"] = {"month": data["month"], "event_id": event.event_id}
    return state


def _rows(state: State) -> list[State]:
    rows = []
    for village_id, sections in state["villages"].items():
        rows.append({
            "village_id": village_id,
            "sections": sections,
            "total": round(sum(s["points"] for s in sections.values()), 2),
            "out_of": sum(SECTION_MAXIMA.values()),
            "complete": set(sections) == set(SECTION_MAXIMA),
            "missing": [name for name in SECTION_MAXIMA if name not in sections],
        })
    rows.sort(key=lambda r: (-r["total"], r["village_id"]))
    for i, row in enumerate(rows):
        tied = i > 0 and row["total"] == rows[i - 1]["total"]
        row["rank"] = rows[i - 1]["rank"] if tied else i + 1
    return rows


def _places(ordered: list[State], amount: str, cut: str) -> tuple[list[State], list[State]]:
    """The villages on the paid places of `ordered` (best first for rewards, worst first for
    deductions): each tie group whole, with the amount only where the place is not shared."""
    places, ties = [], []
    i = 0
    while i < min(len(ordered), len(PRIZES)):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1]["total"] == ordered[i]["total"]:
            j += 1
        group = sorted(ordered[i:j + 1], key=lambda r: r["village_id"])
        tied = len(group) > 1
        for row in group:
            places.append({"village_id": row["village_id"], "total": row["total"],
                           "place": i + 1, amount: None if tied else PRIZES[i], "tied": tied})
        if tied:
            ties.append({"cut": cut, "place": i + 1, "total": group[0]["total"],
                         "village_ids": [r["village_id"] for r in group],
                         "amounts": list(PRIZES[i:j + 1])})
        i = j + 1
    return places, ties


def render(state: State) -> State:
    rows = _rows(state)
    competing = [r for r in rows if r["complete"]]
    top, top_ties = _places(competing, "reward", "reward")
    rewarded = {t["village_id"] for t in top}
    rest = [r for r in competing if r["village_id"] not in rewarded]
    bottom, bottom_ties = _places(rest[::-1], "deduction", "deduction")
    month = state.get("month")
    return {
        "round_id": state["round_id"],
        "month": month["month"] if month else None,
        "villages": rows,
        "top": top,
        "bottom": bottom,
        "ties": top_ties + bottom_ties,
        "incomplete": [{"village_id": r["village_id"], "missing": r["missing"]}
                       for r in rows if not r["complete"]],
    }


def year(rounds: list[State], year_: int) -> State:
    """Each village's total across the rounds of `year_` (by their stated month), ranked."""
    prefix = f"{year_}-"
    counted = sorted((r for r in rounds if (r.get("month") or {}).get("month", "")
                      .startswith(prefix)), key=lambda r: (r["month"]["month"], r["round_id"]))
    villages: dict[str, State] = {}
    for round_ in counted:
        for row in _rows(round_):
            village = villages.setdefault(row["village_id"], {
                "village_id": row["village_id"], "total": 0.0, "rounds": [],
                "incomplete_rounds": 0})
            village["total"] = round(village["total"] + row["total"], 2)
            village["rounds"].append({"round_id": round_["round_id"],
                                      "month": round_["month"]["month"],
                                      "total": row["total"], "complete": row["complete"]})
            village["incomplete_rounds"] += not row["complete"]
    ranked = sorted(villages.values(), key=lambda v: (-v["total"], v["village_id"]))
    for i, village in enumerate(ranked):
        tied = i > 0 and village["total"] == ranked[i - 1]["total"]
        village["rank"] = ranked[i - 1]["rank"] if tied else i + 1
    return {
        "year": year_,
        "rounds": [{"round_id": r["round_id"], "month": r["month"]["month"]} for r in counted],
        "rounds_without_month": sorted(r["round_id"] for r in rounds if not r.get("month")),
        "villages": ranked,
    }
