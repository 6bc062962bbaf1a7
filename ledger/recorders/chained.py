"""What both recorders add to the library's: one chain step, one claim, the same reads.

A backend mixes `ChainedRecorder` in before the library's application recorder, builds
`self.sql` from its dialect and supplies the six hooks below; everything else is here.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ledger.recorders import ChainedEvent, IdempotencyClaim, as_uuid, hand_back
from ledger.recorders.schema import MAX_POSITION, Statements
from ledger.tamper.chain import GENESIS, link


def chain_links(
    previous: bytes, positions: Sequence[int], stored_events: Sequence[StoredEvent]
) -> list[tuple[int, bytes]]:
    """(position, hash) of each event, each hash committing to the one before it."""
    links = []
    for position, s in zip(positions, stored_events, strict=True):
        previous = link(previous, position, s.originator_id, s.originator_version, s.topic, s.state)
        links.append((position, previous))
    return links


class ChainedRecorder(ABC):
    sql: Statements
    datastore: Any

    # Dialect hooks ------------------------------------------------------------------------
    @abstractmethod
    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        """Rows by column name, read outside any write."""

    @abstractmethod
    def _tuples(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Plain tuples, bytes for binary columns: verification reads millions of them."""

    @abstractmethod
    def _insert_links(self, cursor: Any, links: Sequence[tuple[int, bytes]]) -> None:
        """Write the chain rows of a write or an import."""

    @abstractmethod
    def _stored_id(self, originator_id: UUID) -> Any:
        """An originator id as the events table stores it."""

    @abstractmethod
    def _lock_log(self, cursor: Any) -> None:
        """Keep other writers out of the log while it is imported."""

    @abstractmethod
    def _after_import(self, cursor: Any) -> None:
        """Let the database's own numbering continue after the imported positions."""

    @abstractmethod
    def writing(self) -> AbstractContextManager[None]:
        """Hold the writers' lock from here to the end of the block, and run every read and
        write of this thread in its transaction, which commits at the end (see
        ledger.recorders.holding)."""

    # The write step, inside the library's insert transaction, the log locked -----------------
    def _extend_chain(
        self,
        cursor: Any,
        previous: bytes | None,
        positions: Sequence[int],
        stored_events: Sequence[StoredEvent],
        options: Mapping[str, Any],
    ) -> None:
        """Chain the events just inserted after `previous` (the head before them, None in an
        empty log) and claim the request's idempotency key. A key already claimed breaks the
        claims table's primary key, so the transaction fails like any concurrent write."""
        links = chain_links(previous or GENESIS, positions, stored_events)
        self._insert_links(cursor, links)
        claim: IdempotencyClaim | None = options.get("idempotency")
        if claim is not None:
            cursor.execute(
                self.sql.insert_claim,
                (claim.actor, claim.key, claim.request_sha256, positions[0], positions[-1]),
            )
        hand_back(options.get("chained"), stored_events, links)

    # Reads ----------------------------------------------------------------------------------
    def find_claim(self, actor: str, key: str) -> IdempotencyClaim | None:
        rows = self._rows(self.sql.find_claim, (actor, key))
        return IdempotencyClaim(**dict(rows[0])) if rows else None

    def select_chained(
        self, after: int, limit: int, stop: int | None = None
    ) -> list[ChainedEvent]:
        """Events with positions in (after, stop], in order, each with its chain hash."""
        rows = self._rows(
            self.sql.select_chained, (after, MAX_POSITION if stop is None else stop, limit)
        )
        return [
            ChainedEvent(
                position=row["position"],
                originator_id=as_uuid(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
                hash=bytes(row["hash"]),
            )
            for row in rows
        ]

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        rows = self._tuples(self.sql.position_of, (self._stored_id(originator_id), version))
        return int(rows[0][0]) if rows else None

    def chain_head(self) -> tuple[int, bytes] | None:
        rows = self._tuples(self.sql.head)
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    # Tamper evidence: raw reads of the chain, the Merkle cache, checkpoints, import -----------
    def chain_rows(self, after: int, stop: int, limit: int) -> list[tuple]:
        """(position, originator id hex as bytes, version, topic, state, hash) from the chain's
        side: a chain row whose event row is gone comes back with None in the event's fields."""
        return self._tuples(self.sql.chain_rows, (after, stop, limit))

    def first_unchained_position(self, after: int, stop: int) -> int | None:
        """The first event row without a chain row (an insertion behind the ledger's back)."""
        rows = self._tuples(self.sql.first_unchained, (after, stop))
        return rows[0][0] if rows else None

    def log_bounds(self) -> tuple[int, int]:
        """The last position in the chain and the last position in the events table."""
        chain, events = self._tuples(self.sql.log_bounds)[0]
        return chain, events

    def chain_hashes(self, after: int, limit: int, stop: int | None = None) -> list[tuple]:
        """(position, hash) of the chain after a position, in order."""
        return self._tuples(
            self.sql.chain_hashes, (after, MAX_POSITION if stop is None else stop, limit)
        )

    def merkle_nodes(self, level: int, first: int, limit: int) -> list[tuple]:
        """(idx, hash, last_position) of cached complete subtrees of 2**level leaves."""
        return self._tuples(self.sql.merkle_nodes, (level, first, limit))

    def merkle_width(self, level: int) -> int:
        return self._tuples(self.sql.merkle_width, (level,))[0][0]

    def merkle_node_through(self, level: int, position: int) -> tuple | None:
        """The last cached node of `level` whose leaves all sit at or before `position`."""
        rows = self._tuples(self.sql.merkle_node_through, (level, position))
        return rows[0] if rows else None

    def insert_merkle_nodes(self, level: int, nodes: Sequence[tuple]) -> None:
        """Cache subtree roots; a node someone else cached first is the same and is kept."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                self.sql.insert_merkle_node, [(level, idx, h, last) for idx, h, last in nodes]
            )

    def insert_checkpoint(self, checkpoint: Mapping[str, Any]) -> None:
        names = ("tree_size", "position", "hash", "root", "signed_at", "key_id", "signature")
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self.sql.insert_checkpoint, tuple(checkpoint[n] for n in names))

    def select_checkpoints(self, limit: int, newest_first: bool = True) -> list[dict[str, Any]]:
        statement = (
            self.sql.checkpoints_newest_first if newest_first else self.sql.checkpoints_oldest_first
        )
        return [dict(row) for row in self._rows(statement, (limit,))]

    def continue_numbering(self) -> None:
        """Number the next event right after the last one in the log: after a restore, whose
        copy of the database's counter may have run ahead of the log it holds."""
        with self.datastore.transaction(commit=True) as cursor:
            self._after_import(cursor)

    def import_chained(self, batches: Iterable[Sequence[tuple]]) -> int:
        """Write exported rows (position, originator id, version, topic, state, hash) into an
        empty log, keeping their positions, in one transaction: all of them or none."""
        count = 0
        with self.datastore.transaction(commit=True) as cursor:
            self._lock_log(cursor)
            cursor.execute(self.sql.any_event)
            if cursor.fetchone():
                raise ValueError("the ledger is not empty")
            for batch in batches:
                cursor.executemany(
                    self.sql.import_event,
                    [(p, self._stored_id(oid), v, t, s) for p, oid, v, t, s, _ in batch],
                )
                self._insert_links(cursor, [(row[0], row[5]) for row in batch])
                count += len(batch)
            if count:
                self._after_import(cursor)
        return count
