"""Where sealed evidence files are kept: a table of their own in the ledger's database
(`ledger_evidence_files`, insert-only: a file is never updated or deleted; an erased subject's
files stay as ciphertext no key opens), or a directory of files named by hash
(`LEDGER_EVIDENCE_DIR`)."""
from __future__ import annotations

import json
import os
from typing import Any

from ledger.privacy.evidence_files import EvidenceTable, StoredFile

EVIDENCE_TABLE = "ledger_evidence_files"
COLUMNS = "sha256, subject, media_type, size, sealed"


class SQLiteEvidenceTable:
    def __init__(self, datastore: Any) -> None:
        self._datastore = datastore
        with datastore.transaction(commit=True) as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {EVIDENCE_TABLE} (sha256 TEXT PRIMARY KEY, "
                      "subject TEXT NOT NULL, media_type TEXT NOT NULL, size INTEGER NOT NULL, "
                      "sealed BLOB NOT NULL, stored_at TEXT DEFAULT (datetime('now')))")
            for action in ("UPDATE", "DELETE"):
                c.execute(f"CREATE TRIGGER IF NOT EXISTS {EVIDENCE_TABLE}_no_{action.lower()} "
                          f"BEFORE {action} ON {EVIDENCE_TABLE} BEGIN "
                          "SELECT RAISE(ABORT, 'evidence files are insert-only'); END")

    def add(self, stored: StoredFile) -> bool:
        with self._datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR IGNORE INTO {EVIDENCE_TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                      (stored.sha256, stored.subject, stored.media_type, stored.size,
                       stored.sealed))
            c.execute("SELECT changes()")
            return bool(c.fetchone()[0])

    def find(self, sha256: str) -> StoredFile | None:
        with self._datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {COLUMNS} FROM {EVIDENCE_TABLE} WHERE sha256 = ?", (sha256,))
            row = c.fetchone()
        return None if row is None else StoredFile(row[0], row[1], row[2], row[3], bytes(row[4]))


class PostgresEvidenceTable:
    def __init__(self, datastore: Any) -> None:
        self._datastore = datastore
        self._table = f"{datastore.schema}.{EVIDENCE_TABLE}"
        with datastore.transaction(commit=True) as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (sha256 TEXT PRIMARY KEY, "
                      "subject TEXT NOT NULL, media_type TEXT NOT NULL, size INTEGER NOT NULL, "
                      "sealed BYTEA NOT NULL, stored_at TIMESTAMPTZ DEFAULT now())")

    def add(self, stored: StoredFile) -> bool:
        with self._datastore.transaction(commit=True) as c:
            c.execute(f"INSERT INTO {self._table} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s) "
                      "ON CONFLICT (sha256) DO NOTHING",
                      (stored.sha256, stored.subject, stored.media_type, stored.size,
                       stored.sealed))
            return c.rowcount > 0

    def find(self, sha256: str) -> StoredFile | None:
        with self._datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {COLUMNS} FROM {self._table} WHERE sha256 = %s", (sha256,))
            row = c.fetchone()
        return None if row is None else StoredFile(
            row["sha256"], row["subject"], row["media_type"], row["size"], bytes(row["sealed"]))


class EvidenceDirectory:
    """One sealed file per hash (`<sha256>.sealed`) beside its description (`.json`), both
    written once and never replaced."""

    def __init__(self, path: str) -> None:
        self._path = path
        os.makedirs(path, mode=0o700, exist_ok=True)

    def _file(self, sha256: str, suffix: str) -> str:
        return os.path.join(self._path, f"{sha256}.{suffix}")

    def add(self, stored: StoredFile) -> bool:
        about = {"subject": stored.subject, "media_type": stored.media_type, "size": stored.size}
        try:
            fd = os.open(self._file(stored.sha256, "json"), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         0o600)
        except FileExistsError:
            return False
        sealed = self._file(stored.sha256, "sealed")
        with open(f"{sealed}.part", "wb") as file:
            file.write(stored.sealed)
            file.flush()
            os.fsync(file.fileno())
        os.replace(f"{sealed}.part", sealed)
        with os.fdopen(fd, "w") as file:
            json.dump(about, file)
        return True

    def find(self, sha256: str) -> StoredFile | None:
        if not all(c in "0123456789abcdef" for c in sha256):
            return None
        try:
            with open(self._file(sha256, "json")) as file:
                about = json.load(file)
            with open(self._file(sha256, "sealed"), "rb") as file:
                sealed = file.read()
        except (FileNotFoundError, ValueError):
            return None
        return StoredFile(sha256, about["subject"], about["media_type"], about["size"], sealed)


def evidence_table_of(recorder: Any, directory: str | None = None) -> EvidenceTable:
    if directory:
        return EvidenceDirectory(directory)
    datastore = recorder.datastore
    if hasattr(datastore, "schema"):
        return PostgresEvidenceTable(datastore)
    return SQLiteEvidenceTable(datastore)
