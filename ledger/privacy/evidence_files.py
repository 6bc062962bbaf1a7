"""Evidence files (photos, scans, PDFs) kept encrypted under the key of the subject they are
about, so erasing the subject (destroying its key) makes its files unreadable too.

Files are content-addressed (named by their SHA-256) and insert-only: storing the same bytes
again changes nothing. Where the sealed bytes are kept is an `EvidenceTable`: a table in the
ledger's database by default, or a directory of files (`ledger.recorders.evidence`).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.errors import LedgerError, NotFound
from ledger.privacy.cipher import NONCE_BYTES
from ledger.privacy.keys import KeyRing

MAX_BYTES = 20 * 1024 * 1024
MEDIA_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png",
               b"%PDF-": "application/pdf"}
WRITERS = ("admin", "inspector", "cadre")


class EvidenceRefused(LedgerError):
    """A file refused before anything is stored: its status and code say why."""

    def __init__(self, status: int, code: str, message: str, **details: object) -> None:
        super().__init__(message, **details)
        self.status = status
        self.code = code


class EvidenceErased(LedgerError):
    """The file's subject was erased: its key is gone, and the file with it."""

    code = "evidence_erased"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    subject: str
    media_type: str
    size: int
    sealed: bytes


@dataclass(frozen=True)
class OpenedFile:
    sha256: str
    subject: str
    media_type: str
    content: bytes


class EvidenceTable(Protocol):
    def add(self, stored: StoredFile) -> bool:
        """Keep the file unless one with its hash is kept already; True when added."""

    def find(self, sha256: str) -> StoredFile | None:
        """The kept file with this hash, if any."""


def media_type_of(content: bytes) -> str | None:
    """JPEG, PNG or PDF by the file's first bytes; None for anything else."""
    return next((kind for magic, kind in MEDIA_TYPES.items() if content.startswith(magic)),
                None)


def check_file(sha256: str, content: bytes) -> str:
    """The file's media type, or the refusal of a file too large, of another type, or whose
    bytes do not hash to `sha256`."""
    if len(content) > MAX_BYTES:
        raise EvidenceRefused(413, "too_large", f"an evidence file has at most {MAX_BYTES} bytes",
                              size=len(content))
    media_type = media_type_of(content)
    if media_type is None:
        raise EvidenceRefused(415, "unsupported_media_type",
                              "an evidence file is a JPEG, PNG or PDF")
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        raise EvidenceRefused(422, "hash_mismatch",
                              "the file's SHA-256 differs from the one in the path",
                              field="sha256", actual=actual)
    return media_type


class EvidenceFiles:
    """Seals files under subject keys from `keys` into `table`, and opens them again."""

    def __init__(self, table: EvidenceTable, keys: KeyRing) -> None:
        self._table = table
        self._keys = keys

    def store(self, sha256: str, subject: str, content: bytes) -> tuple[StoredFile, bool]:
        """Check and keep the file about `subject`; (what is kept, whether it is new). A file
        already kept keeps its first subject; one about an erased subject is refused (410)."""
        media_type = check_file(sha256, content)
        found = self._table.find(sha256)
        if found is not None:
            return found, False
        key = self._keys.for_sealing(subject)
        if key is None:
            raise EvidenceRefused(410, "subject_erased",
                                  "the subject's personal data was erased", subject=subject)
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + AESGCM(key).encrypt(nonce, content, _context(sha256, subject))
        stored = StoredFile(sha256, subject, media_type, len(content), sealed)
        added = self._table.add(stored)
        return (stored if added else self._table.find(sha256) or stored), added

    def find(self, sha256: str) -> StoredFile | None:
        return self._table.find(sha256)

    def open(self, sha256: str) -> OpenedFile:
        """The file's bytes; NotFound when none is kept, EvidenceErased after an erasure."""
        stored = self._table.find(sha256)
        if stored is None:
            raise NotFound(f"no evidence file {sha256!r}", id=sha256)
        key = self._keys.for_reading([stored.subject]).get(stored.subject)
        if key is None:
            raise EvidenceErased("the file's subject was erased; the file is unreadable",
                                 id=sha256)
        content = AESGCM(key).decrypt(stored.sealed[:NONCE_BYTES], stored.sealed[NONCE_BYTES:],
                                      _context(sha256, stored.subject))
        return OpenedFile(sha256, stored.subject, stored.media_type, content)


def _context(sha256: str, subject: str) -> bytes:
    return f"evidence:{sha256}:{subject}".encode()
