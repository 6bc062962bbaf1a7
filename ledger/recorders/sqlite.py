"""SQLite recorder: the library's application recorder plus the hash chain and idempotency keys."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.chain import GENESIS, link
from ledger.recorders import ChainedEvent, IdempotencyClaim, IdempotencyKeyTaken


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS ledger_chain ("
            "position INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_idempotency ("
            "actor TEXT NOT NULL, key TEXT NOT NULL, request_sha256 TEXT NOT NULL, "
            "first_position INTEGER NOT NULL, last_position INTEGER NOT NULL, "
            "PRIMARY KEY (actor, key))",
        ]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if not positions:
            return positions
        c.execute("SELECT hash FROM ledger_chain ORDER BY position DESC LIMIT 1")
        row = c.fetchone()
        previous = bytes(row[0]) if row else GENESIS
        links = []
        for position, s in zip(positions, stored_events):
            previous = link(
                previous, position, s.originator_id, s.originator_version, s.topic, s.state
            )
            links.append((position, previous))
        c.executemany("INSERT INTO ledger_chain (position, hash) VALUES (?, ?)", links)
        claim: IdempotencyClaim | None = kwargs.get("idempotency")
        if claim is not None:
            c.execute(
                "SELECT 1 FROM ledger_idempotency WHERE actor = ? AND key = ?",
                (claim.actor, claim.key),
            )
            if c.fetchone():
                raise IdempotencyKeyTaken(claim.key)
            c.execute(
                "INSERT INTO ledger_idempotency VALUES (?, ?, ?, ?, ?)",
                (claim.actor, claim.key, claim.request_sha256, positions[0], positions[-1]),
            )
        return positions

    def find_claim(self, actor: str, key: str) -> IdempotencyClaim | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT * FROM ledger_idempotency WHERE actor = ? AND key = ?", (actor, key)
            )
            row = c.fetchone()
        return IdempotencyClaim(**dict(row)) if row else None

    def select_chained(
        self, after: int, limit: int, stop: int | None = None
    ) -> list[ChainedEvent]:
        """Events with positions in (after, stop], in order, each with its chain hash."""
        statement = (
            f"SELECT e.rowid AS position, e.originator_id, e.originator_version, e.topic, "
            f"e.state, c.hash FROM {self.events_table_name} e "
            f"JOIN ledger_chain c ON c.position = e.rowid WHERE e.rowid > ? "
        )
        params: list[Any] = [after]
        if stop is not None:
            statement += "AND e.rowid <= ? "
            params.append(stop)
        statement += "ORDER BY e.rowid LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [
                ChainedEvent(
                    position=row["position"],
                    originator_id=self.convert_originator_id(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                    hash=bytes(row["hash"]),
                )
                for row in c.fetchall()
            ]

    def chain_head(self) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT position, hash FROM ledger_chain ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
        return (row[0], bytes(row[1])) if row else None
