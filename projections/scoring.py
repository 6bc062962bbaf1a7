"""Competition scoring (大比武): village totals out of 100 per round, ranked (seed 001)."""
from __future__ import annotations

from typing import Any

from ledger.domain.scoring import SECTION_MAXIMA
from projections.events import Event

State = dict[str, Any]
# Seed 001: first, second and third get 5000, 3000, 2000 yuan; the last three lose the same.
PRIZES = (5000, 3000, 2000)


def apply(state: State | None, event: Event) -> State | None:
    if event.type != "ScoreRecorded":
        return state
    data = event.data
    state = state or {"round_id": data["round_id"], "villages": {}}
    state["villages"].setdefault(data["village_id"], {})[data["section"]] = {
        "points": data["points"],
        "event_id": event.event_id,
    }
    return state


def render(state: State) -> State:
    rows = []
    for village_id, sections in state["villages"].items():
        rows.append({
            "village_id": village_id,
            "sections": sections,
            "total": round(sum(s["points"] for s in sections.values()), 2),
            "out_of": sum(SECTION_MAXIMA.values()),
            "complete": set(sections) == set(SECTION_MAXIMA),
        })
    rows.sort(key=lambda r: (-r["total"], r["village_id"]))
    for i, row in enumerate(rows):
        tied = i > 0 and row["total"] == rows[i - 1]["total"]
        row["rank"] = rows[i - 1]["rank"] if tied else i + 1
    top = rows[: min(3, len(rows))]
    bottom = rows[len(top):][-3:]
    return {
        "round_id": state["round_id"],
        "villages": rows,
        "top": [{"village_id": r["village_id"], "total": r["total"], "reward": prize}
                for r, prize in zip(top, PRIZES, strict=False)],
        "bottom": [{"village_id": r["village_id"], "total": r["total"], "deduction": prize}
                   for r, prize in zip(reversed(bottom), PRIZES, strict=False)],
    }
