"""Finding households by `q` (a head's or member's name or part of it, a household or member
id, a 身份证号) through the search index of names, and the names a list page shows.

A name query becomes the keyed hashes of its tokens (`ledger.privacy.search_tokens`); a
household matches when one of its names (head or a member) holds them all. For one or two
characters that is exact; for longer queries the pairs could sit apart, so the candidates'
sealed names are opened and checked, and only theirs: no row is decrypted otherwise.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from ledger.privacy.search_tokens import (
    ID_NUMBER,
    MEMBER_ID,
    SearchKey,
    contains,
    needs_check,
    normalise_id_number,
)
from projections.store import ProjectionStore

State = dict[str, Any]
Reveal = Callable[[Any], Any]
CHUNK = 500


def _marks(values: list[Any] | tuple[Any, ...]) -> str:
    return ", ".join("?" * len(values))


@dataclass(frozen=True)
class Search:
    """`q` as lookups in the index: statements giving the ids matched by a name, and by an
    id (the household's own, a member's, a 身份证号), with their parameters."""

    query: str
    by_name: tuple[str, tuple[Any, ...]] | None
    by_id: tuple[str, tuple[Any, ...]]

    @property
    def needs_check(self) -> bool:
        return needs_check(self.query)


def search_for(key: SearchKey, query: str) -> Search:
    query = query.strip()
    exact = (key.digest(MEMBER_ID, query), key.digest(ID_NUMBER, normalise_id_number(query)))
    by_id = (f"SELECT household_id FROM proj_households WHERE household_id = ? UNION "
             f"SELECT household_id FROM proj_names WHERE token IN ({_marks(exact)})",
             (query, *exact))
    digests = tuple(key.query_digests(query))
    by_name: tuple[str, tuple[Any, ...]] | None = None
    if len(digests) == 1:
        by_name = ("SELECT household_id FROM proj_names WHERE token = ?", digests)
    elif digests:
        by_name = (f"SELECT household_id FROM proj_names WHERE token IN ({_marks(digests)}) "
                   f"GROUP BY household_id, member_id HAVING COUNT(*) = {len(digests)}",
                   digests)
    return Search(query, by_name, by_id)


def page_of(store: ProjectionStore, reveal: Reveal, search: Search, where: str,
            params: list[Any], after: str, size: int) -> tuple[list[str], int]:
    """The first `size` households `q` finds after `after`, and how many it finds in all.

    A name of one or two characters is one token, matched exactly: the page and the count
    come from the index in order (`_indexed_page`). A longer one is checked on its candidates,
    so every match is worked out first (`matching`)."""
    if search.by_name is None or search.needs_check:
        matched = matching(store, reveal, search, where, params)
        start = bisect_right(matched, after) if after else 0
        return matched[start:start + size], len(matched)
    return _indexed_page(store, search, search.by_name, where, params, after, size)


def _indexed_page(store: ProjectionStore, search: Search, by_name: tuple[str, tuple[Any, ...]],
                  where: str, params: list[Any], after: str, size: int
                  ) -> tuple[list[str], int]:
    statement, values = by_name
    if where:
        source = (f"SELECT household_id FROM proj_households WHERE {where} AND "
                  f"household_id IN ({statement})")
        values = (*params, *values)
    else:
        source = statement.replace("SELECT household_id", "SELECT DISTINCT household_id", 1)
    named = [h for (h,) in store.query(
        f"SELECT household_id FROM ({source}) AS found WHERE household_id > ? "
        "ORDER BY household_id LIMIT ?", (*values, after, size))]
    total = int(store.query(f"SELECT COUNT(*) FROM ({source}) AS found", values)[0][0])
    by_id = _by_id(store, search, where, params)
    if by_id:
        # Ids are a handful: those the name did not find already add to the page and total.
        also = set(by_id) - {h for (h,) in store.query(
            f"SELECT household_id FROM ({source}) AS found WHERE household_id IN "
            f"({_marks(by_id)})", (*values, *by_id))}
        total += len(also)
        named = sorted({*named, *(h for h in also if h > after)})[:size]
    return named, total


def _by_id(store: ProjectionStore, search: Search, where: str, params: list[Any]
           ) -> list[str]:
    by_id = [h for (h,) in store.query(*search.by_id)]
    if by_id and where:
        by_id = [h for (h,) in store.query(
            f"SELECT household_id FROM proj_households WHERE {where} AND household_id IN "
            f"({_marks(by_id)})", [*params, *by_id])]
    return by_id


def matching(store: ProjectionStore, reveal: Reveal, search: Search, where: str,
             params: list[Any]) -> list[str]:
    """The households `q` finds, narrowed by the list's other filters (`where` on the
    household list), in household_id order. By name: the index alone, or, with filters, the
    filtered households probed against the index's matches; for a query whose pairs could sit
    apart, only those candidates' names opened and checked. By id (a handful): primary keys."""
    found: set[str] = set()
    if search.by_name is not None:
        statement, values = search.by_name
        if where:
            statement = (f"SELECT household_id FROM proj_households WHERE {where} AND "
                         f"household_id IN ({statement})")
            values = (*params, *values)
        named = sorted({h for (h,) in store.query(statement, values)})
        found.update(_checked(store, reveal, search.query, named) if search.needs_check
                     else named)
    found.update(_by_id(store, search, where, params))
    return sorted(found)


def _checked(store: ProjectionStore, reveal: Reveal, query: str, candidates: list[str]
             ) -> list[str]:
    """The candidates with a name that contains the query once opened."""
    found: list[str] = []
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        rows = store.query(
            f"SELECT household_id, sealed FROM proj_name_seals WHERE sealed IS NOT NULL AND "
            f"household_id IN ({_marks(chunk)})", chunk)
        names = reveal([{"name": orjson.loads(sealed)} for _, sealed in rows])
        found += [h for (h, _), name in zip(rows, names, strict=True)
                  if contains(name["name"], query)]
    return found


def decorate(store: ProjectionStore, reveal: Reveal, items: list[State]) -> list[State]:
    """Each item with its head's name, its village's and township's names and its helper
    cadres with their names; the sealed names opened in one batch."""
    if not items:
        return items
    ids = [i["household_id"] for i in items]
    heads = dict(store.query(
        f"SELECT household_id, sealed FROM proj_name_seals WHERE member_id = '' AND "
        f"household_id IN ({_marks(ids)})", ids))
    unit_ids = {i[k] for i in items for k in ("village_id", "township_id") if i.get(k)}
    unit_names = {k: s["name"] for k, s in store.load("unit", unit_ids).items()}
    person_ids = {p for i in items for p in i["helper_cadres"]}
    people = {k: s["name"] for k, s in store.load("person", person_ids).items()}
    opened = reveal({"heads": {h: orjson.loads(s) for h, s in heads.items() if s},
                     "people": people})
    head_names, person_names = opened["heads"], opened["people"]
    for item in items:
        item["head_name"] = head_names.get(item["household_id"])
        item["village_name"] = unit_names.get(item["village_id"])
        item["township_name"] = unit_names.get(item.get("township_id") or "")
        item["helper_cadres"] = [{"person_id": p, "name": person_names.get(p)}
                                 for p in item["helper_cadres"]]
    return items
