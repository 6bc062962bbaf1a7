"""Roll-ups (seed 001 "计入所在村和镇问题总量", "不漏一户"): what a unit and every unit below it
add up to, kept as counters by the projections so the live board reads one state.

Two kinds of state, written beside the folds they follow:
- `rollup` (one per unit): counters for the unit's whole subtree (households by category,
  poverty status, exit class and monitoring type; open findings on units and on households
  counted by due date; households counted by the date of their last visit), with the unit's
  children, its own households and its own open findings.
- `rollup_household` (one per household): what the household last added to the counters, so a
  change is applied as a difference (take the old figures away, add the new).

Whenever an event touches a household (its own events, a finding about it), its figures are
worked out again from its rendered status and the difference goes to its village and every unit
above it, found by following `parent_id` in the unit states at fold time. A finding about a unit
does the same from that unit. Counts that depend on today are kept by date so the read judges
them: a finding is overdue when its due date is before today, a household is covered when its
last visit is within the visit period before today.

A household's figures are judged on the latest business date of the events that may change
them (the exit class takes the income standard of that year) with the rules as folded then; a later
`RuleParameterSet` does not re-judge households until their next event. After changing this
fold, `ledger rebuild --fresh` rebuilds the counters from zero.

Replays (`as_of`, `valid_at`) do not use the counters: `projections.rollup_reads` walks the
subtree instead.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from projections import findings, households, rulebook
from projections.events import Event

State = dict[str, Any]
Target = tuple[str, str]
Lookup = Callable[[str, str], State | None]
ROLLUP = "rollup"
MEMBER = "rollup_household"
RULES_KEY = "rules"  # projections.routing.RULES_KEY; routing imports this module
EXIT_CLASSES = ("A", "B", "C")
UNCLASSIFIED = "unclassified"
NEVER = ""  # the visit-date key of households never visited
# Household events that change none of its figures: nothing to work out again.
UNCOUNTED = frozenset({"ResponsibilityAssigned", "ResponsibilityEnded"})


# What one household adds up to -------------------------------------------------------------
def household_figures(status: State) -> State:
    """The figures a rendered household status contributes to the roll-ups. Fields other
    parts of the ledger may not render yet are read with their defaults: `poverty_status`
    follows from the category, `monitoring` is none."""
    category = status["category"]
    poverty = status.get("poverty_status") or (
        category if category in ("registered_poor", "exited") else "not_registered")
    monitoring = status.get("monitoring")
    if isinstance(monitoring, dict):
        monitoring = monitoring.get("type") or monitoring.get("monitoring_type")
    last_visit = status.get("last_visit")
    return {
        "village_id": status["village_id"],
        "category": category,
        "poverty_status": poverty,
        "exit_class": status.get("exit_class") or UNCLASSIFIED,
        "monitoring": monitoring or None,
        "key": bool(status.get("key_household")),
        "last_visit": last_visit["on"] if last_visit else NEVER,
        "size": int(status.get("size") or 0),
    }


def figures_of(household: State, open_findings: list[State], rules: State | None,
             on: str) -> State:
    figures = household_figures(households.render(household, open_findings, rules, on))
    due: dict[str, int] = {}
    for finding in open_findings:
        due[finding["due_date"]] = due.get(finding["due_date"], 0) + 1
    return {**figures, "open_due": due}


# Counters ------------------------------------------------------------------------------------
def empty_counts() -> State:
    return {"units": 0, "households": 0, "category": {}, "poverty_status": {},
            "exit_class": {}, "monitoring": {}, "key": 0, "visits": {},
            "open_due": {"unit": {}, "household": {}}}


def bump(counter: dict[str, int], key: str, by: int) -> None:
    value = counter.get(key, 0) + by
    if value:
        counter[key] = value
    else:
        counter.pop(key, None)


Path = tuple[str, ...]


def contribution(figures: State) -> dict[Path, int]:
    """One household's figures as counter entries: a path into the counts and a number."""
    entries: dict[Path, int] = {("households",): 1, ("category", figures["category"]): 1,
                                ("poverty_status", figures["poverty_status"]): 1,
                                ("exit_class", figures["exit_class"]): 1,
                                ("visits", figures["category"], figures["last_visit"]): 1}
    if figures.get("size"):
        entries[("people", figures["poverty_status"])] = figures["size"]
    if figures["monitoring"]:
        entries[("monitoring", figures["monitoring"])] = 1
    if figures["key"]:
        entries[("key",)] = 1
    for due, count in figures["open_due"].items():
        entries[("open_due", "household", due)] = count
    return entries


def difference(old: dict[Path, int], new: dict[Path, int]) -> dict[Path, int]:
    """What changes when `old` entries give way to `new` ones (only the entries that move)."""
    moved = {path: count - old.get(path, 0) for path, count in new.items()}
    moved.update((path, -count) for path, count in old.items() if path not in new)
    return {path: by for path, by in moved.items() if by}


def add_entries(counts: State, entries: dict[Path, int]) -> None:
    for path, by in entries.items():
        if len(path) == 1:
            counts[path[0]] += by
            continue
        counter = counts.setdefault(path[0], {})  # counters added later start empty
        for name in path[1:-1]:
            counter = counter.setdefault(name, {})
        bump(counter, path[-1], by)
        if path[0] == "visits" and not counter:
            del counts["visits"][path[1]]


def add_household(counts: State, figures: State, sign: int) -> None:
    """Add (`sign` 1) or take away (-1) one household's figures."""
    add_entries(counts, {path: sign * by for path, by in contribution(figures).items()})


def new_rollup(unit: State) -> State:
    counts = empty_counts()
    counts["units"] = 1
    return {"unit_id": unit["unit_id"], "parent_id": unit.get("parent_id"), "children": [],
            "household_ids": [], "own_open": {}, "counts": counts}


# Folding ---------------------------------------------------------------------------------------
class _Changes:
    """The roll-up states one event changes, loaded through the folder's lookup."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.changed: dict[Target, State] = {}

    def get(self, kind: str, key: str) -> State | None:
        return self.changed.get((kind, key)) or self.lookup(kind, key)

    def put(self, kind: str, key: str, state: State) -> None:
        self.changed[(kind, key)] = state

    def rollup(self, unit_id: str) -> State | None:
        state = self.get(ROLLUP, unit_id)
        if state is None:
            unit = self.lookup("unit", unit_id)
            if unit is None:
                return None
            state = new_rollup(unit)
        self.put(ROLLUP, unit_id, state)
        return state

    def chain(self, unit_id: str | None) -> list[State]:
        """The roll-ups of the unit and every unit above it."""
        found: list[State] = []
        seen: set[str] = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            state = self.rollup(unit_id)
            if state is None:
                break
            found.append(state)
            unit = self.lookup("unit", unit_id)
            unit_id = None if unit is None else unit.get("parent_id")
        return found


# Events before which households waiting to be counted are counted: they change what counting
# reads (the rules, the unit tree) or what a household's own counting skips (`UNCOUNTED`).
SETTLE_BEFORE = frozenset({"RuleParameterSet", "UnitRegistered"}) | UNCOUNTED


def fold(event: Event, touched: Iterable[Target], lookup: Lookup,
         waiting: dict[str, None] | None = None) -> dict[Target, State]:
    """The roll-up states `event` changes, given the states it touched (already folded).

    With `waiting`, a household's figures are not worked out at each of its events: its id is
    added to `waiting` and `settle` works them out once for all its events since (a rebuild
    folds a household's many events in one page). The counters come out the same: each
    difference goes to the same units, and they add up to the last figures less the first."""
    changes = _Changes(lookup)
    finding = None
    if "finding_id" in event.data:
        finding = lookup("finding", event.data["finding_id"])
    for kind, key in touched:
        if kind == "household":
            _household(changes, event, key, finding, waiting)
        elif kind == "unit" and event.type == "UnitRegistered":
            _unit_registered(changes, key)
        elif kind == "unit" and event.type == "VillagePopulationRecorded":
            _population(changes, key, str(event.data["year"]), event.data["population"])
    if finding is not None and finding["subject_type"] == "unit":
        _unit_finding(changes, finding)
    return changes.changed


def _unit_registered(changes: _Changes, unit_id: str) -> None:
    if changes.get(ROLLUP, unit_id) is not None:
        return
    state = changes.rollup(unit_id)
    if state is None or state["parent_id"] is None:
        return
    parent = changes.rollup(state["parent_id"])
    if parent is not None and unit_id not in parent["children"]:
        parent["children"].append(unit_id)
    for above in changes.chain(state["parent_id"]):
        above["counts"]["units"] += 1


def _population(changes: _Changes, village_id: str, year: str, population: int) -> None:
    """A village's population for a year (a later recording replaces the earlier one)."""
    own = changes.rollup(village_id)
    if own is None:
        return
    recorded = own.setdefault("own_population", {})
    by = population - recorded.get(year, 0)
    recorded[year] = population
    for rollup in changes.chain(village_id):
        bump(rollup["counts"].setdefault("population", {}), year, by)


def poverty_incidence(counts: State, on: str) -> State:
    """People of registered_poor households ÷ the population recorded for the year of `on`
    (or the latest year before it) in the subtree; null without a population."""
    populations = counts.get("population", {})
    years = sorted(y for y in populations if y <= on[:4])
    year = years[-1] if years else None
    population = populations[year] if year else None
    poor = counts.get("people", {}).get("registered_poor", 0)
    return {"year": None if year is None else int(year), "population": population,
            "poor_people": poor,
            "incidence": round(poor / population, 4) if population else None}


def _household(changes: _Changes, event: Event, household_id: str,
               finding: State | None, waiting: dict[str, None] | None = None) -> None:
    household = changes.lookup("household", household_id)
    if household is None:
        return
    member = changes.get(MEMBER, household_id) or {"on": "", "open": {}, "figures": None}
    if event.type in UNCOUNTED and member["figures"] is not None:
        return
    member["on"] = max(member["on"], event.occurred_on)
    if finding is not None and finding["subject_type"] == "household" \
            and finding["subject_id"] == household_id:
        if findings.is_open(finding):
            member["open"][finding["finding_id"]] = finding["due_date"]
        else:
            member["open"].pop(finding["finding_id"], None)
    changes.put(MEMBER, household_id, member)
    if waiting is None:
        _count(changes, household_id, household, member)
    else:
        waiting[household_id] = None


def settle(waiting: dict[str, None], lookup: Lookup) -> dict[Target, State]:
    """Work out the figures of the households `fold` left waiting, in the order they first
    waited, and the roll-up states that changes; `waiting` is emptied."""
    changes = _Changes(lookup)
    for household_id in waiting:
        household = lookup("household", household_id)
        member = changes.get(MEMBER, household_id)
        if household is not None and member is not None:
            changes.put(MEMBER, household_id, member)
            _count(changes, household_id, household, member)
    waiting.clear()
    return changes.changed


def _count(changes: _Changes, household_id: str, household: State, member: State) -> None:
    """Work out a household's figures and move the difference up its units."""
    open_states = [s for fid in sorted(member["open"])
                   if (s := changes.lookup("finding", fid)) is not None]
    figures = figures_of(household, open_states, changes.lookup("rules", RULES_KEY), member["on"])
    old = member["figures"]
    if figures == old:
        return
    # A household stays in the village it was registered in (no event moves it).
    moved = difference(contribution(old) if old else {}, contribution(figures))
    chain = changes.chain(figures["village_id"])
    for rollup in chain:
        add_entries(rollup["counts"], moved)
    if old is None and chain:
        chain[0]["household_ids"].append(household_id)
    member["figures"] = figures


def _unit_finding(changes: _Changes, finding: State) -> None:
    own = changes.rollup(finding["subject_id"])
    if own is None:
        return
    finding_id = finding["finding_id"]
    old = own["own_open"].get(finding_id)
    new = finding["due_date"] if findings.is_open(finding) else None
    if old == new:
        return
    if new is None:
        del own["own_open"][finding_id]
    else:
        own["own_open"][finding_id] = new
    for rollup in changes.chain(finding["subject_id"]):
        due = rollup["counts"]["open_due"]["unit"]
        if old is not None:
            bump(due, old, -1)
        if new is not None:
            bump(due, new, 1)


def companions(touched: Iterable[Target]) -> list[Target]:
    """States the roll-up fold reads beside the ones an event touches (for prefetching)."""
    return [(MEMBER, key) for kind, key in touched if kind == "household"]


# Reading --------------------------------------------------------------------------------------
def _overdue(due: dict[str, int], on: str) -> int:
    return sum(count for day, count in due.items() if day < on)


def _coverage(visits: dict[str, int], since: str, on: str) -> State:
    total = sum(visits.values())
    visited = sum(count for day, count in visits.items() if day != NEVER and since <= day <= on)
    return {"households": total, "visited": visited,
            "share": round(visited / total, 4) if total else None}


def render(counts: State, rules: State | None, on: str) -> State:
    """The roll-up as of business date `on`."""
    period = int(rulebook.value(rules, "visit_period_days")["value"])
    since = (date.fromisoformat(on) - timedelta(days=period)).isoformat()
    by_category = {category: _coverage(visits, since, on)
                   for category, visits in sorted(counts["visits"].items())}
    every: dict[str, int] = {}
    for visits in counts["visits"].values():
        for day, count in visits.items():
            every[day] = every.get(day, 0) + count
    unit_due, household_due = counts["open_due"]["unit"], counts["open_due"]["household"]
    on_units = {"open": sum(unit_due.values()), "overdue": _overdue(unit_due, on)}
    on_households = {"open": sum(household_due.values()),
                     "overdue": _overdue(household_due, on)}
    return {
        "units": counts["units"],
        "households": {
            "total": counts["households"],
            "by_category": dict(sorted(counts["category"].items())),
            "by_poverty_status": dict(sorted(counts["poverty_status"].items())),
            "by_exit_class": {name: counts["exit_class"].get(name, 0)
                              for name in (*EXIT_CLASSES, UNCLASSIFIED)},
            "key_households": counts["key"],
        },
        "monitored": {"total": sum(counts["monitoring"].values()),
                      "by_type": dict(sorted(counts["monitoring"].items()))},
        "findings": {
            "open": on_units["open"] + on_households["open"],
            "overdue": on_units["overdue"] + on_households["overdue"],
            "on_units": on_units,
            "on_households": on_households,
        },
        "visit_coverage": {"period_days": period, "since": since,
                           **_coverage(every, since, on), "by_category": by_category},
        "people": dict(sorted(counts.get("people", {}).items())),
        "poverty_incidence": poverty_incidence(counts, on),
    }
