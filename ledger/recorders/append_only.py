"""Nothing recorded is ever updated or deleted, and the database itself says so.

The log's tables (the events, the hash chain, idempotency claims, the Merkle cache and signed
checkpoints) only ever gain rows. On SQLite, triggers refuse an UPDATE or DELETE on them, and an
INSERT that meets a row already there (by position or by key: `INSERT OR REPLACE` would delete
it first without firing the DELETE trigger) is refused as well. On
PostgreSQL, the service can connect as a role granted only SELECT and INSERT on them
(`ledger.recorders.roles`); writers then cannot take the library's `LOCK TABLE ... IN EXCLUSIVE
MODE` (PostgreSQL grants it only with UPDATE, DELETE or TRUNCATE rights), so they serialise on a
transaction-level advisory lock instead, keyed by the events table.

None of this stops the database's owner, who can drop a trigger or act as the owner role:
verification (the chain, and signed checkpoints kept elsewhere) is what catches that.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence


def sqlite_guards(tables: Mapping[str, Sequence[str]], skipped: Sequence[str] = ()) -> list[str]:
    """Triggers that abort any UPDATE or DELETE on each table, and any INSERT at a position
    (rowid) or key (`tables[table]`, its primary key's columns) already taken (SQLite turns the
    abort into an IntegrityError, and the statement changes nothing). An insert into a
    `skipped` table that meets its row is skipped instead of refused (the Merkle cache, whose
    writers insert a node another may have written: `ON CONFLICT DO NOTHING`)."""
    guards = [
        f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{verb.lower()} "
        f"BEFORE {verb} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, '{table} is append-only: record a correction instead'); END"
        for table in tables
        for verb in ("UPDATE", "DELETE")
    ]
    for table, key in tables.items():
        same_key = " AND ".join(f"{column} = NEW.{column}" for column in key)
        taken = (f"EXISTS (SELECT 1 FROM {table} WHERE rowid = NEW.rowid) OR "
                 f"EXISTS (SELECT 1 FROM {table} WHERE {same_key})")
        action = ("RAISE(IGNORE)" if table in skipped else
                  f"RAISE(ABORT, '{table} is append-only: a recorded row is never replaced')")
        guards.append(f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_insert "
                      f"BEFORE INSERT ON {table} WHEN {taken} BEGIN SELECT {action}; END")
    return guards


def writer_lock_key(events_table: str) -> int:
    """The advisory lock key writers of one events table serialise on: a signed 64-bit number
    derived from its qualified name, so two ledgers in one database never wait on each other."""
    digest = hashlib.sha256(f"ledger-writers:{events_table}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
