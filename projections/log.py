"""The read side's window on the ledger's log: pages in order, the head, chosen positions with
their chain hashes, and word of new appends.

The read models may live in another database than the log (`LEDGER_READ_DATABASE_URL`), so
nothing here joins the log with a read model: the subject index keeps positions, and the rows
for those positions come from here. The ledger's recorders own the table layout; this module
only reads it (the events table the library names, `ledger_chain` for the hashes).

On PostgreSQL a follower waits on the library's `NOTIFY`, which every append issues inside its
insert transaction (so it arrives after the commit); SQLite has no notifications and is polled.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.events import RawEvent
from projections.sqlite_connections import ThreadConnections

log = logging.getLogger(__name__)
CHUNK = 500
# Longest wait between looks at the log: a poll on SQLite; on PostgreSQL only a fallback, since
# a notification wakes the follower as soon as an append commits.
SQLITE_POLL = 0.2
POSTGRES_FALLBACK = 5.0
# A stop request is noticed within this many seconds while waiting for a notification.
NOTICE_SLICE = 0.25

Row = tuple[RawEvent, bytes | None]


class LedgerLog:
    """Reads the ledger's log; subclasses speak one backend's dialect."""

    poll_interval = SQLITE_POLL

    def page(self, after: int, limit: int) -> list[RawEvent]:
        """Up to `limit` events after position `after`, in order."""
        raise NotImplementedError

    def head(self) -> int:
        """The last position in the log (0: empty)."""
        raise NotImplementedError

    def rows(self, positions: Sequence[int], hashes: bool = False) -> list[Row]:
        """The events at `positions` (in position order), each with its chain hash if asked."""
        raise NotImplementedError

    def listen(self) -> None:
        """Start listening for appends, so none after this call goes unnoticed by `wait`."""

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """Return when an append may have happened, `timeout` has passed or `stop` is set."""
        stop.wait(timeout)

    def close(self) -> None:
        pass


class SQLiteLedgerLog(LedgerLog):
    """The ledger's SQLite file, read on a connection per thread (the log is read-only here)."""

    def __init__(self, path: str, events_table: str) -> None:
        self._events = events_table
        self._connections = ThreadConnections(path)

    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._connections.get().execute(statement, tuple(params)).fetchall()

    def page(self, after: int, limit: int) -> list[RawEvent]:
        rows = self._query(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {self._events} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, limit))
        return [RawEvent(*row) for row in rows]

    def head(self) -> int:
        return int(self._query(f"SELECT MAX(rowid) FROM {self._events}")[0][0] or 0)

    def rows(self, positions: Sequence[int], hashes: bool = False) -> list[Row]:
        found: list[tuple] = []
        chain = "c.hash FROM {0} e JOIN ledger_chain c ON c.position = e.rowid" if hashes \
            else "NULL FROM {0} e"
        for start in range(0, len(positions), CHUNK):
            chunk = positions[start:start + CHUNK]
            found += self._query(
                "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, "
                + chain.format(self._events)
                + f" WHERE e.rowid IN ({', '.join('?' * len(chunk))})", chunk)
        found.sort(key=lambda r: r[0])
        return [(RawEvent(*r[:5]), r[5]) for r in found]

    def close(self) -> None:
        self._connections.close()


class PostgresLedgerLog(LedgerLog):
    """The ledger's PostgreSQL database, read through the ledger's own connection pool; a
    connection of its own listens for the library's notifications."""

    poll_interval = POSTGRES_FALLBACK

    def __init__(self, datastore: Any, events_table: str, channel: str) -> None:
        self._datastore = datastore
        self._events = f"{datastore.schema}.{events_table}"
        self._chain = f"{datastore.schema}.ledger_chain"
        self._channel = channel
        self._listener: psycopg.Connection | None = None

    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(statement, tuple(params))
            return cur.fetchall()

    def page(self, after: int, limit: int) -> list[RawEvent]:
        rows = self._query(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {self._events} WHERE notification_id > %s ORDER BY notification_id LIMIT %s",
            (after, limit))
        return [RawEvent(*row) for row in rows]

    def head(self) -> int:
        return int(self._query(f"SELECT MAX(notification_id) FROM {self._events}")[0][0] or 0)

    def rows(self, positions: Sequence[int], hashes: bool = False) -> list[Row]:
        if not positions:
            return []
        chain = f"c.hash FROM {self._events} e JOIN {self._chain} c " \
            "ON c.position = e.notification_id" if hashes else f"NULL FROM {self._events} e"
        found = self._query(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, "
            f"{chain} WHERE e.notification_id = ANY(%s) ORDER BY e.notification_id",
            (list(positions),))
        return [(RawEvent(*r[:5]), None if r[5] is None else bytes(r[5])) for r in found]

    # Notifications ---------------------------------------------------------------------------
    def _connect_listener(self) -> psycopg.Connection:
        if self._listener is None or self._listener.closed:
            settings = {k: v for k, v in self._datastore.pool.kwargs.items()
                        if k != "row_factory"}
            conn = psycopg.connect(**settings, autocommit=True)
            conn.execute(SQL("LISTEN {0}").format(Identifier(self._channel)))
            self._listener = conn
        return self._listener

    def listen(self) -> None:
        try:
            self._connect_listener()
        except psycopg.Error:
            log.warning("cannot listen for appends; polling instead", exc_info=True)

    def wait(self, timeout: float, stop: threading.Event) -> None:
        try:
            conn = self._connect_listener()
        except psycopg.Error:
            log.warning("cannot listen for appends; polling instead", exc_info=True)
            stop.wait(timeout)
            return
        remaining = timeout
        try:
            while remaining > 0 and not stop.is_set():
                slice_ = min(NOTICE_SLICE, remaining)
                if any(True for _ in conn.notifies(timeout=slice_, stop_after=1)):
                    # Drain what else is queued: one look at the log answers them all.
                    for _ in conn.notifies(timeout=0):
                        pass
                    return
                remaining -= slice_
        except psycopg.Error:
            log.warning("lost the notification connection; it is reopened on the next wait",
                        exc_info=True)
            self._close_listener()

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            finally:
                self._listener = None

    def close(self) -> None:
        self._close_listener()


def log_of(ledger: Any) -> LedgerLog:
    """The log of `ledger` (its recorder's database and tables)."""
    recorder = ledger.recorder
    datastore = recorder.datastore
    if hasattr(datastore, "schema"):
        return PostgresLedgerLog(datastore, recorder.events_table_name, recorder.channel_name)
    return SQLiteLedgerLog(datastore.pool.db_name, recorder.events_table_name)
