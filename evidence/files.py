"""The evidence files an evidence pack carries: every file its events refer to by hash, with
its bytes (base64) when the reader's scope holds the file's subject, or a status saying why
not (`erased`: the subject's key is gone; `withheld`: outside the reader's scope;
`not_stored`: the event names a hash no one uploaded)."""
from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from typing import Any

from ledger.privacy.evidence_files import EvidenceErased, EvidenceFiles

EVIDENCE_HASH = re.compile(rb'"sha256"\s*:\s*"([0-9a-f]{64})"')
FileEntry = Callable[[str], dict[str, Any]]


def referenced(states: Iterable[bytes]) -> list[str]:
    """The evidence hashes named in stored events (hashes are never sealed)."""
    return sorted({found.decode() for state in states for found in EVIDENCE_HASH.findall(state)})


def pack_entries(files: EvidenceFiles, may_read: Callable[[str, str], bool]) -> FileEntry:
    """A pack's entry for each hash; `may_read(subject_type, subject_id)` is the reader's
    access policy (and notes the read for the read audit)."""

    def entry(sha256: str) -> dict[str, Any]:
        stored = files.find(sha256)
        if stored is None:
            return {"sha256": sha256, "status": "not_stored"}
        subject_type, _, subject_id = stored.subject.partition(":")
        about = {"sha256": sha256, "media_type": stored.media_type, "size": stored.size,
                 "subject": {"type": subject_type, "id": subject_id}}
        if not may_read(subject_type, subject_id):
            return {**about, "status": "withheld"}
        try:
            opened = files.open(sha256)
        except EvidenceErased:
            return {**about, "status": "erased"}
        return {**about, "status": "included",
                "content": base64.b64encode(opened.content).decode()}

    return entry
