"""SQLite recorder: the library's application recorder plus the hash chain and idempotency keys."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.tamper.chain import GENESIS, link
from ledger.recorders import ChainedEvent, IdempotencyClaim, IdempotencyKeyTaken, hand_back
from ledger.recorders.bulk import SQLiteBulkReads


class ChainedSQLiteApplicationRecorder(SQLiteBulkReads, SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS ledger_chain ("
            "position INTEGER PRIMARY KEY, hash BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_idempotency ("
            "actor TEXT NOT NULL, key TEXT NOT NULL, request_sha256 TEXT NOT NULL, "
            "first_position INTEGER NOT NULL, last_position INTEGER NOT NULL, "
            "PRIMARY KEY (actor, key))",
            "CREATE TABLE IF NOT EXISTS ledger_merkle_nodes ("
            "level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, "
            "last_position INTEGER NOT NULL, PRIMARY KEY (level, idx))",
            "CREATE INDEX IF NOT EXISTS ledger_merkle_nodes_last "
            "ON ledger_merkle_nodes (level, last_position)",
            "CREATE TABLE IF NOT EXISTS ledger_checkpoints ("
            "id INTEGER PRIMARY KEY, tree_size INTEGER NOT NULL, position INTEGER NOT NULL, "
            "hash TEXT NOT NULL, root TEXT NOT NULL, signed_at TEXT NOT NULL, "
            "key_id TEXT NOT NULL, signature TEXT NOT NULL)",
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
        hand_back(kwargs.get("chained"), stored_events, links)
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

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        rows = self._query(
            f"SELECT rowid FROM {self.events_table_name} "
            "WHERE originator_id = ? AND originator_version = ?",
            (originator_id.hex, version),
        )
        return int(rows[0][0]) if rows else None

    def chain_head(self) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT position, hash FROM ledger_chain ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
        return (row[0], bytes(row[1])) if row else None

    # Tamper evidence: raw reads of the chain, the Merkle cache, checkpoints, import -----------
    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: verification reads millions
            c.execute(statement, params)
            return c.fetchall()

    def chain_rows(self, after: int, stop: int, limit: int) -> list[tuple]:
        """(position, originator id hex as bytes, version, topic, state, hash) from the chain's
        side: a chain row whose event row is gone comes back with None in the event's fields."""
        return self._query(
            f"SELECT c.position, CAST(e.originator_id AS BLOB), e.originator_version, e.topic, "
            f"e.state, "
            f"c.hash FROM ledger_chain c LEFT JOIN {self.events_table_name} e "
            f"ON e.rowid = c.position WHERE c.position > ? AND c.position <= ? "
            f"ORDER BY c.position LIMIT ?",
            (after, stop, limit),
        )

    def first_unchained_position(self, after: int, stop: int) -> int | None:
        """The first event row without a chain row (an insertion behind the ledger's back)."""
        rows = self._query(
            f"SELECT e.rowid FROM {self.events_table_name} e LEFT JOIN ledger_chain c "
            f"ON c.position = e.rowid WHERE c.position IS NULL AND e.rowid > ? AND e.rowid <= ? "
            f"ORDER BY e.rowid LIMIT 1",
            (after, stop),
        )
        return rows[0][0] if rows else None

    def log_bounds(self) -> tuple[int, int]:
        """The last position in the chain and the last position in the events table."""
        return self._query(
            f"SELECT (SELECT COALESCE(MAX(position), 0) FROM ledger_chain), "
            f"(SELECT COALESCE(MAX(rowid), 0) FROM {self.events_table_name})"
        )[0]

    def chain_hashes(self, after: int, limit: int, stop: int | None = None) -> list[tuple]:
        """(position, hash) of the chain after a position, in order."""
        if stop is None:
            return self._query(
                "SELECT position, hash FROM ledger_chain WHERE position > ? "
                "ORDER BY position LIMIT ?",
                (after, limit),
            )
        return self._query(
            "SELECT position, hash FROM ledger_chain WHERE position > ? AND position <= ? "
            "ORDER BY position LIMIT ?",
            (after, stop, limit),
        )

    def merkle_nodes(self, level: int, first: int, limit: int) -> list[tuple]:
        """(idx, hash, last_position) of cached complete subtrees of 2**level leaves."""
        return self._query(
            "SELECT idx, hash, last_position FROM ledger_merkle_nodes "
            "WHERE level = ? AND idx >= ? ORDER BY idx LIMIT ?",
            (level, first, limit),
        )

    def merkle_width(self, level: int) -> int:
        return self._query(
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_merkle_nodes WHERE level = ?", (level,)
        )[0][0]

    def merkle_node_through(self, level: int, position: int) -> tuple | None:
        """The last cached node of `level` whose leaves all sit at or before `position`."""
        rows = self._query(
            "SELECT idx, hash, last_position FROM ledger_merkle_nodes "
            "WHERE level = ? AND last_position <= ? ORDER BY last_position DESC LIMIT 1",
            (level, position),
        )
        return rows[0] if rows else None

    def insert_merkle_nodes(self, level: int, nodes: Sequence[tuple]) -> None:
        """Cache subtree roots; a node someone else cached first is the same and is kept."""
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                "INSERT OR IGNORE INTO ledger_merkle_nodes VALUES (?, ?, ?, ?)",
                [(level, idx, h, last) for idx, h, last in nodes],
            )

    def insert_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO ledger_checkpoints (tree_size, position, hash, root, signed_at, "
                "key_id, signature) VALUES (:tree_size, :position, :hash, :root, :signed_at, "
                ":key_id, :signature)",
                checkpoint,
            )

    def select_checkpoints(self, limit: int, newest_first: bool = True) -> list[dict[str, Any]]:
        order = "DESC" if newest_first else "ASC"
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT tree_size, position, hash, root, signed_at, key_id, signature "
                f"FROM ledger_checkpoints ORDER BY id {order} LIMIT ?",
                (limit,),
            )
            return [dict(row) for row in c.fetchall()]

    def import_chained(self, batches: Iterable[Sequence[tuple]]) -> int:
        """Write exported rows (position, originator id, version, topic, state, hash) into an
        empty log, keeping their positions, in one transaction: all of them or none."""
        count = 0
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"SELECT 1 FROM {self.events_table_name} LIMIT 1")
            if c.fetchone():
                raise ValueError("the ledger is not empty")
            for batch in batches:
                c.executemany(
                    f"INSERT INTO {self.events_table_name} "
                    f"(rowid, originator_id, originator_version, topic, state) "
                    f"VALUES (?, ?, ?, ?, ?)",
                    [(p, oid.hex, v, t, s) for p, oid, v, t, s, _ in batch],
                )
                c.executemany(
                    "INSERT INTO ledger_chain (position, hash) VALUES (?, ?)",
                    [(row[0], row[5]) for row in batch],
                )
                count += len(batch)
        return count
