"""The table of wrapped subject keys (`ledger_subject_keys`) in the ledger's own database.

Unlike the event tables it is not append-only: destroying a key is what erasure means. The
destroyed row keeps its subject with no key (a tombstone). On PostgreSQL the service role may
only read and insert keys (`ledger db setup-roles`); it destroys one through
`ledger_erase_key(subject, position)`, a function the owner made that runs with the owner's
rights and destroys a key only when the event at `position` is the recorded
`PersonalDataErased` of that subject, so no key goes without its erasure in the log.
On SQLite the key's bytes are overwritten in the file (`secure_delete`) and the write-ahead
log is checkpointed and truncated, so no page of the file or its WAL still holds them; on
PostgreSQL the table is vacuumed so the dead row version goes too.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import Any

KEYS_TABLE = "ledger_subject_keys"
ERASE_FUNCTION = "ledger_erase_key"
CHECKPOINT_TRIES = 20


class SQLiteKeyTable:
    def __init__(self, datastore: Any) -> None:
        self._datastore = datastore
        self._path = datastore.pool.db_name
        with datastore.transaction(commit=True) as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} "
                      "(subject TEXT PRIMARY KEY, wrapped BLOB, destroyed_at TEXT)")

    def wrapped(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        wanted = list(subjects)
        found: dict[str, bytes | None] = {}
        with self._datastore.transaction(commit=False) as c:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                c.execute(f"SELECT subject, wrapped FROM {KEYS_TABLE} WHERE subject IN "
                          f"({', '.join('?' * len(chunk))})", chunk)
                found.update((row[0], None if row[1] is None else bytes(row[1]))
                             for row in c.fetchall())
        return found

    def add(self, wrapped: dict[str, bytes]) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.executemany(f"INSERT OR IGNORE INTO {KEYS_TABLE} (subject, wrapped) VALUES (?, ?)",
                          list(wrapped.items()))

    def destroy(self, subject: str, position: int | None = None) -> bool:
        conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("BEGIN IMMEDIATE")
            changed = conn.execute(
                f"UPDATE {KEYS_TABLE} SET wrapped = NULL, destroyed_at = datetime('now') "
                "WHERE subject = ? AND wrapped IS NOT NULL", (subject,)).rowcount
            conn.execute("COMMIT")
            _checkpoint(conn)
            return changed > 0
        finally:
            conn.close()


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the WAL into the file and empty it; readers holding old pages may delay it."""
    for _ in range(CHECKPOINT_TRIES):
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return
        time.sleep(0.1)


class PostgresKeyTable:
    def __init__(self, datastore: Any) -> None:
        self._datastore = datastore
        self._table = f"{datastore.schema}.{KEYS_TABLE}"
        with datastore.transaction(commit=True) as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self._table} "
                      "(subject TEXT PRIMARY KEY, wrapped BYTEA, destroyed_at TIMESTAMPTZ)")
            c.execute("SELECT to_regprocedure(%s) AS found",
                      (f"{datastore.schema}.{ERASE_FUNCTION}(text, bigint)",))
            self._erase_function = c.fetchone()["found"] is not None

    def wrapped(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        with self._datastore.transaction(commit=False) as c:
            c.execute(f"SELECT subject, wrapped FROM {self._table} WHERE subject = ANY(%s)",
                      (list(subjects),))
            return {row["subject"]: None if row["wrapped"] is None else bytes(row["wrapped"])
                    for row in c.fetchall()}

    def add(self, wrapped: dict[str, bytes]) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.executemany(f"INSERT INTO {self._table} (subject, wrapped) VALUES (%s, %s) "
                          "ON CONFLICT (subject) DO NOTHING", list(wrapped.items()))

    def destroy(self, subject: str, position: int | None = None) -> bool:
        with self._datastore.transaction(commit=True) as c:
            if self._erase_function and position is not None:
                c.execute(f"SELECT {self._datastore.schema}.{ERASE_FUNCTION}(%s, %s) AS changed",
                          (subject, position))
                changed = bool(c.fetchone()["changed"])
            else:
                c.execute(f"UPDATE {self._table} SET wrapped = NULL, destroyed_at = now() "
                          "WHERE subject = %s AND wrapped IS NOT NULL", (subject,))
                changed = c.rowcount > 0
        with self._datastore.get_connection() as conn:
            autocommit = conn.autocommit
            conn.autocommit = True
            try:  # only the owner may; the service role's leaves it to autovacuum (a notice)
                conn.execute(f"VACUUM {self._table}")
            finally:
                conn.autocommit = autocommit
        return changed


def key_table_of(recorder: Any) -> SQLiteKeyTable | PostgresKeyTable:
    datastore = recorder.datastore
    if hasattr(datastore, "schema"):
        return PostgresKeyTable(datastore)
    return SQLiteKeyTable(datastore)
