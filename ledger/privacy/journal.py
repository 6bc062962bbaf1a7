"""The erasure journal: every erasure, also written outside the database.

A backup holds the key store as it was when it was taken; restoring one taken before an
erasure would bring the erased subject's key back. So every erasure is appended, before its key
is destroyed, to a file kept beside the master key (outside the database and its backups, like
the key itself): one JSON line naming the ledger, the subject and the position of the recorded
`PersonalDataErased`. Reads and seals treat a subject in the journal as erased whatever the
key store says, and `ledger restore` destroys the key of every journaled subject before the
restored ledger serves (`KeyRing.apply_journal`).

One master key may serve several ledgers (a test run, a staging copy): each line names its
ledger by a digest of the ledger's own wrapped master check, which a backup carries unchanged.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Erasure:
    subject: str
    position: int | None


class ErasureJournal:
    def __init__(self, path: str, ledger_id: str) -> None:
        self.path = path
        self._ledger = ledger_id
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._erasures: dict[str, Erasure] = {}

    def append(self, subject: str, position: int | None) -> None:
        line = json.dumps({"ledger": self._ledger, "subject": subject, "position": position,
                           "at": datetime.now(UTC).isoformat()}) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def erasures(self) -> dict[str, Erasure]:
        """This ledger's erasures by subject; the file is read again only when it changed."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return {}
        stamp = (found.st_mtime_ns, found.st_size)
        with self._lock:
            if stamp != self._seen:
                self._erasures = self._read()
                self._seen = stamp
            return self._erasures

    def _read(self) -> dict[str, Erasure]:
        erasures: dict[str, Erasure] = {}
        with open(self.path, encoding="utf-8") as file:
            for line in file:
                try:
                    entry = json.loads(line)
                except ValueError:  # a line cut short by a crash while it was written
                    continue
                if entry.get("ledger") == self._ledger:
                    erasures[entry["subject"]] = Erasure(entry["subject"], entry.get("position"))
        return erasures
