"""The search index behind the household list's `q`: keyed hashes of name tokens, a read model.

Fed by event type (`SOURCES`): each event naming a household's head or a member gives the
names, member ids and 身份证号 to index. The runner hands each page's events over; the names,
sealed in the events as everywhere, are opened here in one batch and only their tokens' keyed
hashes (`ledger.privacy.search_tokens`) are written, with the sealed name kept beside them so a
search can check its candidates and a list can show them. An erasure deletes the subject's
rows. Like every read model it is rebuilt from the log; a generation made before it is filled
from the household states (`fill`).

Tables (one per generation, read through views): `proj_names` (token, household_id, member_id:
'' for the head) and `proj_name_seals` (household_id, member_id, sealed name).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ledger.privacy.search_tokens import ID_NUMBER, MEMBER_ID, SearchKey, normalise_id_number
from projections import tables
from projections.events import Event

State = dict[str, Any]
Sql = Callable[[str], str]
HEAD = ""  # the member id under which a household's head is indexed
CHUNK = 500


@dataclass(frozen=True)
class Named:
    """One name to index: the head (member_id '') or a member of a household."""

    household_id: str
    member_id: str
    name: Any  # sealed
    id_number: Any = None  # sealed


def _head(data: State) -> list[Named]:
    return [Named(data["household_id"], HEAD, data.get("head_name"))]


def _member(data: State) -> list[Named]:
    return [Named(data["household_id"], data["member_id"], data.get("name"),
                  data.get("id_number"))]


# Event type -> the names it gives. Members (MemberRegistered) plug in by their contract
# fields: household_id, member_id, name, id_number.
SOURCES: dict[str, Callable[[State], list[Named]]] = {
    "HouseholdRegistered": _head,
    "MemberRegistered": _member,
}
ERASED = "PersonalDataErased"


@dataclass
class NameBatch:
    """The names and erasures of the events of one commit, in log order."""

    named: list[Named] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)

    def add(self, events: Iterable[Event]) -> NameBatch:
        for event in events:
            source = SOURCES.get(event.type)
            if source is not None:
                self.named += source(event.data)
            elif event.type == ERASED and event.data.get("subject_type") == "household":
                self.erased.append(event.data["subject_id"])
        return self

    def __bool__(self) -> bool:
        return bool(self.named or self.erased)


def _members_of(state: State) -> list[Named]:
    """The names a household state holds: its head, and members where the state keeps them
    (a mapping of member id to a state with `name` and `id_number`)."""
    found = _head(state)
    members = state.get("members")
    if isinstance(members, dict):
        for member_id, member in members.items():
            if isinstance(member, dict):
                found.append(Named(state["household_id"], member_id, member.get("name"),
                                   member.get("id_number")))
    return found


class NameIndex:
    """Writes the index; `reveal` opens sealed values (None once erased)."""

    def __init__(self, key: SearchKey, reveal: Callable[[Any], Any]) -> None:
        self.key = key
        self._reveal = reveal

    def rows(self, named: list[Named]) -> tuple[list[tuple], list[tuple]]:
        opened = self._reveal([{"name": n.name, "id_number": n.id_number} for n in named])
        tokens: list[tuple] = []
        seals: list[tuple] = []
        for entry, plain in zip(named, opened, strict=True):
            digests = set()
            if plain.get("name"):
                digests |= self.key.name_digests(str(plain["name"]))
            if plain.get("id_number"):
                digests.add(self.key.digest(ID_NUMBER, normalise_id_number(plain["id_number"])))
            if entry.member_id:
                digests.add(self.key.digest(MEMBER_ID, entry.member_id))
            tokens += [(d, entry.household_id, entry.member_id) for d in sorted(digests)]
            seals.append((entry.household_id, entry.member_id,
                          orjson.dumps(entry.name).decode() if plain.get("name") else None))
        return tokens, seals

    def write(self, cur: Any, sql: Sql, generation: int, batch: NameBatch) -> None:
        """Index a batch inside the caller's transaction (the page's commit)."""
        names = tables.table("proj_names", generation)
        seals_table = tables.table("proj_name_seals", generation)
        for start in range(0, len(batch.named), CHUNK):
            chunk = batch.named[start:start + CHUNK]
            tokens, seals = self.rows(chunk)
            cur.executemany(sql(f"DELETE FROM {names} WHERE household_id = ? AND member_id = ?"),
                            [(n.household_id, n.member_id) for n in chunk])
            if tokens:
                cur.executemany(sql(f"INSERT INTO {names} (token, household_id, member_id) "
                                    "VALUES (?, ?, ?)"), tokens)
            cur.executemany(sql(
                f"INSERT INTO {seals_table} (household_id, member_id, sealed) VALUES (?, ?, ?) "
                "ON CONFLICT (household_id, member_id) DO UPDATE SET sealed = excluded.sealed"),
                seals)
        for table in (names, seals_table):
            cur.executemany(sql(f"DELETE FROM {table} WHERE household_id = ?"),
                            [(h,) for h in batch.erased])

    def fill(self, cur: Any, sql: Sql, generation: int) -> None:
        """Index every household state of the generation, in chunks by key."""
        source = tables.table("proj_state", generation)
        after = ""
        while True:
            cur.execute(sql(f"SELECT key, state FROM {source} WHERE kind = 'household' AND "
                            "key > ? ORDER BY key LIMIT ?"), (after, CHUNK))
            page = cur.fetchall()
            if not page:
                return
            batch = NameBatch()
            for _, state in page:
                batch.named += _members_of(orjson.loads(state))
            self.write(cur, sql, generation, batch)
            after = page[-1][0]
