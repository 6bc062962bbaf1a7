"""Projection tables in the ledger's own database (SQLite or PostgreSQL).

States are JSON text keyed by (kind, key); findings get their own table with columns to filter
on. `proj_subject_events` indexes every event position by the states it touched, with its
recorded time and business date, so a replay reads one subject's events and nothing else.
A page of updates and the tracking position commit in one transaction, after checking that
nobody else moved the position meanwhile.
"""
from __future__ import annotations

import orjson
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.rows import tuple_row

from ledger.recorders.postgres import SCHEMA_LOCK
from projections.events import RawEvent

State = dict[str, Any]
TRACKING_NAME = "views"
FINDING_COLUMNS = (
    "finding_id", "unit_id", "subject_type", "subject_id", "category", "status",
    "due_date", "person_id", "raised_on", "closed_on",
)
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS proj_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS proj_state (kind TEXT NOT NULL, key TEXT NOT NULL, "
    "state TEXT NOT NULL, PRIMARY KEY (kind, key))",
    "CREATE TABLE IF NOT EXISTS proj_findings (finding_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, "
    "subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, category TEXT NOT NULL, "
    "status TEXT NOT NULL, due_date TEXT NOT NULL, person_id TEXT, raised_on TEXT NOT NULL, "
    "closed_on TEXT, state TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS proj_findings_unit ON proj_findings (unit_id, status, due_date)",
    "CREATE INDEX IF NOT EXISTS proj_findings_subject ON proj_findings (subject_type, subject_id)",
    "CREATE INDEX IF NOT EXISTS proj_findings_person ON proj_findings (person_id)",
    "CREATE INDEX IF NOT EXISTS proj_findings_due ON proj_findings (status, due_date)",
    "CREATE TABLE IF NOT EXISTS proj_subject_events (subject TEXT NOT NULL, "
    "position BIGINT NOT NULL, recorded_us BIGINT NOT NULL, occurred_on TEXT NOT NULL, "
    "PRIMARY KEY (subject, position))",
]
PROJECTION_TABLES = ("proj_state", "proj_findings", "proj_subject_events")
CHUNK = 500


def _dumps(state: State) -> str:
    return orjson.dumps(state).decode()


def _finding_row(state: State) -> tuple:
    return (
        state["finding_id"], state["responsible_unit_id"], state["subject_type"],
        state["subject_id"], state["category"], state["status"], state["due_date"],
        state.get("responsible_person_id"), state["raised_on"], state["closed_on"],
        _dumps(state),
    )


class ProjectionStore:
    """Reads and writes the projection tables; subclasses speak one database's dialect."""

    placeholder = "?"
    events_table = "stored_events"
    position_column = "rowid"
    chain_table = "ledger_chain"

    # Connections (per backend) ------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[Any]:
        raise NotImplementedError

    def _lock_schema(self, cur: Any) -> None:
        """Serialise schema creation between processes that start together."""

    @contextmanager
    def writing(self) -> Iterator[Any]:
        """A cursor in a write transaction that already holds the write lock."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else statement.replace("?", "%s")

    def query(self, statement: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self.cursor() as cur:
            cur.execute(self.sql(statement), tuple(params))
            return list(cur.fetchall())

    # Schema and tracking ---------------------------------------------------------
    def setup(self) -> None:
        with self.writing() as cur:
            self._lock_schema(cur)
            for statement in SCHEMA:
                cur.execute(statement)
            cur.execute(
                self.sql("INSERT INTO proj_tracking (name, position) VALUES (?, 0) "
                         "ON CONFLICT (name) DO NOTHING"),
                (TRACKING_NAME,),
            )

    def position(self) -> int:
        rows = self.query("SELECT position FROM proj_tracking WHERE name = ?", (TRACKING_NAME,))
        return int(rows[0][0]) if rows else 0

    def head(self) -> int:
        rows = self.query(f"SELECT MAX({self.position_column}) FROM {self.events_table}")
        return int(rows[0][0] or 0)

    def reset(self) -> None:
        """Empty every view and start again from position 0 (the events are untouched)."""
        with self.writing() as cur:
            for table in PROJECTION_TABLES:
                cur.execute(f"DELETE FROM {table}")
            cur.execute(self.sql("UPDATE proj_tracking SET position = 0 WHERE name = ?"),
                        (TRACKING_NAME,))

    # The log -----------------------------------------------------------------------
    def read_log(self, after: int, limit: int) -> list[RawEvent]:
        rows = self.query(
            f"SELECT {self.position_column}, originator_id, originator_version, topic, state "
            f"FROM {self.events_table} WHERE {self.position_column} > ? "
            f"ORDER BY {self.position_column} LIMIT ?",
            (after, limit),
        )
        return [RawEvent(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]

    def subject_log(
        self, subject: str, as_of_us: int | None, valid_at: str | None,
        after: int = 0, limit: int | None = None, hashes: bool = False,
    ) -> list[tuple[RawEvent, bytes | None]]:
        """One subject's events (with chain hashes if asked), cut to what a replay may see."""
        chain = f"JOIN {self.chain_table} c ON c.position = i.position " if hashes else ""
        statement = (
            f"SELECT e.{self.position_column}, e.originator_id, e.originator_version, e.topic, "
            f"e.state, {'c.hash' if hashes else 'NULL'} FROM proj_subject_events i "
            f"JOIN {self.events_table} e ON e.{self.position_column} = i.position {chain}"
            f"WHERE i.subject = ? AND i.position > ?"
        )
        params: list[Any] = [subject, after]
        if as_of_us is not None:
            statement += " AND i.recorded_us <= ?"
            params.append(as_of_us)
        if valid_at is not None:
            statement += " AND i.occurred_on <= ?"
            params.append(valid_at)
        statement += " ORDER BY i.position"
        if limit is not None:
            statement += " LIMIT ?"
            params.append(limit)
        return [
            (RawEvent(r[0], r[1], r[2], r[3], bytes(r[4])), None if r[5] is None else bytes(r[5]))
            for r in self.query(statement, params)
        ]

    # States ----------------------------------------------------------------------------
    def load(self, kind: str, keys: Iterable[str]) -> dict[str, State]:
        keys = list(dict.fromkeys(keys))
        found: dict[str, State] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            if kind == "finding":
                rows = self.query(
                    f"SELECT finding_id, state FROM proj_findings WHERE finding_id IN ({marks})",
                    chunk,
                )
            else:
                rows = self.query(
                    f"SELECT key, state FROM proj_state WHERE kind = ? AND key IN ({marks})",
                    [kind, *chunk],
                )
            found.update((key, orjson.loads(state)) for key, state in rows)
        return found

    def load_one(self, kind: str, key: str) -> State | None:
        return self.load(kind, [key]).get(key)

    def findings(self, where: str = "", params: Iterable[Any] = (), order: str = "finding_id",
                 limit: int | None = None, offset: int = 0) -> list[State]:
        statement = "SELECT state FROM proj_findings"
        if where:
            statement += f" WHERE {where}"
        statement += f" ORDER BY {order}"
        params = list(params)
        if limit is not None:
            statement += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [orjson.loads(row[0]) for row in self.query(statement, params)]

    def finding_counts(self, where: str = "", params: Iterable[Any] = (),
                       today: str = "") -> list[tuple]:
        statement = (
            "SELECT unit_id, COUNT(*), "
            "SUM(CASE WHEN status IN ('open', 'rectification_reported') THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN status IN ('open', 'rectification_reported') AND due_date < ? "
            "THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) FROM proj_findings"
        )
        if where:
            statement += f" WHERE {where}"
        statement += " GROUP BY unit_id ORDER BY unit_id"
        return self.query(statement, [today, *params])

    # Committing a page -------------------------------------------------------------------
    def commit_page(
        self, expected: int, position: int, states: dict[tuple[str, str], State],
        index: list[tuple[str, int, int, str]],
    ) -> bool:
        """Write a page's states, index rows and new position, if the position is still
        `expected`; False (and nothing written) if another runner got there first."""
        with self.writing() as cur:
            cur.execute(self.sql(self.lock_tracking), (TRACKING_NAME,))
            row = cur.fetchone()
            if row is None or int(row[0]) != expected:
                return False
            findings = [_finding_row(s) for (k, _), s in states.items() if k == "finding"]
            others = [(k, key, _dumps(s)) for (k, key), s in states.items() if k != "finding"]
            if others:
                cur.executemany(self.sql(
                    "INSERT INTO proj_state (kind, key, state) VALUES (?, ?, ?) "
                    "ON CONFLICT (kind, key) DO UPDATE SET state = excluded.state"), others)
            if findings:
                columns = ", ".join(FINDING_COLUMNS + ("state",))
                updates = ", ".join(f"{c} = excluded.{c}" for c in FINDING_COLUMNS[1:] + ("state",))
                cur.executemany(self.sql(
                    f"INSERT INTO proj_findings ({columns}) VALUES ({', '.join('?' * 11)}) "
                    f"ON CONFLICT (finding_id) DO UPDATE SET {updates}"), findings)
            if index:
                cur.executemany(self.sql(
                    "INSERT INTO proj_subject_events (subject, position, recorded_us, occurred_on) "
                    "VALUES (?, ?, ?, ?)"), index)
            cur.execute(self.sql("UPDATE proj_tracking SET position = ? WHERE name = ?"),
                        (position, TRACKING_NAME))
        return True

    lock_tracking = "SELECT position FROM proj_tracking WHERE name = ?"


class SQLiteProjectionStore(ProjectionStore):
    """One connection per thread to the ledger's SQLite file (WAL mode, set by the ledger)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def cursor(self) -> Iterator[sqlite3.Cursor]:
        cur = self._connection().cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Cursor]:
        conn = self._connection()
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


class PostgresProjectionStore(ProjectionStore):
    """Uses the ledger's own connection pool."""

    placeholder = "%s"
    position_column = "notification_id"
    lock_tracking = "SELECT position FROM proj_tracking WHERE name = ? FOR UPDATE"

    def __init__(self, datastore: Any, events_table: str) -> None:
        self._datastore = datastore
        schema = datastore.schema
        self.events_table = f"{schema}.{events_table}"
        self.chain_table = f"{schema}.ledger_chain"

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        with self._datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            yield cur

    def _lock_schema(self, cur: Any) -> None:
        # gunicorn workers starting together would race on the catalog otherwise.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))

    @contextmanager
    def writing(self) -> Iterator[Any]:
        with self._datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor(row_factory=tuple_row) as cur:
            yield cur

    def load(self, kind: str, keys: Iterable[str]) -> dict[str, State]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        if kind == "finding":
            rows = self.query("SELECT finding_id, state FROM proj_findings "
                              "WHERE finding_id = ANY(?)", [keys])
        else:
            rows = self.query("SELECT key, state FROM proj_state WHERE kind = ? "
                              "AND key = ANY(?)", [kind, keys])
        return {key: orjson.loads(state) for key, state in rows}


def store_for(ledger: Any) -> ProjectionStore:
    """The projection store on the same database as `ledger`'s events."""
    recorder = ledger.recorder
    datastore = recorder.datastore
    if hasattr(datastore, "schema"):
        store: ProjectionStore = PostgresProjectionStore(datastore, recorder.events_table_name)
    else:
        store = SQLiteProjectionStore(datastore.pool.db_name)
        store.events_table = recorder.events_table_name
    store.setup()
    return store
