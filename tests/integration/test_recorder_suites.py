"""The eventsourcing library's own contract tests for application recorders, run against ours.

Our recorders add the hash chain and idempotency claims inside the insert transaction; these
suites check that they still behave exactly as the library's recorders promise (positions,
selection of notifications, conflicts, concurrent writers), on SQLite and on PostgreSQL.
No library test is overridden: our changes only add rows to our own tables in the same
transaction (on PostgreSQL the library's own `insert_events` runs, its insert returning the chain
head beside each position), which no library test can see, so every test of the contract
applies unchanged.
"""
from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)

from ledger.recorders.postgres import ChainedPostgresApplicationRecorder
from ledger.recorders.sqlite import ChainedSQLiteApplicationRecorder
from ledger.tamper import verification
from tests.backends import fresh_postgres_url


class _SQLiteFile:
    """A throwaway SQLite file per test, and every datastore opened on it closed afterwards."""

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self._dir = tempfile.mkdtemp(prefix="ledger-recorder-")
        self._datastores: list[SQLiteDatastore] = []

    def tearDown(self) -> None:
        for datastore in self._datastores:
            datastore.close()
        shutil.rmtree(self._dir, ignore_errors=True)
        super().tearDown()  # type: ignore[misc]

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        datastore = SQLiteDatastore(db_name=str(Path(self._dir) / "events.db"), lock_timeout=30)
        self._datastores.append(datastore)
        recorder = ChainedSQLiteApplicationRecorder(datastore)
        recorder.create_table()
        self._recorders.append(recorder)
        return recorder


class _PostgresDatabase:
    """A fresh PostgreSQL database per test, dropped afterwards."""

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self._stack = ExitStack()
        self._url = self._stack.enter_context(fresh_postgres_url())
        self._datastores: list[PostgresDatastore] = []

    def tearDown(self) -> None:
        for datastore in self._datastores:
            datastore.close()
        self._stack.close()
        super().tearDown()  # type: ignore[misc]

    def create_recorder(self) -> ChainedPostgresApplicationRecorder:
        parts = urlsplit(self._url)
        datastore = PostgresDatastore(
            dbname=parts.path.lstrip("/"),
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or "",
            pool_size=4,
            max_overflow=10,
            lock_timeout=30,
        )
        self._datastores.append(datastore)
        recorder = ChainedPostgresApplicationRecorder(datastore)
        recorder.create_table()
        self._recorders.append(recorder)
        return recorder


class _ChainStillHolds:
    """After each library test, whatever it wrote must still form a valid hash chain."""

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self._recorders: list = []

    def tearDown(self) -> None:
        for recorder in self._recorders:
            report = verification.verify_chain(recorder)
            assert report.ok, report
            stored = recorder.select_notifications(start=0, limit=10**7)
            assert report.checked == len(stored), (report.checked, len(stored))
        super().tearDown()  # type: ignore[misc]


class TestChainedSQLiteApplicationRecorder(
    _ChainStillHolds, _SQLiteFile, ApplicationRecorderTestCase
):
    pass


class TestChainedPostgresApplicationRecorder(
    _ChainStillHolds, _PostgresDatabase, ApplicationRecorderTestCase
):
    pass


class TestSQLiteNonInterleaving(
    _ChainStillHolds, _SQLiteFile, NonInterleavingNotificationIDsBaseCase
):
    pass


class TestPostgresNonInterleaving(
    _ChainStillHolds, _PostgresDatabase, NonInterleavingNotificationIDsBaseCase
):
    pass
