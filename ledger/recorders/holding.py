"""The writers' lock held across a block of reads and writes, to its commit.

Every writer of the log serialises on one lock (SQLite's write lock; the advisory lock on
PostgreSQL). Whatever a write reads and decides while holding it sees the log exactly as the
write will extend it: no other write can land in between. `Ledger.record` appends under it,
and decides under it too when another write changed what it had decided on, so no write is ever
refused for a concurrent change.

`writing()` on a datastore takes the lock in a transaction on one connection and, until the
block ends, hands that very connection (a fresh cursor on it) to every read and write this
thread makes through the datastore: the library's insert, the bulk reads, the key table. The
block commits at its end, or rolls back if it raises. Other threads are untouched.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from eventsourcing import persistence
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteConnection, SQLiteCursor, SQLiteDatastore
from psycopg import Connection

SQLITE_ERRORS: list[tuple[type[Exception], type[Exception]]] = [
    (sqlite3.IntegrityError, persistence.IntegrityError),
    (sqlite3.OperationalError, persistence.OperationalError),
    (sqlite3.InterfaceError, persistence.InterfaceError),
    (sqlite3.DatabaseError, persistence.DatabaseError),
]


class HoldingSQLiteDatastore(SQLiteDatastore):
    """The library's SQLite datastore, able to hold the write lock across a whole write."""

    _held: threading.local
    _queue_file: tuple[int, Any]

    def holding(self) -> bool:
        return getattr(self._held, "connection", None) is not None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """`BEGIN IMMEDIATE`: SQLite's one write lock, from before the first read. Writers of
        other processes queue on a file lock first: SQLite's own wait for its lock polls with
        sleeps of up to 100 ms, which would idle the database while a waiter sleeps."""
        connection = self.pool.get_connection(is_writer=True)  # one writer thread per process
        try:
            with self._queue():
                _begin_immediate(connection)
                self._held.connection = connection
                try:
                    yield
                except BaseException:
                    connection.rollback()
                    raise
                connection.commit()
        except sqlite3.Error as error:
            raise _library_error(error) from error
        finally:
            self._held.connection = None
            self.pool.put_connection(connection)

    @contextmanager
    def _queue(self) -> Iterator[None]:
        if self.pool.is_sqlite_memory_mode:
            yield
            return
        if getattr(self, "_queue_file", (0, None))[0] != os.getpid():  # opened after a fork
            self._queue_file = (os.getpid(), _open_queue(self.pool.db_name))
        file = self._queue_file[1]
        if file is None:  # no file beside the database may be made: SQLite's own wait
            yield
            return
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        held: SQLiteConnection | None = getattr(self._held, "connection", None)
        if held is None:
            with super().transaction(commit=commit) as cursor:
                yield cursor
            return
        cursor = held.cursor()  # its own cursor: callers set row factories on theirs
        try:
            yield cursor  # committed or rolled back with the write that holds the lock
        finally:
            cursor.sqlite_cursor.close()


def _open_queue(db_name: str) -> Any:
    """The file writers queue on: beside the database (named by path or `file:` URI)."""
    path = db_name.removeprefix("file:").split("?", 1)[0]
    try:
        return open(f"{path}-writers", "a+b")  # noqa: SIM115 (kept open: the lock lives on it)
    except OSError:
        return None


def _begin_immediate(connection: SQLiteConnection) -> None:
    connection.cursor().execute("BEGIN IMMEDIATE")


def _library_error(error: sqlite3.Error) -> Exception:
    kind = next(mine for theirs, mine in SQLITE_ERRORS if isinstance(error, theirs))
    return kind(error)


class HoldingPostgresDatastore(PostgresDatastore):
    """The library's PostgreSQL datastore, able to hold the writers' advisory lock across a
    whole write."""

    _held: threading.local

    def holding(self) -> bool:
        return getattr(self._held, "connection", None) is not None

    @contextmanager
    def writing(self, lock: Callable[[Any], None]) -> Iterator[None]:
        """A transaction on one connection that first takes the writers' lock (`lock` runs
        the lock statements on a cursor), sent with its BEGIN in one round trip."""
        with self.get_connection() as conn:
            with conn.pipeline(), conn.cursor() as cursor:
                cursor.execute("BEGIN")
                lock(cursor)
            self._held.connection = conn
            try:
                yield
            except BaseException:
                with suppress(psycopg.Error):  # a lost connection has nothing to roll back
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._held.connection = None
            conn.execute("COMMIT")

    @contextmanager
    def get_connection(self) -> Iterator[Connection[Any]]:
        held = getattr(self._held, "connection", None)
        if held is None:
            with super().get_connection() as conn:
                yield conn
            return
        yield held

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Any]:
        held = getattr(self._held, "connection", None)
        if held is None:
            with super().transaction(commit=commit) as cursor:
                yield cursor
            return
        with held.cursor() as cursor:
            yield cursor  # committed or rolled back with the write that holds the lock


def able_to_hold(datastore: Any) -> None:
    """Give a datastore the library made the holding class of its kind (the factories build
    theirs from many settings; this keeps every one of them). The recorders do it."""
    if isinstance(datastore, HoldingSQLiteDatastore | HoldingPostgresDatastore):
        return
    kind = HoldingPostgresDatastore if isinstance(datastore, PostgresDatastore) else (
        HoldingSQLiteDatastore)
    datastore.__class__ = kind
    datastore._held = threading.local()
