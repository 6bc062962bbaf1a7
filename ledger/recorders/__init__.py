"""Application recorders that extend the eventsourcing library's with the hash chain.

Both backends add, inside the very transaction that inserts the events (while the log is locked
against other writers):
- `ledger_chain`: one row per position with the hash that commits to it and all before it;
- `ledger_idempotency`: one row per idempotency key, naming the positions it recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


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


class IdempotencyKeyTaken(Exception):
    """Another request already recorded events under this key (raised inside the transaction)."""
