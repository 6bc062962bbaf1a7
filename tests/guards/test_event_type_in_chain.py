"""The chain the recorders write covers the event type, on SQLite and PostgreSQL: each stored
hash is SHA-256 of the documented bytes of its row (tests/unit/test_chain_vector.py), and an
event retyped in the database behind the ledger is found at its position."""
from __future__ import annotations

from hashlib import sha256
from uuid import UUID

from ledger.application import Ledger
from ledger.tamper.verification import verify_chain
from tests.tamper.conftest import Database, record_units


def _documented(previous: bytes, position: int, oid: UUID, version: int, topic: str,
                state: bytes) -> bytes:
    """The chain format written out independently of `ledger.tamper.chain`."""
    def sized(value: bytes) -> bytes:
        return len(value).to_bytes(4, "big") + value

    return sha256(previous + position.to_bytes(8, "big") + sized(oid.hex.encode())
                  + version.to_bytes(8, "big") + sized(topic.encode()) + sized(state)).digest()


def test_every_stored_hash_is_sha256_of_the_documented_bytes(ledger: Ledger) -> None:
    record_units(ledger, 3)
    previous = bytes(32)
    rows = ledger.recorder.select_chained(0, 100)  # type: ignore[attr-defined]
    assert len(rows) == 3
    for row in rows:
        previous = _documented(previous, row.position, row.originator_id,
                               row.originator_version, row.topic, bytes(row.state))
        assert row.hash == previous, row.position


def test_an_event_retyped_in_the_database_is_found_at_its_position(
    ledger: Ledger, database_url: str
) -> None:
    db = Database(database_url)
    record_units(ledger, 4)
    assert verify_chain(ledger.recorder).ok
    topic = db.event(3)[2]
    retyped = topic.replace("UnitRegistered", "UnitDelisted")
    assert retyped != topic
    db.run(f"UPDATE {db.events} SET topic = %s WHERE {db.position} = 3", (retyped,))
    report = verify_chain(ledger.recorder)
    assert (report.ok, report.first_bad_position) == (False, 3)
