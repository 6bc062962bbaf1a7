"""Application recorders that extend the eventsourcing library's with the hash chain.

Both backends add, inside the very transaction that inserts the events (while the log is locked
against other writers):
- `ledger_chain`: one row per position with the hash that commits to it and all before it;
- `ledger_idempotency`: one row per idempotency key, naming the positions it recorded. A key
  claimed before breaks the table's primary key: the write fails with the library's
  `IntegrityError`, as a concurrent write to the same aggregate does, and nothing is recorded.

A caller that passes a list as `chained=` to `insert_events` gets the inserted rows back in it,
each with its hash, exactly as `select_chained` would read them after the commit.
The shared parts live in `chained` (methods) and `schema` (tables and statements); `sqlite`
and `postgres` keep only their dialects.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import StoredEvent


@dataclass(frozen=True)
class ChainedEvent:
    """A stored event as it sits in the log, with its chain hash."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    hash: bytes


@dataclass(frozen=True)
class IdempotencyClaim:
    """Who used an idempotency key, on what request body, and what it recorded."""

    actor: str
    key: str
    request_sha256: str
    first_position: int = 0
    last_position: int = 0


def hand_back(
    chained: list[ChainedEvent] | None,
    stored_events: Sequence[StoredEvent],
    links: Sequence[tuple[int, bytes]],
) -> None:
    """Fill the caller's `chained` list with the rows just inserted, so it need not read them.
    A retried attempt (the library retries a write on a lost connection) replaces the list."""
    if chained is None:
        return
    chained[:] = (
        ChainedEvent(
            position, as_uuid(s.originator_id), s.originator_version, s.topic, bytes(s.state), h
        )
        for (position, h), s in zip(links, stored_events, strict=True)
    )


def as_uuid(value: UUID | str) -> UUID:
    """An originator id as a UUID: SQLite stores it as hex text."""
    return value if isinstance(value, UUID) else UUID(value)
