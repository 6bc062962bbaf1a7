"""The household list (分类台账): one row per household with columns to filter on.

A row is taken from the rendered household status (what `GET /households/{id}` shows today),
plus where the household sits: its village, and the township and county above it, found from
the unit states when the row is written, so a request never walks the unit tree. The runner
writes the rows of every household a page changed (its own events, and findings opened or closed
on it) in the page's transaction; a generation gets all its rows at once when it is indexed
(`fill`), which is also how a rebuild makes them from nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import orjson

from projections import households, tables
from projections.events import today
from projections.routing import RULES_KEY

State = dict[str, Any]
Sql = Callable[[str], str]
CHUNK = 500
COLUMNS = tables.HOUSEHOLD_COLUMNS


def row(status: State, places: tuple[str | None, str | None]) -> tuple:
    """The table row of a rendered status; `places` is (township_id, county_id)."""
    last_visit, monitoring = status["last_visit"], status["monitoring"]
    return (
        status["household_id"], status["village_id"], places[0], places[1],
        status["category"], status["poverty_status"], status["exit_class"],
        1 if status["key_household"] else 0, monitoring["type"] if monitoring else None,
        last_visit["on"] if last_visit else None, len(status["open_findings"]), status["size"],
        min((m["due_date"] for m in status["mismatches"] if m.get("due_date")), default=None),
        orjson.dumps(sorted(r["person_id"] for r in status["responsible"]
                            if r["role"] == "helper_cadre")).decode(),
    )


def item(values: tuple) -> State:
    """A list item from a row read back in COLUMNS order."""
    found = dict(zip(COLUMNS, values, strict=True))
    found["key_household"] = bool(found["key_household"])
    found["open_findings"] = int(found["open_findings"])
    found["helper_cadres"] = orjson.loads(found["helper_cadres"] or "[]")
    return found


# Writing rows ------------------------------------------------------------------------------
class Places:
    """The township and county above each village, from the unit states of one generation."""

    def __init__(self, load: Callable[[list[str]], dict[str, State]]) -> None:
        self._load = load
        self._units: dict[str, State | None] = {}
        self._places: dict[str, tuple[str | None, str | None]] = {}

    def _unit(self, unit_id: str) -> State | None:
        if unit_id not in self._units:
            self._units[unit_id] = self._load([unit_id]).get(unit_id)
        return self._units[unit_id]

    def remember(self, units: Iterable[State]) -> None:
        for unit in units:
            self._units[unit["unit_id"]] = unit

    def of(self, village_id: str) -> tuple[str | None, str | None]:
        if village_id not in self._places:
            self._places[village_id] = self._walk(village_id)
        return self._places[village_id]

    def _walk(self, village_id: str) -> tuple[str | None, str | None]:
        found: dict[str, str] = {}
        seen: set[str] = set()
        unit_id: str | None = village_id
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            unit = self._unit(unit_id)
            if unit is None:
                break
            found.setdefault(unit["kind"], unit_id)
            unit_id = unit.get("parent_id")
        return found.get("township"), found.get("county")


@dataclass
class RowWriter:
    """Writes household rows into one generation, inside a transaction the caller holds."""

    cur: Any
    sql: Sql
    generation: int
    on: str = ""

    def __post_init__(self) -> None:
        self.on = self.on or today().isoformat()
        self.places = Places(lambda keys: self._states("unit", keys))

    def _states(self, kind: str, keys: list[str]) -> dict[str, State]:
        source = tables.table("proj_state", self.generation)
        found: dict[str, State] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            self.cur.execute(self.sql(
                f"SELECT key, state FROM {source} WHERE kind = ? AND key IN "
                f"({', '.join('?' * len(chunk))})"), (kind, *chunk))
            found.update((key, orjson.loads(state)) for key, state in self.cur.fetchall())
        return found

    def _findings(self, household_ids: list[str]) -> dict[str, list[State]]:
        source = tables.table("proj_findings", self.generation)
        about: dict[str, list[State]] = {}
        for start in range(0, len(household_ids), CHUNK):
            chunk = household_ids[start:start + CHUNK]
            self.cur.execute(self.sql(
                f"SELECT subject_id, state FROM {source} WHERE subject_type = 'household' AND "
                f"subject_id IN ({', '.join('?' * len(chunk))})"), tuple(chunk))
            for subject_id, state in self.cur.fetchall():
                about.setdefault(subject_id, []).append(orjson.loads(state))
        return about

    def write(self, states: dict[str, State], rules: State | None) -> None:
        """Render and upsert the rows of these household states."""
        ids = sorted(states)
        about = self._findings(ids)
        rows = []
        for household_id in ids:
            status = households.render(states[household_id], about.get(household_id, []),
                                       rules, self.on)
            rows.append(row(status, self.places.of(status["village_id"])))
        if rows:
            target = tables.table("proj_households", self.generation)
            updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
            self.cur.executemany(self.sql(
                f"INSERT INTO {target} ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(COLUMNS))}) "
                f"ON CONFLICT (household_id) DO UPDATE SET {updates}"), rows)

    def rules(self) -> State | None:
        return self._states("rules", [RULES_KEY]).get(RULES_KEY)

    def refresh(self, changed: dict[tuple[str, str], State]) -> None:
        """The rows a committed page changed: households folded, households whose findings
        changed; every row when the rules changed (income standards move A/B/C)."""
        if ("rules", RULES_KEY) in changed:
            self.fill()
            return
        self.places.remember(s for (kind, _), s in changed.items() if kind == "unit")
        held = {key: s for (kind, key), s in changed.items() if kind == "household"}
        wanted = {s["subject_id"] for (kind, _), s in changed.items()
                  if kind == "finding" and s["subject_type"] == "household"} - set(held)
        held.update(self._states("household", sorted(wanted)))
        if held:
            self.write(held, self.rules())

    def fill(self) -> None:
        """Every household's row, from the generation's states, in chunks by key."""
        source = tables.table("proj_state", self.generation)
        rules, after = self.rules(), ""
        while True:
            self.cur.execute(self.sql(
                f"SELECT key, state FROM {source} WHERE kind = 'household' AND key > ? "
                "ORDER BY key LIMIT ?"), (after, CHUNK))
            page = self.cur.fetchall()
            if not page:
                return
            self.write({key: orjson.loads(state) for key, state in page}, rules)
            after = page[-1][0]


# Reading rows ------------------------------------------------------------------------------
UNIT_COLUMNS = {"village": "village_id", "township": "township_id", "county": "county_id"}


@dataclass(frozen=True)
class HouseholdFilter:
    """The list's filters; `scope` is (column, unit) limiting a cadre or viewer to its unit."""

    village_id: str | None = None
    township_id: str | None = None
    category: str | None = None
    poverty_status: str | None = None
    exit_class: str | None = None
    key: bool | None = None
    monitoring: str | None = None
    unvisited_days: int | None = None
    mismatch_overdue: bool | None = None
    q: str | None = None
    scope: tuple[str, str] | None = None
    # A clause on household_id and its parameters: the page of ids a search `q` found
    # (projections.household_search), read by primary key.
    search: tuple[str, tuple[Any, ...]] | None = None

    def sql(self, on: str) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("village_id", self.village_id),
                              ("township_id", self.township_id), ("category", self.category),
                              ("poverty_status", self.poverty_status),
                              ("exit_class", self.exit_class), self.scope or ("", None)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.key is not None:
            clauses.append("key_household = ?")
            params.append(1 if self.key else 0)
        if self.monitoring == "any":
            clauses.append("monitoring IS NOT NULL")
        elif self.monitoring == "none":
            clauses.append("monitoring IS NULL")
        elif self.monitoring is not None:
            clauses.append("monitoring = ?")
            params.append(self.monitoring)
        if self.unvisited_days is not None:
            # Visited within the N days up to `on`: a visit after on - N.
            since = (date.fromisoformat(on) - timedelta(days=self.unvisited_days)).isoformat()
            clauses.append("(last_visit IS NULL OR last_visit <= ?)")
            params.append(since)
        if self.mismatch_overdue is not None:
            # Overdue the day after its due date: a due date before `on`.
            clauses.append("mismatch_due < ?" if self.mismatch_overdue
                           else "(mismatch_due IS NULL OR mismatch_due >= ?)")
            params.append(on)
        if self.search is not None:
            clauses.append(self.search[0])
            params.extend(self.search[1])
        return " AND ".join(clauses), params
