"""What the recorders add inside a write's transaction, on both backends: a failure in the
chain step records nothing; an idempotency key claimed before fails the write and records
nothing; a request that arrives while the same key's first request is being written answers
what that one recorded."""
from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.recorders import ChainedEvent, IdempotencyClaim
from ledger.tamper import verification
from service.config import Config
from service.root import open_ledger
from tests.integration.rival import holding_the_lock

ADMIN = Actor("county-admin", "admin")


def _stored(count: int) -> list[StoredEvent]:
    return [StoredEvent(uuid.uuid4(), 1, "tests:Event", b'{"n": 1}') for _ in range(count)]


def test_a_failure_in_the_chain_step_records_nothing(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The events are inserted before the chain step runs; they must not commit without it."""
    recorder = ledger.recorder
    recorder.insert_events(_stored(1))

    def fail(cursor: object, links: object) -> None:
        raise RuntimeError("the chain step failed")

    monkeypatch.setattr(recorder, "_insert_links", fail)
    with pytest.raises(RuntimeError, match="chain step"):
        recorder.insert_events(_stored(2))
    monkeypatch.undo()

    assert recorder.max_notification_id() == 1
    recorder.insert_events(_stored(1))
    report = verification.verify_chain(recorder)
    assert report.ok and report.checked == 2, report


def test_a_claimed_key_fails_the_write_and_records_nothing(ledger: Ledger) -> None:
    recorder = ledger.recorder
    claim = IdempotencyClaim("actor-1", "key-1", "a" * 64)
    first: list[ChainedEvent] = []
    recorder.insert_events(_stored(3), idempotency=claim, chained=first)
    head = recorder.chain_head()  # type: ignore[attr-defined]

    with pytest.raises(IntegrityError):
        recorder.insert_events(_stored(2), idempotency=claim)

    assert recorder.chain_head() == head  # type: ignore[attr-defined]
    assert recorder.max_notification_id() == first[-1].position
    found = recorder.find_claim("actor-1", "key-1")  # type: ignore[attr-defined]
    assert (found.first_position, found.last_position) == (first[0].position, first[-1].position)
    # the failed write left the connection usable, and the same key is free for another actor
    recorder.insert_events(_stored(1), idempotency=IdempotencyClaim("actor-2", "key-1", "b" * 64))
    report = verification.verify_chain(recorder)
    assert report.ok and report.checked == 4, report


def test_a_request_that_waits_for_the_winner_of_its_key_answers_the_winners_answer(
    ledger: Ledger, database_url: str
) -> None:
    """The winner holds the writers' lock when the loser arrives; the loser looks for the key
    under the lock, once the winner has committed. Facts can be recorded again, so only the
    claim tells the loser it must not decide a second time."""
    ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
        Command("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                        "head_name": "Wang", "size": 3,
                                        "category": "registered_poor"}),
    ])
    facts = Command("HouseholdFactsRecorded", {"household_id": "h1", "has_labour": True})
    winner = open_ledger(Config.from_env(database_url=database_url))
    try:
        with holding_the_lock(winner) as rival:
            rival.start(lambda: winner.record(ADMIN, [facts], idempotency_key="k1"))
            answers = ledger.record(ADMIN, [facts], idempotency_key="k1")
        won = rival.result()
    finally:
        winner.close()

    assert answers == won
    log = ledger.read_log(0, 100)
    assert [e.type for e in log].count("HouseholdFactsRecorded") == 1
