"""`ledger backup` and `ledger restore`: the ledger's database in its backend's native form.

A backup is online and consistent: it holds the log as it stood at one moment while writers
carry on, and it names the head (position and hash) it holds.
- SQLite: the file copied with SQLite's backup API in a single step, which reads one snapshot
  (in WAL mode writers are not held up); the head is read from the copy.
- PostgreSQL: `pg_dump --format=custom` on a snapshot exported by a transaction that reads the
  head in the same snapshot. The read models (`proj_*`) are left out: they are rebuilt from the
  log (`ledger project --once`, or by `ledger serve` as it starts).
Either way the backup holds the events (tokens are events too), the hash chain, idempotency
claims, signed checkpoints, snapshots and whatever store sits in the ledger's tables (such as
personal-data keys); never what lives outside the database (signing keys, a master key).

A restore goes into an empty database of the same backend (a missing SQLite file, one without
tables, or a PostgreSQL schema without relations or functions) and refuses anything else: it
never merges into or overwrites a ledger.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from service.storage import libpq_params

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
READ_MODELS = "proj_*"


class BackupError(Exception):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class Head:
    """The last position in a backup's log and its chain hash."""

    position: int
    hash: str

    def __str__(self) -> str:
        return f"position {self.position} hash {self.hash}"


def backup(recorder: Any, database_url: str, target: Path) -> Head | None:
    """Write a consistent backup of the ledger at `database_url` to `target` (replaced only
    once the backup is whole); return the head it holds (None for an empty log)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _is_sqlite(database_url):
            head = _backup_sqlite(_sqlite_path(database_url), partial, recorder.sql.head)
        else:
            head = _backup_postgres(database_url, recorder.datastore.schema, partial,
                                    recorder.sql.head)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return head


def restore(database_url: str, source: Path) -> None:
    """Load a backup into the empty database at `database_url`."""
    with open(source, "rb") as f:
        magic = f.read(len(SQLITE_MAGIC))
    if _is_sqlite(database_url):
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup; LEDGER_DATABASE_URL names a "
                              "SQLite database")
        _restore_sqlite(source, _sqlite_path(database_url))
    else:
        if not magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} is not a PostgreSQL backup (pg_dump custom format); "
                              "LEDGER_DATABASE_URL names a PostgreSQL database")
        _restore_postgres(database_url, source)


# SQLite -------------------------------------------------------------------------------------
def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:///")


def _sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///"):])


def _backup_sqlite(path: Path, target: Path, head_statement: str) -> Head | None:
    if not path.exists():
        raise BackupError(f"no ledger at {path}")
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)  # pages=-1: one step, so one consistent snapshot
        row = copy.execute(head_statement).fetchone()
    return Head(row[0], bytes(row[1]).hex()) if row else None


def _restore_sqlite(source: Path, path: Path) -> None:
    if path.exists() and path.stat().st_size:
        with closing(sqlite3.connect(path)) as existing:
            tables = [r[0] for r in existing.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        if tables:
            raise BackupError(f"{path} is not empty (tables {', '.join(tables[:5])}); "
                              "restore into a new database")
    with closing(sqlite3.connect(source)) as backup_file, closing(sqlite3.connect(path)) as copy:
        backup_file.backup(copy)


# PostgreSQL ---------------------------------------------------------------------------------
# libpq's environment variable for each URL parameter the tools are given.
_CLIENT_VARIABLES = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER",
                     "password": "PGPASSWORD", "dbname": "PGDATABASE", "sslmode": "PGSSLMODE",
                     "target_session_attrs": "PGTARGETSESSIONATTRS",
                     "connect_timeout": "PGCONNECT_TIMEOUT"}


def _client_env(url: str) -> tuple[dict[str, str], str]:
    """The libpq environment for `url`, several hosts included (the password never on a
    command line), and the database name."""
    params = {"host": "127.0.0.1", "port": "5432", "user": "postgres", **libpq_params(url)}
    env = {**os.environ, **{variable: params[key] for key, variable in _CLIENT_VARIABLES.items()
                            if key in params}}
    return env, params["dbname"]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL client tools of the "
                          "server's major version or newer")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _backup_postgres(url: str, schema: str, target: Path, head_statement: str) -> Head | None:
    env, _ = _client_env(url)
    pg_dump = _tool("pg_dump")
    with psycopg.connect(url) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()
            row = conn.execute(head_statement).fetchone()
            assert snapshot is not None
            _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot[0]}",
                  f"--exclude-table={schema}.{READ_MODELS}", f"--file={target}"], env)
    return Head(row[0], bytes(row[1]).hex()) if row else None


def _restore_postgres(url: str, source: Path) -> None:
    env, dbname = _client_env(url)
    pg_restore = _tool("pg_restore")
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() UNION ALL "
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() ORDER BY 1 LIMIT 5").fetchall()
        if found:
            names = ", ".join(str(r[0]) for r in found)
            raise BackupError(f"database {dbname} is not empty ({names}); restore into a new "
                              "database")
    _run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={dbname}", str(source)], env)
