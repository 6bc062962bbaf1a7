"""Where the console's sessions are kept (`console.sessions.SessionStore`).

- `SessionTable` (the default): a table `console_sessions` in the ledger's own database, so every
  worker and every machine of one deployment shares them. It is the service's table, not part of
  the log: rows are replaced and deleted (a session ends), which is why it stays out of
  `Statements.append_only` and `ledger db setup-roles` grants the service role every right on it.
- `SessionDirectory` (`LEDGER_CONSOLE_SESSION_DIR`): one JSON file per session in a directory
  the service creates with mode 0700; a directory that another user owns, that others may
  enter, or that is a symbolic link is refused, so no one else can plant or read a session.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from typing import Any

TABLE = "console_sessions"
SCHEMA_LOCK = 0x636F6E736F6C65  # held while PostgreSQL creates the table ("console")


class SessionTable:
    def __init__(self, datastore: Any) -> None:
        self._datastore = datastore
        postgres = hasattr(datastore, "schema")
        table = f'"{datastore.schema}".{TABLE}' if postgres else TABLE
        mark = "%s" if postgres else "?"
        self._create = (f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, "
                        "data TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL)")
        self._load = f"SELECT data FROM {table} WHERE key = {mark} AND expires_at > {mark}"
        self._save = (f"INSERT INTO {table} (key, data, expires_at) VALUES ({mark}, {mark}, "
                      f"{mark}) ON CONFLICT (key) DO UPDATE SET data = excluded.data, "
                      "expires_at = excluded.expires_at")
        self._delete = f"DELETE FROM {table} WHERE key = {mark}"
        self._purge = f"DELETE FROM {table} WHERE expires_at <= {mark}"
        with datastore.transaction(commit=True) as cursor:
            if postgres:  # workers starting together: one creates it, the others then see it
                cursor.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            cursor.execute(self._create)

    def _run(self, statement: str, *params: Any) -> None:
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(statement, params)

    def load(self, key: str, now: float) -> dict[str, Any] | None:
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(self._load, (key, now))
            row = cursor.fetchone()
        try:
            return None if row is None else dict(json.loads(row["data"]))
        except (ValueError, TypeError):  # not a session this service wrote: no session
            return None

    def save(self, key: str, data: dict[str, Any], expires_at: float) -> None:
        self._run(self._save, key, json.dumps(data), expires_at)

    def delete(self, key: str) -> None:
        self._run(self._delete, key)

    def purge(self, now: float) -> None:
        self._run(self._purge, now)


class UnsafeSessionDirectory(RuntimeError):
    """The session directory is not this service's own (another owner, open to others, a link)."""


class SessionDirectory:
    def __init__(self, path: str) -> None:
        self._path = path
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        found = os.lstat(path)
        if not stat.S_ISDIR(found.st_mode):
            raise UnsafeSessionDirectory(f"{path} is not a directory (a link?)")
        if found.st_uid != os.geteuid():
            raise UnsafeSessionDirectory(f"{path} belongs to another user (uid {found.st_uid})")
        if found.st_mode & 0o077:
            raise UnsafeSessionDirectory(
                f"{path} is open to others (mode {stat.S_IMODE(found.st_mode):o}); make it 0700")

    def _file(self, key: str) -> str:
        return os.path.join(self._path, f"{int(key, 16):064x}.json")

    def load(self, key: str, now: float) -> dict[str, Any] | None:
        try:
            with open(self._file(key), encoding="utf-8") as file:
                kept = json.load(file)
            return dict(kept["data"]) if kept["expires_at"] > now else None
        except (OSError, ValueError, TypeError, KeyError):  # none, or not one this service wrote
            return None

    def save(self, key: str, data: dict[str, Any], expires_at: float) -> None:
        handle, temporary = tempfile.mkstemp(dir=self._path, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"data": data, "expires_at": expires_at}, file)
        os.replace(temporary, self._file(key))

    def delete(self, key: str) -> None:
        try:
            os.unlink(self._file(key))
        except FileNotFoundError:
            pass

    def purge(self, now: float) -> None:
        for entry in os.scandir(self._path):
            if entry.name.endswith(".json") and self.load(entry.name[:-5], now) is None:
                self.delete(entry.name[:-5])
