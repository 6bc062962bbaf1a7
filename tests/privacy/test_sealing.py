"""Sealing and opening personal fields, without a database."""
from __future__ import annotations

from collections.abc import Iterable

import pytest
from cryptography.exceptions import InvalidTag

from ledger.privacy.cipher import MasterKey, new_key, seal, unseal
from ledger.privacy.fields import SEALED, subject_from_data
from ledger.privacy.keys import KeyRing, MasterKeyMismatch
from ledger.privacy.sealing import Revealer, _sealed


class MemoryTable:
    def __init__(self) -> None:
        self.rows: dict[str, bytes | None] = {}

    def wrapped(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        return {s: self.rows[s] for s in subjects if s in self.rows}

    def add(self, wrapped: dict[str, bytes]) -> None:
        for subject, content in wrapped.items():
            self.rows.setdefault(subject, content)

    def destroy(self, subject: str, position: int | None = None) -> bool:
        had = self.rows.get(subject) is not None
        self.rows[subject] = None
        return had


def test_a_sealed_value_opens_only_with_its_subjects_key() -> None:
    key = new_key()
    envelope = seal({"size": 4, "head_name": "王小明"}, "household:h1", key)
    assert "王小明" not in str(envelope)
    assert unseal(envelope, key) == {"size": 4, "head_name": "王小明"}
    with pytest.raises(InvalidTag):
        unseal(envelope, new_key())
    moved = {**envelope, SEALED: "household:h2"}  # the subject is bound into the ciphertext
    with pytest.raises(InvalidTag):
        unseal(moved, key)


def test_personal_fields_are_sealed_at_any_depth_and_others_left_alone() -> None:
    key = new_key()
    data = {"household_id": "h1", "head_name": "王小明", "size": 4,
            "measures": [{"measure_id": "m1", "description": "养牛", "due_date": "2020-05-01"}]}
    sealed = _sealed(data, "household:h1", key)
    assert sealed["household_id"] == "h1" and sealed["size"] == 4
    assert sealed["measures"][0]["due_date"] == "2020-05-01"
    assert SEALED in sealed["head_name"] and SEALED in sealed["measures"][0]["description"]
    assert data["head_name"] == "王小明"  # the event in memory is not touched
    assert _sealed({"household_id": "h1", "size": 4}, "household:h1", key) == \
        {"household_id": "h1", "size": 4}


def test_reads_open_sealed_fields_until_the_key_is_destroyed() -> None:
    ring = KeyRing(MemoryTable(), MasterKey(new_key()))
    key = ring.for_sealing("household:h1")
    view = {"household_id": "h1", "head_name": seal("王小明", "household:h1", key),
            "findings": [{"finding_id": "f1", "description": seal("漏雨", "household:h1", key)}]}
    reveal = Revealer(ring)
    assert reveal(view) == {"household_id": "h1", "head_name": "王小明",
                            "findings": [{"finding_id": "f1", "description": "漏雨"}]}
    ring.erase("household:h1")
    assert reveal(view) == {"household_id": "h1", "head_name": None, "erased": ["head_name"],
                            "findings": [{"finding_id": "f1", "description": None,
                                          "erased": ["description"]}]}
    assert ring.for_sealing("household:h1") is None  # an erased subject gets no new key


def test_a_ring_refuses_a_master_key_that_did_not_wrap_its_keys() -> None:
    table = MemoryTable()
    KeyRing(table, MasterKey(new_key())).for_sealing("person:p1")
    with pytest.raises(MasterKeyMismatch):
        KeyRing(table, MasterKey(new_key()))


@pytest.mark.parametrize(("data", "subject"), [
    ({"household_id": "h1", "note": "x"}, "household:h1"),
    ({"subject_type": "household", "subject_id": "h2", "description": "x"}, "household:h2"),
    ({"subject_type": "unit", "subject_id": "v1", "description": "x"}, None),
    ({"person_id": "p1", "note": "x"}, "person:p1"),
    ({"unit_id": "v1", "reason": "x"}, None),
])
def test_the_subject_of_an_event_comes_from_its_fields(data: dict, subject: str | None) -> None:
    assert subject_from_data(data) == subject


def test_a_key_directory_keeps_wrapped_keys_and_destroys_them(tmp_path) -> None:  # noqa: ANN001
    from ledger.privacy.keys import KeyDirectory

    folder = KeyDirectory(str(tmp_path / "keys"))
    ring = KeyRing(folder, MasterKey(new_key()))
    key = ring.for_sealing("household:h1")
    assert key is not None and ring.for_reading(["household:h1"]) == {"household:h1": key}
    [stored] = [p for p in (tmp_path / "keys").iterdir() if p.read_bytes() and
                b"household:h1".hex() in p.name]
    ring.erase("household:h1")
    assert stored.read_bytes() == b""  # a tombstone: the subject never gets a new key
    assert ring.for_reading(["household:h1"]) == {"household:h1": None}
    assert ring.for_sealing("household:h1") is None
