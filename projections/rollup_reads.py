"""Reading roll-ups: live from the counters `projections.rollups` keeps, or replayed by walking
the subtree (replays may be slower; only the live board has to be fast)."""
from __future__ import annotations

from typing import Any

from projections import findings
from projections.replay import Cut, replay_many
from projections.rollups import ROLLUP, add_household, bump, empty_counts, figures_of, render
from projections.store import ProjectionStore

State = dict[str, Any]
CHUNK = 400


def live(state: State | None, rules: State | None, on: str) -> State:
    """The live roll-up from the unit's `rollup` state: one state, whatever the size of the
    subtree."""
    return render(state["counts"] if state else empty_counts(), rules, on)


def replayed(store: ProjectionStore, unit_id: str, cut: Cut, rules: State | None,
             on: str) -> State:
    """The roll-up under `as_of` / `valid_at`, by walking: the units below `unit_id` and their
    households are taken from the live roll-up states (children, own households), then the
    events of those subjects that the cut lets through are folded afresh (a few hundred subjects
    per query), each household's figures worked out on its latest date within the cut, and
    everything added up. Units and households the cut does not reach count nothing."""
    units, household_ids = _subtree(store, unit_id)
    counts = empty_counts()
    subjects = [f"unit:{u}" for u in units] + [f"household:{h}" for h in household_ids]
    unit_findings: dict[str, State] = {}
    for start in range(0, len(subjects), CHUNK):
        folder, latest = replay_many(store, subjects[start:start + CHUNK], cut)
        found = [s for (kind, _), s in folder.states.items() if kind == "finding" and s]
        for (kind, key), state in folder.states.items():
            if state is None:
                continue
            if kind == "unit" and key in units:
                counts["units"] += 1
                for year, population in state.get("populations", {}).items():
                    bump(counts.setdefault("population", {}), year, population)
            elif kind == "household" and (kind, key) in latest:
                open_states = [f for f in found if f["subject_type"] == "household"
                               and f["subject_id"] == key and findings.is_open(f)]
                figures = figures_of(state, open_states, rules, latest[(kind, key)])
                add_household(counts, figures, 1)
        unit_findings.update((f["finding_id"], f) for f in found
                             if f["subject_type"] == "unit" and f["subject_id"] in units)
    for finding in unit_findings.values():
        if findings.is_open(finding):
            bump(counts["open_due"]["unit"], finding["due_date"], 1)
    return render(counts, rules, on)


def _subtree(store: ProjectionStore, unit_id: str) -> tuple[set[str], list[str]]:
    units, household_ids, level = {unit_id}, [], [unit_id]
    while level:
        states = store.load(ROLLUP, level)
        level = []
        for state in states.values():
            household_ids += state["household_ids"]
            level += [child for child in state["children"] if child not in units]
        units.update(level)
    return units, household_ids
