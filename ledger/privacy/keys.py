"""Subject keys: made on a subject's first sealed field, destroyed by an erasure.

Where wrapped keys are kept is a `KeyTable`: a table in the ledger's database by default
(`ledger.recorders.keys`), or a directory of files (`KeyDirectory`) to put them on other
storage; a KMS would be one more `KeyTable`. A destroyed key leaves a tombstone, so a subject
once erased is never given a new key: a later event about it is stored with its personal fields
left out.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

from ledger.privacy.cipher import MasterKey, new_key
from ledger.privacy.journal import ErasureJournal

MASTER_CHECK = "_master_check_"


class MasterKeyMismatch(RuntimeError):
    """The configured master key is not the one this database's keys were wrapped with."""


class KeyTable(Protocol):
    def wrapped(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        """Each known subject's wrapped key; None for a destroyed one; unknown ones left out."""

    def add(self, wrapped: dict[str, bytes]) -> None:
        """Keep new wrapped keys, each unless its subject has one (or had one) already."""

    def destroy(self, subject: str, position: int | None = None) -> bool:
        """Destroy the subject's key beyond recovery, leaving a tombstone; False if none.
        `position` is the recorded erasure's (a store may check it is one)."""


class KeyRing:
    """Subject keys for sealing (cached: a write may reuse a key a moment after it was
    destroyed elsewhere, and then writes what no one can read, which is what erasure wants) and
    for reading (never cached, so an erasure anywhere takes effect on the next read). With an
    erasure journal (`journal_path`), a subject it names is erased whatever the table says."""

    def __init__(self, table: KeyTable, master: MasterKey, journal_path: str | None = None
                 ) -> None:
        self._table = table
        self._master = master
        self._sealing: dict[str, bytes | None] = {}
        self._lock = threading.Lock()
        self._made_here = threading.local()
        check = self._check_master()
        self.journal = (ErasureJournal(journal_path, hashlib.sha256(check).hexdigest()[:32])
                        if journal_path else None)

    def _check_master(self) -> bytes:
        found = self._table.wrapped([MASTER_CHECK]).get(MASTER_CHECK)
        if found is None:
            self._table.add({MASTER_CHECK: self._master.wrap(MASTER_CHECK, bytes(32))})
            found = self._table.wrapped([MASTER_CHECK])[MASTER_CHECK]
        try:
            self._master.unwrap(MASTER_CHECK, found or b"")
        except Exception as error:
            raise MasterKeyMismatch(
                "the master key (LEDGER_MASTER_KEY_FILE) does not open this database's "
                "personal-data keys") from error
        return found or b""

    def _journaled(self) -> dict:
        return self.journal.erasures() if self.journal else {}

    def derive(self, purpose: str) -> bytes:
        """A key for `purpose` derived from the master key (kept with it, outside the
        database)."""
        return self._master.derive(purpose)

    def for_sealing(self, subject: str) -> bytes | None:
        """The subject's key, made now if it has none; None once it was erased."""
        self.prepare([subject])
        with self._lock:
            return self._sealing[subject]

    def prepare(self, subjects: Iterable[str]) -> None:
        """Have the keys of `subjects` ready for sealing, making the missing ones together
        (one query to look, one transaction to add), so a batch of new households costs two
        statements, not two per household."""
        with self._lock:
            wanted = {s for s in subjects if s not in self._sealing}
        if not wanted:
            return
        found = self._table.wrapped(wanted)
        missing = wanted - set(found)
        if missing:
            self._table.add({s: self._master.wrap(s, new_key()) for s in missing})
            found.update(self._table.wrapped(missing))
            made = getattr(self._made_here, "subjects", None)
            if made is not None:
                made.update(missing)
        journaled = self._journaled()
        keys = {s: None if s in journaled else self._unwrap(s, found.get(s)) for s in wanted}
        with self._lock:
            self._sealing.update(keys)

    @contextmanager
    def provisional(self) -> Iterator[None]:
        """Keys made in this thread inside the block are forgotten if it fails: a write that
        holds the writers' lock adds them in its own transaction, and they go with it."""
        self._made_here.subjects = set()
        try:
            yield
        except BaseException:
            with self._lock:
                for subject in self._made_here.subjects:
                    self._sealing.pop(subject, None)
            raise
        finally:
            self._made_here.subjects = None

    def for_reading(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        """Each subject's key; None for an erased (or never keyed) subject."""
        wanted = set(subjects)
        if not wanted:
            return {}
        found = self._table.wrapped(wanted)
        journaled = self._journaled()
        return {s: None if s in journaled else self._unwrap(s, found.get(s)) for s in wanted}

    def erase(self, subject: str, position: int | None = None) -> None:
        """Journal the erasure recorded at `position`, then destroy the subject's key."""
        if self.journal:
            self.journal.append(subject, position)
        with self._lock:
            self._sealing[subject] = None
        self._table.destroy(subject, position)

    def apply_journal(self) -> list[str]:
        """Destroy the key of every journaled subject that still has one (a restored backup
        older than the erasure); the subjects whose keys went."""
        erasures = self._journaled()
        found = self._table.wrapped(erasures)
        live = sorted(s for s in erasures if found.get(s) is not None)
        for subject in live:
            self._table.destroy(subject, erasures[subject].position)
        return live

    def _unwrap(self, subject: str, wrapped: bytes | None) -> bytes | None:
        return None if wrapped is None else self._master.unwrap(subject, wrapped)


class KeyDirectory:
    """Wrapped keys as one file per subject in a directory (mounted storage, a secrets volume).
    A destroyed key's file is overwritten and replaced by an empty tombstone."""

    def __init__(self, path: str) -> None:
        self._path = path
        os.makedirs(path, mode=0o700, exist_ok=True)

    def _file(self, subject: str) -> str:
        return os.path.join(self._path, subject.encode().hex() + ".key")

    def wrapped(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        found: dict[str, bytes | None] = {}
        for subject in subjects:
            try:
                with open(self._file(subject), "rb") as file:
                    content = file.read()
            except FileNotFoundError:
                continue
            found[subject] = content or None
        return found

    def add(self, wrapped: dict[str, bytes]) -> None:
        for subject, content in wrapped.items():
            try:
                fd = os.open(self._file(subject), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())

    def destroy(self, subject: str, position: int | None = None) -> bool:
        path = self._file(subject)
        try:
            size = os.path.getsize(path)
        except FileNotFoundError:
            return False
        with open(path, "r+b") as file:
            file.write(bytes(size))
            file.flush()
            os.fsync(file.fileno())
            file.truncate(0)
            os.fsync(file.fileno())
        return size > 0
