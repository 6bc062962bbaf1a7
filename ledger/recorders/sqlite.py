"""SQLite recorder: the library's application recorder plus the hash chain and idempotency,
triggers that keep the log's tables append-only, and connections that sync every commit."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from ledger.recorders.append_only import sqlite_guards
from ledger.recorders.bulk import SQLiteBulkReads
from ledger.recorders.chained import ChainedRecorder
from ledger.recorders.holding import able_to_hold
from ledger.recorders.schema import BYTES, LEVEL, POSITION, SERIAL, TEXT, Dialect, Statements


def dialect(events_table_name: str) -> Dialect:
    return Dialect(
        types={
            POSITION: "INTEGER NOT NULL",
            LEVEL: "INTEGER NOT NULL",
            BYTES: "BLOB NOT NULL",
            TEXT: "TEXT NOT NULL",
            SERIAL: "INTEGER",  # the rowid: numbered by SQLite when left out
        },
        placeholder="?",
        schema_prefix="",
        events=events_table_name,
        position="rowid",
        oid_bytes="CAST({0} AS BLOB)",  # stored as hex text already
    )


class ChainedSQLiteApplicationRecorder(
    SQLiteBulkReads, ChainedRecorder, SQLiteApplicationRecorder
):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        self.sql = Statements(dialect(events_table_name))  # the library's __init__ reads it
        able_to_hold(datastore)
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *self.sql.create,
            *sqlite_guards(self.sql.append_only_keys, skipped=[self.sql.merkle]),
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's insert, then the chain: the insert took SQLite's write lock, so the
        head read here is the head this write follows."""
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions:
            c.execute(self.sql.head_hash)
            row = c.fetchone()
            self._extend_chain(c, row and bytes(row[0]), positions, stored_events, kwargs)
        return positions

    def writing(self) -> AbstractContextManager[None]:
        return self.datastore.writing()

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return c.fetchall()

    def _tuples(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(statement, params)
            return c.fetchall()

    def _insert_links(self, cursor: Any, links: Sequence[tuple[int, bytes]]) -> None:
        cursor.executemany(self.sql.insert_link, links)

    def _stored_id(self, originator_id: UUID) -> str:
        return originator_id.hex

    def _lock_log(self, cursor: Any) -> None:
        """Nothing to do: the import's first insert takes SQLite's one write lock."""

    def _after_import(self, cursor: Any) -> None:
        """Nothing to do: SQLite numbers the next row after the largest rowid."""


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """The library's pool, each connection syncing the WAL on every commit (`synchronous=FULL`):
    in WAL mode SQLite's compiled default may be NORMAL, which can lose the last commits on a
    power cut, and an acknowledged event must survive one."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection.cursor().execute("PRAGMA synchronous=FULL")
        return connection


class LedgerSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory on durable connections (`PERSISTENCE_MODULE` names it)."""

    def __init__(self, env: Environment | EnvType | None):
        super().__init__(env)
        pool = self.datastore.pool  # made by the library, not yet connected
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout
        )
