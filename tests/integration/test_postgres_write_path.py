"""The PostgreSQL recorder extends the library's insert through its hooks: outside a held write
the library's `insert_events` runs with its retry on a lost connection, and a write costs the
round trips the library's own insert costs, whatever its size or idempotency claim. A request
(`Ledger.record`, which appends under a lock it takes itself) costs its reads, its lock and
one pipelined insert."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from ledger.application import Command
from ledger.identity import Actor
from ledger.recorders import ChainedEvent, IdempotencyClaim
from ledger.recorders.postgres import ChainedPostgresApplicationRecorder
from ledger.tamper import verification
from service.config import Config
from service.root import open_ledger
from tests.backends import fresh_postgres_url
from tests.integration.round_trips import counting

# The library's pipelined insert: BEGIN; SET lock_timeout, LOCK, NOTIFY, INSERT; the end of its
# inner pipeline; COMMIT; the end of its outer pipeline. Our chain rows and claim ride along.
WRITE_ROUND_TRIPS = 5
# BEGIN, SET, LOCK, NOTIFY, INSERT (returning the chain head too), chain rows, COMMIT; + claim.
WRITE_STATEMENTS = 7
# A keyed request: the load; BEGIN with the lock statements; the look for the key (under the
# lock); the insert, its chain rows and claim in one pipeline; COMMIT. Fewer than the library's
# own insert alone (WRITE_ROUND_TRIPS) plus the reads before it.
REQUEST_ROUND_TRIPS = 5
WARM_UP = 6  # psycopg prepares a statement on its fifth run, which costs a round trip then


@pytest.fixture
def url() -> Iterator[str]:
    with fresh_postgres_url() as fresh:
        yield fresh


@pytest.fixture
def recorder(url: str) -> Iterator[ChainedPostgresApplicationRecorder]:
    datastore = _datastore(url)
    recorder = ChainedPostgresApplicationRecorder(datastore)
    recorder.create_table()
    yield recorder
    datastore.close()


def _datastore(url: str, **options: object) -> PostgresDatastore:
    parts = urlsplit(url)
    return PostgresDatastore(
        dbname=parts.path.lstrip("/"), host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432, user=parts.username or "postgres", password="",
        pool_size=1, max_overflow=0, **options,  # type: ignore[arg-type]
    )


def _stored(count: int) -> list[StoredEvent]:
    return [StoredEvent(uuid.uuid4(), 1, "tests:Event", b'{"n": 1}') for _ in range(count)]


def _terminate(url: str, pid: int) -> None:
    """Drop a connection from the server's side, as a restart or a network cut would."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            time.sleep(0.01)


def test_a_write_whose_connection_drops_midway_is_retried_and_recorded_once(
    recorder: ChainedPostgresApplicationRecorder, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder.insert_events(_stored(1))
    attempts: list[int] = []
    insert_links = recorder._insert_links

    def drop_the_connection_on_the_first_attempt(cursor: psycopg.Cursor, links: list) -> None:
        attempts.append(cursor.connection.info.backend_pid)
        if len(attempts) == 1:  # the events are inserted, the chain and COMMIT not yet sent
            _terminate(url, cursor.connection.info.backend_pid)
        insert_links(cursor, links)

    monkeypatch.setattr(recorder, "_insert_links", drop_the_connection_on_the_first_attempt)
    chained: list[ChainedEvent] = []
    positions = recorder.insert_events(_stored(3), chained=chained)

    assert len(attempts) == 2 and attempts[0] != attempts[1], attempts  # a new connection
    assert chained == recorder.select_chained(1, 10)
    assert [row.position for row in chained] == list(positions)
    assert recorder.max_notification_id() == positions[-1]
    report = verification.verify_chain(recorder)
    assert report.ok and report.checked == 4, report


def test_a_dropped_connection_fails_a_single_attempt(
    recorder: ChainedPostgresApplicationRecorder, url: str
) -> None:
    """What the retry is for: without it the same drop fails the write."""
    recorder.insert_events(_stored(1))
    with recorder.datastore.get_connection() as conn:
        pid = conn.info.backend_pid
    _terminate(url, pid)
    insert = PostgresApplicationRecorder.insert_events
    with pytest.raises((OperationalError, InterfaceError)):
        insert.__wrapped__(recorder, _stored(1))  # type: ignore[attr-defined]
    assert recorder.max_notification_id() == 1


@pytest.mark.parametrize("size", [1, 100])
@pytest.mark.parametrize("claimed", [False, True])
def test_a_write_costs_the_library_inserts_round_trips_whatever_its_size(
    recorder: ChainedPostgresApplicationRecorder, size: int, claimed: bool
) -> None:
    def write() -> None:
        claim = IdempotencyClaim("actor", uuid.uuid4().hex, "0" * 64) if claimed else None
        recorder.insert_events(_stored(size), idempotency=claim)

    for _ in range(WARM_UP):
        write()
    with counting(recorder.datastore) as traffic:
        write()

    assert traffic.round_trips == WRITE_ROUND_TRIPS, traffic.sent
    assert traffic.statements == WRITE_STATEMENTS + (1 if claimed else 0), traffic.sent


def test_the_library_insert_alone_costs_the_same_round_trips(url: str) -> None:
    """The floor our write is held to: the library's recorder without the chain."""
    datastore = _datastore(url)
    library = PostgresApplicationRecorder(datastore)
    library.create_table()
    try:
        for _ in range(WARM_UP):
            library.insert_events(_stored(1))
        with counting(datastore) as traffic:
            library.insert_events(_stored(1))
    finally:
        datastore.close()
    assert traffic.round_trips == WRITE_ROUND_TRIPS, traffic.sent


def test_a_request_costs_its_reads_and_one_write(url: str) -> None:
    """Ledger.record as POST /events runs it: one read of every aggregate it decides on
    (loaded together), then the lock, the look for the key and the write."""
    ledger = open_ledger(Config.from_env(database_url=url))
    try:
        ledger.record(Actor("admin", "admin"), [
            Command("UnitRegistered", {"unit_id": "v1", "name": "V", "kind": "village"}),
            Command("PersonRegistered", {"person_id": "p1", "name": "I", "unit_id": "v1"}),
            Command("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                            "head_name": "Wang", "size": 3,
                                            "category": "registered_poor"}),
        ])

        def request() -> None:
            ledger.record(Actor("inspector", "inspector"), [Command("InspectionRecorded", {
                "inspection_id": uuid.uuid4().hex, "subject_type": "household",
                "subject_id": "h1", "method": "visit", "inspector_ids": ["p1"]})],
                idempotency_key=uuid.uuid4().hex)

        for _ in range(WARM_UP):
            request()
        with counting(ledger.recorder.datastore) as traffic:  # type: ignore[attr-defined]
            request()
    finally:
        ledger.close()
    assert traffic.round_trips == REQUEST_ROUND_TRIPS, (traffic.round_trips, traffic.sent)


def test_the_librarys_database_function_is_refused(url: str) -> None:
    """It inserts without calling the hooks, so it would leave the chain behind."""
    datastore = _datastore(url, enable_db_functions=True)
    try:
        with pytest.raises(ValueError, match="hash chain"):
            ChainedPostgresApplicationRecorder(datastore)
    finally:
        datastore.close()
