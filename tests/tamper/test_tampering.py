"""Someone with database access edits, deletes, inserts, swaps or cuts events: verification
finds it and says where, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.application import Ledger
from ledger.tamper.chain import link
from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.verification import verify_chain
from service.config import Config
from service.root import RecorderOpener
from tests.tamper.conftest import Database, record_units

EVENTS = 12


def _key(checkpoints: Checkpoints) -> Ed25519PublicKey:
    assert checkpoints.signer is not None
    return checkpoints.signer.public_key


@pytest.fixture
def log(ledger: Ledger) -> Ledger:
    record_units(ledger, EVENTS)
    return ledger


def test_an_untouched_log_verifies_to_its_head(log: Ledger) -> None:
    report = verify_chain(log.recorder)
    position, hash = log.head()  # type: ignore[misc]
    assert report.ok and report.first_bad_position is None
    assert (report.checked, report.head_position, report.head_hash) == (EVENTS, position, hash)


def test_one_changed_byte_of_a_stored_event_is_found_at_its_position(
    log: Ledger, db: Database
) -> None:
    state = db.event(5)[3]
    changed = state.replace(b"Village 4", b"Village 7")
    assert changed != state and len(changed) == len(state)
    db.run(f"UPDATE {db.events} SET state = %s WHERE {db.position} = 5", (changed,))
    report = verify_chain(log.recorder)
    assert not report.ok
    assert (report.first_bad_position, report.checked, report.head_position) == (5, 4, 4)


def test_a_deleted_event_row_is_found_at_its_own_position(log: Ledger, db: Database) -> None:
    db.run(f"DELETE FROM {db.events} WHERE {db.position} = 7")
    report = verify_chain(log.recorder)
    assert (report.ok, report.first_bad_position) == (False, 7)
    assert "missing" in (report.problem or "")


def test_an_event_deleted_with_its_chain_row_breaks_the_chain_at_the_next_event(
    log: Ledger, db: Database
) -> None:
    db.run(f"DELETE FROM {db.events} WHERE {db.position} = 7")
    db.run("DELETE FROM ledger_chain WHERE position = 7")
    report = verify_chain(log.recorder)
    assert (report.ok, report.first_bad_position) == (False, 8)


def test_an_event_row_appended_without_the_ledger_is_found(log: Ledger, db: Database) -> None:
    oid, version, topic, state = db.event(3)
    db.run(f"INSERT INTO {db.events} (originator_id, originator_version, topic, state) "
           "VALUES (%s, %s, %s, %s)", (oid, version + 1, topic, state))
    report = verify_chain(log.recorder)
    assert (report.ok, report.first_bad_position) == (False, EVENTS + 1)
    assert "no chain hash" in (report.problem or "")


def test_an_event_inserted_in_the_middle_is_found_where_it_was_put(
    log: Ledger, db: Database
) -> None:
    oid, version, topic, state = db.event(3)
    # make room at position 5 by moving every later event one place down, as a forger would
    db.run(f"UPDATE {db.events} SET {db.position} = {db.position} + 1000 "
           f"WHERE {db.position} >= 5")
    db.run(f"UPDATE {db.events} SET {db.position} = {db.position} - 999 "
           f"WHERE {db.position} > 1000")
    db.run(f"INSERT INTO {db.events} ({db.position}, originator_id, originator_version, "
           f"topic, state) VALUES (5, %s, %s, %s, %s)", (oid, version + 1, topic, state))
    report = verify_chain(log.recorder)
    assert (report.ok, report.first_bad_position) == (False, 5)


def test_two_swapped_events_are_found_at_the_first_of_them(log: Ledger, db: Database) -> None:
    a, b = db.event(3), db.event(9)
    db.run(f"UPDATE {db.events} SET originator_version = -1 WHERE {db.position} = 3")
    for position, (oid, version, topic, state) in ((9, a), (3, b)):
        db.run(f"UPDATE {db.events} SET originator_id = %s, originator_version = %s, "
               f"topic = %s, state = %s WHERE {db.position} = %s",
               (oid, version, topic, state, position))
    assert db.event(3) == b and db.event(9) == a
    report = verify_chain(log.recorder)
    assert (report.ok, report.first_bad_position) == (False, 3)


def test_a_cut_tail_passes_alone_but_not_against_a_checkpoint_held_outside(
    log: Ledger, db: Database, checkpoints: Checkpoints
) -> None:
    held = checkpoints.make()  # the copy someone keeps outside the database
    assert held.position == EVENTS
    db.run(f"DELETE FROM {db.events} WHERE {db.position} > 9")
    db.run("DELETE FROM ledger_chain WHERE position > 9")
    db.run("DELETE FROM ledger_checkpoints")
    alone = verify_chain(log.recorder)
    assert alone.ok and alone.checked == 9  # a shorter chain is still a valid chain
    report = verify_chain(log.recorder, [held], _key(checkpoints))
    assert (report.ok, report.first_bad_position, report.checked) == (False, 10, 9)
    assert "cut short" in (report.problem or "")


def _rewrite_from(db: Database, position: int, new_state: bytes) -> None:
    """Change one event and recompute every chain hash after it: a consistent forgery."""
    db.run(f"UPDATE {db.events} SET state = %s WHERE {db.position} = %s",
           (new_state, position))
    previous = bytes(db.run("SELECT hash FROM ledger_chain WHERE position = %s",
                            (position - 1,))[0][0])
    rows = db.run(f"SELECT {db.position}, originator_id, originator_version, topic, state "
                  f"FROM {db.events} WHERE {db.position} >= %s ORDER BY {db.position}",
                  (position,))
    for pos, oid, version, topic, state in rows:
        oid_text = oid if isinstance(oid, str) else oid.hex
        previous = link(previous, pos, oid_text, version, topic, bytes(state))
        db.run("UPDATE ledger_chain SET hash = %s WHERE position = %s", (previous, pos))


def test_a_log_rewritten_end_to_end_is_caught_by_a_checkpoint_held_outside(
    log: Ledger, db: Database, checkpoints: Checkpoints
) -> None:
    held = checkpoints.make()
    _rewrite_from(db, 4, db.event(4)[3].replace(b"Village 3", b"Village 8"))
    db.run("DELETE FROM ledger_checkpoints")
    assert verify_chain(log.recorder).ok  # the forgery is consistent on its own
    report = verify_chain(log.recorder, [held], _key(checkpoints))
    assert (report.ok, report.first_bad_position) == (False, EVENTS)
    assert "differs from the signed checkpoint" in (report.problem or "")


def test_stored_checkpoints_left_in_place_narrow_down_a_rewrite(
    log: Ledger, db: Database, checkpoints: Checkpoints
) -> None:
    checkpoints.make()
    record_units(log, 4, prefix="late")
    checkpoints.make()
    _rewrite_from(db, EVENTS + 2, db.event(EVENTS + 2)[3].replace(b"Village 1", b"Village 9"))
    stored = checkpoints.listing(100, newest_first=False)
    report = verify_chain(log.recorder, stored, _key(checkpoints))
    assert (report.ok, report.first_bad_position, report.checkpoints_checked) == (
        False, EVENTS + 4, 1)


def test_a_checkpoint_not_signed_by_the_ledger_key_is_reported(
    log: Ledger, checkpoints: Checkpoints
) -> None:
    held = checkpoints.make()
    forged = type(held)(**{**held.to_dict(), "tree_size": held.tree_size - 1})
    report = verify_chain(log.recorder, [forged], _key(checkpoints))
    assert (report.ok, report.first_bad_position) == (False, held.position)
    assert "signature" in (report.problem or "")


@pytest.mark.parametrize("tampered", [None, 2, 7, 11])
def test_checking_ranges_in_separate_processes_gives_the_same_answer(
    log: Ledger, db: Database, database_url: str, tampered: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ledger.tamper import verification

    if tampered is not None:
        db.run(f"DELETE FROM {db.events} WHERE {db.position} = %s", (tampered,))
    sequential = verify_chain(log.recorder)
    monkeypatch.setattr(verification, "PAGE", 2)  # small pages, so 12 events make 3 ranges
    parallel = verify_chain(
        log.recorder, open_recorder=RecorderOpener(Config(database_url=database_url)), workers=3)
    assert parallel == sequential
    assert parallel.first_bad_position == tampered
