"""The read side's one entry point: each view, live or replayed, as plain values."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ledger.privacy.search_tokens import SearchKey
from projections import (
    finding_filters,
    findings,
    household_list,
    household_search,
    households,
    people,
    ratings,
    rollup_reads,
    scoring,
    trace,
    units,
)
from projections.events import decode, microseconds
from projections.household_list import HouseholdFilter
from projections.replay import Cut, replay, replay_many, replay_with_findings, states_of
from projections.routing import RULES_KEY, subject
from projections.runner import wait_for
from projections.store import ProjectionStore
from projections.supervision_cycle import transferred_ids
from projections.unit_tree import UnitTree

State = dict[str, Any]


@dataclass(frozen=True)
class FindingFilter:
    unit_id: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    person_id: str | None = None
    category: str | None = None
    status: str | None = None
    overdue: bool | None = None
    due_from: date | None = None
    due_to: date | None = None
    source: str | None = None
    sector: str | None = None
    # The units a scoped token reads (projections.access): None for every unit.
    scope: frozenset[str] | None = None
    # A township's or county's subtree (the unit and every unit below it), resolved by
    # `Views.subtree`; `closed_late`: closed only after it had lapsed.
    subtree: tuple[str, ...] | None = None
    closed_late: bool | None = None

    @property
    def replayable(self) -> bool:
        return bool(self.unit_id or self.subject_id or self.person_id or self.subtree)

    def sql(self, on: str) -> tuple[str, list[Any]]:
        clauses, params = [], []
        for column, value in (("unit_id", self.unit_id), ("subject_type", self.subject_type),
                              ("subject_id", self.subject_id),
                              ("category", self.category), ("status", self.status),
                              ("source", self.source), ("sector", self.sector)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.overdue is not None:
            overdue = "(status IN ('open', 'rectification_reported') AND due_date < ?)"
            clauses.append(overdue if self.overdue else f"NOT {overdue}")
            params.append(on)
        if self.due_from is not None:
            clauses.append("due_date >= ?")
            params.append(self.due_from.isoformat())
        if self.due_to is not None:
            clauses.append("due_date <= ?")
            params.append(self.due_to.isoformat())
        if self.scope is not None:
            units = sorted(self.scope)
            clauses.append(f"unit_id IN ({', '.join('?' * len(units))})" if units else "1 = 0")
            params.extend(units)
        for clause, values in finding_filters.sql(self.person_id, self.subtree,
                                                  self.closed_late):
            clauses.append(clause)
            params += values
        return " AND ".join(clauses), params

    def matches(self, state: State, on: str) -> bool:
        """The same test as `sql`, for replayed states."""
        pairs = (("responsible_unit_id", self.unit_id), ("subject_type", self.subject_type),
                 ("subject_id", self.subject_id),
                 ("category", self.category), ("status", self.status),
                 ("source", self.source), ("sector", self.sector))
        if any(value is not None and state.get(field) != value for field, value in pairs):
            return False
        if self.overdue is not None and findings.is_overdue(state, on) != self.overdue:
            return False
        if self.scope is not None and state["responsible_unit_id"] not in self.scope:
            return False
        if self.due_from is not None and state["due_date"] < self.due_from.isoformat():
            return False
        if not finding_filters.matches(state, self.person_id, self.closed_late):
            return False
        return self.due_to is None or state["due_date"] <= self.due_to.isoformat()

    def replay_subject(self) -> str:
        if self.subject_id:
            return subject(self.subject_type or "household", self.subject_id)
        if self.unit_id:
            return subject("unit", self.unit_id)
        return subject("person", self.person_id or "")


def _revealed(method: Callable[..., Any]) -> Callable[..., Any]:
    """The read's answer with personal fields opened (or shown erased) for the caller; the
    read models themselves only ever hold them sealed."""
    @functools.wraps(method)
    def read(self: Views, *args: Any, **kwargs: Any) -> Any:
        return self.reveal(method(self, *args, **kwargs))

    return read


class Views:
    def __init__(self, store: ProjectionStore,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 reveal: Callable[[Any], Any] = lambda value: value,
                 search_key: SearchKey | None = None) -> None:
        self.store = store
        self.clock = clock
        self._unit_kinds: dict[str, str] = {}  # a unit's kind never changes once registered
        self.units_tree = UnitTree(store.load, self._unit_keys)
        self.reveal = reveal
        self.search_key = search_key

    # Position and lag -------------------------------------------------------------
    def wait(self, position: int, timeout: float) -> bool:
        return wait_for(self.store, position, timeout)

    def lag(self) -> State:
        position, head = self.store.position(), self.store.head()
        return {"position": position, "head": head, "lag": max(0, head - position)}

    # Helpers ----------------------------------------------------------------------------
    def _on(self, cut: Cut) -> str:
        return cut.on(self.clock())

    def _rules(self, cut: Cut) -> State | None:
        if cut.live:
            return self.store.load_one("rules", RULES_KEY)
        return replay(self.store, subject("rules", RULES_KEY), cut).states.get(
            ("rules", RULES_KEY))

    def _unit_keys(self) -> list[str]:
        return [row[0] for row in self.store.query(
            "SELECT key FROM proj_state WHERE kind = ?", ("unit",))]
    def subtree(self, unit_id: str) -> tuple[str, ...]:
        """The unit and every unit below it (the unit first)."""
        return finding_filters.subtree(self.store.states("unit"), unit_id)

    def unit_parent(self, unit_id: str) -> str | None:
        state = self.store.load_one("unit", unit_id)
        return None if state is None else state["parent_id"]

    def household_village(self, household_id: str) -> str | None:
        state = self.store.load_one("household", household_id)
        return None if state is None else state["village_id"]

    def person_unit(self, person_id: str) -> str | None:
        state = self.store.load_one("person", person_id)
        return None if state is None else state["unit_id"]

    def finding_unit(self, finding_id: str) -> str | None:
        state = self.store.load_one("finding", finding_id)
        return None if state is None else state["responsible_unit_id"]

    # Households ---------------------------------------------------------------------------
    @_revealed
    def household(self, household_id: str, cut: Cut = Cut()) -> State | None:
        on = self._on(cut)
        if cut.live:
            state = self.store.load_one("household", household_id)
            about = self.store.findings("subject_type = ? AND subject_id = ?",
                                        ("household", household_id))
        else:
            folder = replay(self.store, subject("household", household_id), cut)
            state = folder.states.get(("household", household_id))
            about = [f for f in states_of(folder, "finding")
                     if f["subject_type"] == "household" and f["subject_id"] == household_id]
        if state is None:
            return None
        if state.get("members"):  # health and age decide criteria: opened before rendering
            state = {**state, "members": self.reveal(state["members"])}
        return households.render(state, about, self._rules(cut), on)

    @_revealed
    def household_history(self, household_id: str, cut: Cut = Cut(), after: int = 0,
                          limit: int = 1000) -> list[State]:
        valid_at = None if cut.valid_at is None else cut.valid_at.isoformat()
        as_of = None if cut.as_of is None else microseconds(cut.as_of)
        rows = self.store.subject_log(subject("household", household_id), as_of, valid_at,
                                      after=after, limit=limit, hashes=True)
        answers = []
        for raw, chain_hash in rows:
            event = decode(raw)
            answers.append({"event_id": event.event_id, "type": event.type,
                            "position": event.position, "occurred_at": event.occurred_at,
                            "recorded_at": event.recorded_at, "actor": event.actor,
                            "hash": chain_hash.hex() if chain_hash else None,
                            "data": event.data})
        return answers

    def household_list(self, query: HouseholdFilter, after: str = "", limit: int = 100
                       ) -> State:
        """One page of the household list in household_id order; `next` is the `after` of the
        following page (None on the last). Keyset paging: a write between pages moves no
        household to another page."""
        on = self._on(Cut())
        if query.q is None:
            return self._page(query, on, after, limit)
        # A search: the page's ids and the total from the index, then the page read by key.
        search = household_search.search_for(self._search_key(), query.q)
        shown, total = household_search.page_of(self.store, self.reveal, search,
                                                *query.sql(on), after, limit + 1)
        return self._page(
            HouseholdFilter(search=(f"household_id IN ({', '.join('?' * len(shown))})",
                                    tuple(shown)) if shown else ("0 = 1", ())),
            on, "", limit, total)

    def _search_key(self) -> SearchKey:
        if self.search_key is None:
            raise RuntimeError("the views were built without the search index key")
        return self.search_key

    def _page(self, query: HouseholdFilter, on: str, after: str, limit: int,
              total: int | None = None) -> State:
        where, params = query.sql(on)
        where_and = where + " AND " if where else ""
        statement = (f"SELECT {', '.join(household_list.COLUMNS)} FROM proj_households "
                     f"WHERE {where_and}household_id > ? ORDER BY household_id LIMIT ?")
        rows = self.store.query(statement, [*params, after, limit + 1])
        if total is None:
            total = int(self.store.query(
                f"SELECT COUNT(*) FROM proj_households {'WHERE ' + where if where else ''}",
                params)[0][0])
        items = household_search.decorate(
            self.store, self.reveal, [household_list.item(r) for r in rows[:limit]])
        more = len(rows) > limit
        return {"items": items, "next": items[-1]["household_id"] if more else None,
                "total": total}

    def unit_kind(self, unit_id: str) -> str | None:
        if unit_id not in self._unit_kinds:
            state = self.store.load_one("unit", unit_id)
            if state is None:
                return None
            self._unit_kinds[unit_id] = state["kind"]
        return self._unit_kinds[unit_id]

    # Findings ------------------------------------------------------------------------------
    @_revealed
    def finding_states(self, query: FindingFilter, cut: Cut = Cut(), limit: int | None = None,
                       offset: int = 0) -> list[State]:
        return self._finding_states(query, cut, limit, offset)

    def _finding_states(self, query: FindingFilter, cut: Cut = Cut(), limit: int | None = None,
                        offset: int = 0) -> list[State]:
        on = self._on(cut)
        if cut.live:
            where, params = query.sql(on)
            return self.store.findings(where, params, limit=limit, offset=offset)
        if query.subtree:
            candidates = self._replayed_findings(
                FindingFilter(subtree=query.subtree).sql(on), cut)
        else:
            folder = replay_with_findings(self.store, query.replay_subject(), cut)
            candidates = states_of(folder, "finding")
        found = sorted((f for f in candidates if query.matches(f, on)),
                       key=lambda f: f["finding_id"])
        return found[offset:] if limit is None else found[offset:offset + limit]

    @_revealed
    def findings(self, query: FindingFilter, cut: Cut = Cut(), limit: int = 100,
                 offset: int = 0) -> State:
        on = self._on(cut)
        page = self._finding_states(query, cut, limit, offset)
        if cut.live:
            where, params = query.sql(on)
            counts = [
                {"unit_id": r[0], "total": int(r[1]), "open": int(r[2] or 0),
                 "overdue": int(r[3] or 0), "closed": int(r[4] or 0)}
                for r in self.store.finding_counts(where, params, today=on)
            ]
        else:
            counts = _counts(self._finding_states(query, cut), on)
        return {"as_of_date": on,
                "findings": self._named([findings.summary(f, on) for f in page]),
                "counts_by_unit": counts, "limit": limit, "offset": offset}

    def _named(self, items: list[State]) -> list[State]:
        """Findings items with the names of their responsible unit and person (sealed: the
        read opens it)."""
        units = self.store.load("unit", {i["responsible_unit_id"] for i in items})
        people = self.store.load("person", {i["responsible_person_id"] for i in items
                                            if i["responsible_person_id"]})
        for item in items:
            unit = units.get(item["responsible_unit_id"])
            person = people.get(item["responsible_person_id"] or "")
            item["responsible_unit_name"] = unit["name"] if unit else None
            item["responsible_person_name"] = person["name"] if person else None
        return items

    @_revealed
    def finding(self, finding_id: str, cut: Cut = Cut()) -> State | None:
        on = self._on(cut)
        if cut.live:
            state = self.store.load_one("finding", finding_id)
        else:
            state = replay(self.store, subject("finding", finding_id), cut).states.get(
                ("finding", finding_id))
        return None if state is None else findings.detail(state, on)

    # Units, people, scoring ---------------------------------------------------------------
    @_revealed
    def unit(self, unit_id: str, cut: Cut = Cut()) -> State | None:
        on = self._on(cut)
        if cut.live:
            # The board's states in one round trip: the unit, the rules, its roll-up.
            found = self.store.load_targets([("unit", unit_id), ("rules", RULES_KEY),
                                             (rollup_reads.ROLLUP, unit_id)])
            state = found.get(("unit", unit_id))
            answered = self.store.findings("unit_id = ?", (unit_id,))
            away = list(self.store.load("finding", transferred_ids(state or {})).values())
        else:
            folder = replay_with_findings(self.store, subject("unit", unit_id), cut)
            state = folder.states.get(("unit", unit_id))
            answered = [f for f in states_of(folder, "finding")
                        if f["responsible_unit_id"] == unit_id]
            gone = set(transferred_ids(state or {}))
            away = [f for f in states_of(folder, "finding") if f["finding_id"] in gone]
        if state is None:
            return None
        rules = found.get(("rules", RULES_KEY)) if cut.live else self._rules(cut)
        board = units.render(state, answered, rules, on, away)
        if cut.live:
            board["rollup"] = rollup_reads.live(found.get((rollup_reads.ROLLUP, unit_id)),
                                                rules, on)
        else:
            board["rollup"] = rollup_reads.replayed(self.store, unit_id, cut, rules, on)
        board["incidence"] = board["rollup"]["poverty_incidence"]["incidence"]
        return board

    def ratings(self, period: str, kind: str | None = None, cut: Cut = Cut()) -> State:
        """The quarter's lights, ranked; unit names and kinds as registered."""
        key = ("ratings", period)
        if cut.live:
            state = self.store.load_one(*key)
        else:
            state = replay(self.store, subject(*key), cut).states.get(key)
        rated = list((state or {}).get("units", {}))
        return ratings.render(period, state, self.store.load("unit", rated), kind)

    @_revealed
    def accountability(self, person_id: str, cut: Cut = Cut()) -> State | None:
        on = self._on(cut)
        if cut.live:
            state = self.store.load_one("person", person_id)
            if state is None:
                return None
            answered = self.store.findings(*self._traced(person_id, state))
            headed = self.store.load("unit", people.headed_units(state))
            visited = self.store.load("household", people.watched_households(state))
        else:
            folder = replay(self.store, subject("person", person_id), cut)
            state = folder.states.get(("person", person_id))
            if state is None:
                return None
            answered = self._replayed_findings(self._traced(person_id, state), cut)
            headed = self._replayed("unit", people.headed_units(state), cut)
            visited = self._replayed("household", people.watched_households(state), cut)
        return people.render(state, answered, headed, visited, self._rules(cut), on)

    def _traced(self, person_id: str, state: State) -> tuple[str, list[Any]]:
        """Where to look for the findings that may reach a person (projections.trace)."""
        households, units = trace.watched(state["assignments"])
        handed = self.store.load(trace.HANDED_OVER, trace.handed_over_keys(person_id, units))
        return trace.candidates_sql(person_id, households, units,
                                    [f for s in handed.values() for f in s["finding_ids"]])

    def _replayed_findings(self, where: tuple[str, list[Any]], cut: Cut) -> list[State]:
        """The findings the live table names, each replayed to the cut (those raised after it
        drop out), a few hundred per query."""
        ids = [row[0] for row in self.store.query(
            f"SELECT finding_id FROM proj_findings WHERE {where[0]}", where[1])]
        found = []
        for start in range(0, len(ids), 400):
            chunk = ids[start:start + 400]
            folder, _ = replay_many(self.store, [subject("finding", f) for f in chunk], cut)
            found += [s for f in chunk if (s := folder.states.get(("finding", f)))]
        return found

    def _replayed(self, kind: str, keys: list[str], cut: Cut) -> dict[str, State]:
        found = {}
        for key in keys:
            state = replay(self.store, subject(kind, key), cut).states.get((kind, key))
            if state is not None:
                found[key] = state
        return found

    @_revealed
    def scoring(self, round_id: str, cut: Cut = Cut()) -> State | None:
        if cut.live:
            state = self.store.load_one("round", round_id)
        else:
            state = replay(self.store, subject("round", round_id), cut).states.get(
                ("round", round_id))
        return None if state is None else scoring.render(state)

    def scoring_year(self, year: int, cut: Cut = Cut()) -> State:
        """Each village's total across the year's rounds; replayed, each round by itself."""
        rounds = self.store.states("round")
        if not cut.live:
            rounds = self._replayed("round", sorted(rounds), cut)
        return scoring.year(list(rounds.values()), year)


def _counts(states: list[State], on: str) -> list[State]:
    by_unit: dict[str, State] = {}
    for f in states:
        row = by_unit.setdefault(f["responsible_unit_id"], {
            "unit_id": f["responsible_unit_id"], "total": 0, "open": 0, "overdue": 0,
            "closed": 0})
        row["total"] += 1
        row["open"] += findings.is_open(f)
        row["overdue"] += findings.is_overdue(f, on)
        row["closed"] += f["status"] == "closed"
    return [by_unit[k] for k in sorted(by_unit)]
