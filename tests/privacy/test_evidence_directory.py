"""Evidence files kept under LEDGER_EVIDENCE_DIR: named by hash, sealed, written once, and
unreadable once the subject's key is destroyed."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ledger.errors import NotFound
from ledger.privacy.cipher import MasterKey, new_key
from ledger.privacy.evidence_files import EvidenceErased, EvidenceFiles
from ledger.privacy.keys import KeyDirectory, KeyRing
from ledger.recorders.evidence import EvidenceDirectory

SCAN = b"%PDF-1.7\n" + "王小明 身份证 110101".encode() * 20


def test_files_in_a_directory_are_sealed_kept_once_and_erased_with_the_key(
        tmp_path: Path) -> None:
    keys = KeyRing(KeyDirectory(str(tmp_path / "keys")), MasterKey(new_key()))
    files = EvidenceFiles(EvidenceDirectory(str(tmp_path / "files")), keys)
    sha = hashlib.sha256(SCAN).hexdigest()
    stored, added = files.store(sha, "person:p1", SCAN)
    assert added and stored.media_type == "application/pdf"
    assert files.store(sha, "household:h9", SCAN) == (files.find(sha), False)
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "files").iterdir())
    assert "王小明".encode() not in on_disk and sorted(
        p.name for p in (tmp_path / "files").iterdir()) == [f"{sha}.json", f"{sha}.sealed"]
    assert files.open(sha).content == SCAN
    with pytest.raises(NotFound):
        files.open("0" * 64)
    keys.erase("person:p1")
    with pytest.raises(EvidenceErased):
        files.open(sha)
