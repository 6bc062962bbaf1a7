"""Known-answer vectors for the hash chain: fixed bytes in, fixed hex out.

The format (README, design): hash(n) = SHA-256 of
    hash(n-1)                                  32 bytes; 32 zero bytes before the first event
    position                                   8 bytes, unsigned big-endian
    len(originator id) || originator id        4-byte big-endian length; the id as 32 lowercase
                                               hex digits, no dashes, ASCII
    originator version                         8 bytes, unsigned big-endian
    len(topic) || topic                        the event type's topic, UTF-8
    len(state) || state                        the stored event bytes, exactly as stored

The hex below was computed once and written down: any change to the format, or to any field it
covers (the event type included), changes it. The writer (`link`) and the verifier (which
inlines the same bytes for speed) must both give it.
"""
from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

import pytest

from ledger.tamper import chain
from ledger.tamper.chain import GENESIS, link
from ledger.tamper.verification import verify_chain

UNIT_V1 = UUID("45c3b80a-2025-5a9c-be2b-03e6c822c458")  # the aggregate id of unit "v1"
REGISTERED = "ledger.domain.units:Unit.UnitRegistered"
LISTED = "ledger.domain.units:Unit.UnitListed"
FIRST_STATE = b'{"unit_id":"v1"}'
SECOND_STATE = b'{"level":"city","unit_id":"v1"}'

FIRST_HASH = "4ec8ca38a7a90c46be0552afb6f8ef0a8cb5c048b832b3f8cfa08b46c08039c7"
SECOND_HASH = "e8b73b6590c027bf28659bc1a524fbd5dc0ee81df6175b06c90d9971d43a324e"

# The bytes hashed for the first event, spelled out field by field.
FIRST_PREIMAGE = (
    bytes(32)                                                # previous: genesis
    + bytes.fromhex("0000000000000001")                      # position 1
    + bytes.fromhex("00000020") + b"45c3b80a20255a9cbe2b03e6c822c458"  # originator id
    + bytes.fromhex("0000000000000001")                      # version 1
    + bytes.fromhex("00000027") + REGISTERED.encode()        # topic, 39 bytes
    + bytes.fromhex("00000010") + FIRST_STATE                # state, 16 bytes
)


def test_the_first_vector_hashes_to_its_known_answer() -> None:
    assert link(GENESIS, 1, UNIT_V1, 1, REGISTERED, FIRST_STATE).hex() == FIRST_HASH


def test_the_second_vector_chains_on_the_first() -> None:
    previous = bytes.fromhex(FIRST_HASH)
    assert link(previous, 2, UNIT_V1, 2, LISTED, SECOND_STATE).hex() == SECOND_HASH


def test_link_hashes_exactly_the_documented_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[bytes] = []

    def recording_sha256(data: bytes) -> Any:
        hashed.append(data)
        return hashlib.sha256(data)

    monkeypatch.setattr(chain, "sha256", recording_sha256)
    link(GENESIS, 1, UNIT_V1, 1, REGISTERED, FIRST_STATE)
    assert hashed == [FIRST_PREIMAGE]


def test_the_originator_id_is_hashed_as_hex_without_dashes_however_it_is_given() -> None:
    as_text = link(GENESIS, 1, UNIT_V1.hex, 1, REGISTERED, FIRST_STATE)
    assert as_text.hex() == FIRST_HASH


@pytest.mark.parametrize("change", [
    {"previous": bytes(31) + b"\x01"},
    {"position": 2},
    {"originator_id": UUID(int=UNIT_V1.int + 1)},
    {"originator_version": 2},
    {"topic": LISTED},  # the same event, retyped
    {"state": FIRST_STATE + b" "},
], ids=["previous", "position", "originator", "version", "topic", "state"])
def test_a_change_to_any_one_field_changes_the_hash(change: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"previous": GENESIS, "position": 1, "originator_id": UNIT_V1,
                              "originator_version": 1, "topic": REGISTERED,
                              "state": FIRST_STATE}
    assert link(**{**fields, **change}) != link(**fields)


class _TwoEventLog:
    """The rows the verifier reads, as a recorder gives them, for the two vectors."""

    def __init__(self, first_topic: str = REGISTERED) -> None:
        oid = UNIT_V1.hex.encode()
        self.rows = [
            (1, oid, 1, first_topic, FIRST_STATE, bytes.fromhex(FIRST_HASH)),
            (2, oid, 2, LISTED, SECOND_STATE, bytes.fromhex(SECOND_HASH)),
        ]

    def log_bounds(self) -> tuple[int, int]:
        return 2, 2

    def first_unchained_position(self, after: int, stop: int) -> int | None:
        return None

    def chain_rows(self, after: int, stop: int, limit: int) -> list[tuple]:
        return [row for row in self.rows if after < row[0] <= stop][:limit]

    def chain_hashes(self, after: int, limit: int, stop: int | None = None) -> list[tuple]:
        return [(row[0], row[5]) for row in self.rows
                if after < row[0] <= (stop or row[0])][:limit]


def test_the_verifier_accepts_the_known_answers() -> None:
    report = verify_chain(_TwoEventLog())
    assert (report.ok, report.checked, report.head_position, report.head_hash) == (
        True, 2, 2, SECOND_HASH)


def test_the_verifier_finds_an_event_retyped_behind_the_ledger() -> None:
    report = verify_chain(_TwoEventLog(first_topic="ledger.domain.units:Unit.UnitDelisted"))
    assert (report.ok, report.first_bad_position) == (False, 1)
