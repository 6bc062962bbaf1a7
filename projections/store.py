"""The read models: projection tables in the ledger's database, or in one of their own.

States are JSON text keyed by (kind, key); findings get their own table with columns to filter
on. The subject index (`proj_subject_events`) lists every event position by the states it
touched, with its recorded time and business date, so a replay reads one subject's events and
nothing else; the events themselves come from the ledger's log (`projections.log`), which may
sit in another database.

Tables come in generations (`projections.tables`): readers query views over the live one, the
runner folds into it, and a rebuild fills a fresh one and switches the views over atomically.
A page of updates and its generation's position commit in one transaction, after checking that
nobody else moved the position meanwhile.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

from ledger.recorders.postgres import SCHEMA_LOCK
from projections import tables
from projections.events import RawEvent
from projections.household_list import RowWriter
from projections.log import LedgerLog, log_of
from projections.sqlite_connections import ThreadConnections

State = dict[str, Any]
CHUNK = 500
LEGACY_NAME = "views"


class GenerationGone(Exception):
    """The generation a runner folds into was switched away and dropped."""


@dataclass(frozen=True)
class Generation:
    number: int
    position: int
    live: bool


def _dumps(state: State) -> str:
    return orjson.dumps(state).decode()


def _finding_row(state: State) -> tuple:
    return (
        state["finding_id"], state["responsible_unit_id"], state["subject_type"],
        state["subject_id"], state["category"], state["status"], state["due_date"],
        state.get("responsible_person_id"), state["raised_on"], state["closed_on"],
        state.get("source"), state.get("sector"), _dumps(state),
    )


class ProjectionStore:
    """Reads and writes the projection tables; subclasses speak one database's dialect."""

    placeholder = "?"
    for_update = ""

    def __init__(self, log: LedgerLog) -> None:
        self.log = log

    # Connections (per backend) ------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[Any]:
        raise NotImplementedError

    @contextmanager
    def writing(self) -> Iterator[Any]:
        """A cursor in a write transaction that already holds the write lock."""
        raise NotImplementedError

    def _lock_schema(self, cur: Any) -> None:
        """Serialise schema changes between processes (SQLite's write lock already does)."""

    def _relation_kind(self, cur: Any, name: str) -> str | None:
        """'table', 'view' or None for a relation of this name."""
        raise NotImplementedError

    def _point_view(self, cur: Any, view: str, generation: int) -> None:
        raise NotImplementedError

    def relation_kind(self, name: str) -> str | None:
        """Whether `name` is a table, a view, or not there."""
        with self.cursor() as cur:
            return self._relation_kind(cur, name)

    def close(self) -> None:
        self.log.close()

    def sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else statement.replace("?", "%s")

    def query(self, statement: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self.cursor() as cur:
            cur.execute(self.sql(statement), tuple(params))
            return list(cur.fetchall())

    # Generations -------------------------------------------------------------------------
    def setup(self) -> None:
        """Create the first generation (or adopt the tables of the layout before
        generations) and point the views at it, unless a live generation exists."""
        with self.writing() as cur:
            self._lock_schema(cur)
            cur.execute(tables.GENERATIONS)
            cur.execute("SELECT generation FROM proj_generations WHERE live = 1")
            live = cur.fetchone()
            if live is not None:
                self._add_finding_columns(cur, int(live[0]), live=True)
                self._ensure_household_list(cur, int(live[0]))
                return
            if self._relation_kind(cur, "proj_state") == "table":
                generation = self._adopt_legacy(cur)
                self._add_finding_columns(cur, generation, live=False)
            else:
                cur.execute("SELECT COALESCE(MAX(generation), 0) + 1 FROM proj_generations")
                generation = int(cur.fetchone()[0])
                for statement in tables.create_tables(generation) + tables.create_indexes(
                        generation):
                    cur.execute(statement)
                cur.execute(self.sql("INSERT INTO proj_generations VALUES (?, 0, 1)"),
                            (generation,))
            self._add_household_list(cur, generation)
            for view in tables.VIEWS:
                self._point_view(cur, view, generation)

    def _add_finding_columns(self, cur: Any, generation: int, live: bool) -> None:
        """Give a generation made before them the finding columns added since (empty until a
        rebuild fills them: they are for filters only), and the view of a live one."""
        findings = tables.table("proj_findings", generation)
        cur.execute(f"SELECT * FROM {findings} LIMIT 0")
        present = {column[0] for column in cur.description}
        missing = [(c, t) for c, t in tables.ADDED_FINDING_COLUMNS if c not in present]
        for column, kind in missing:
            cur.execute(f"ALTER TABLE {findings} ADD COLUMN {column} {kind}")
        if missing and live:
            self._point_view(cur, "proj_findings", generation)

    def _adopt_legacy(self, cur: Any) -> int:
        """Keep the views of a ledger that predates generations: they become generation 0."""
        position = 0
        if self._relation_kind(cur, tables.LEGACY_TRACKING) == "table":
            cur.execute(self.sql(f"SELECT position FROM {tables.LEGACY_TRACKING} WHERE name = ?"),
                        (LEGACY_NAME,))
            row = cur.fetchone()
            position = int(row[0]) if row else 0
            cur.execute(f"DROP TABLE {tables.LEGACY_TRACKING}")
        for view in tables.VIEWS:
            if self._relation_kind(cur, view) == "table":
                cur.execute(f"ALTER TABLE {view} RENAME TO {tables.table(view, 0)}")
        cur.execute(self.sql("INSERT INTO proj_generations VALUES (0, ?, 1)"), (position,))
        return 0

    def _add_household_list(self, cur: Any, generation: int) -> None:
        """Create and fill the household list of a generation that holds its log."""
        for statement in tables.create_household_list(generation):
            cur.execute(statement)
        RowWriter(cur, self.sql, generation).fill()

    def _ensure_household_list(self, cur: Any, generation: int) -> None:
        """A live generation made before the household list existed gets one (and its view)."""
        if self._relation_kind(cur, tables.table("proj_households", generation)) != "table":
            self._add_household_list(cur, generation)
            self._point_view(cur, "proj_households", generation)

    def generations(self) -> list[Generation]:
        rows = self.query("SELECT generation, position, live FROM proj_generations "
                          "ORDER BY generation")
        return [Generation(int(g), int(p), bool(live)) for g, p, live in rows]

    def live(self) -> Generation:
        rows = self.query("SELECT generation, position FROM proj_generations WHERE live = 1")
        if not rows:
            raise GenerationGone("no live generation: the store was not set up")
        return Generation(int(rows[0][0]), int(rows[0][1]), True)

    def generation(self, number: int) -> Generation:
        rows = self.query("SELECT position, live FROM proj_generations WHERE generation = ?",
                          (number,))
        if not rows:
            raise GenerationGone(f"generation {number} is gone")
        return Generation(number, int(rows[0][0]), bool(rows[0][1]))

    def position(self) -> int:
        """How far the live views have folded the log."""
        return self.live().position

    def begin_rebuild(self, fresh: bool = False) -> Generation:
        """The generation a rebuild fills: an unfinished one left by an earlier rebuild (unless
        `fresh`), else a new, empty one. Other unfinished generations are dropped."""
        with self.writing() as cur:
            self._lock_schema(cur)
            cur.execute("SELECT generation, position, live FROM proj_generations "
                        "ORDER BY generation")
            rows = [(int(g), int(p), bool(live)) for g, p, live in cur.fetchall()]
            unfinished = [r for r in rows if not r[2]]
            keep = None if fresh or not unfinished else unfinished[-1]
            for number, _, _ in unfinished:
                if keep is None or number != keep[0]:
                    self._drop(cur, number)
            if keep is not None:
                self._add_finding_columns(cur, keep[0], live=False)
                return Generation(keep[0], keep[1], False)
            number = max((r[0] for r in rows), default=0) + 1
            for statement in tables.create_tables(number):
                cur.execute(statement)
            cur.execute(self.sql("INSERT INTO proj_generations VALUES (?, 0, 0)"), (number,))
            return Generation(number, 0, False)

    def finish_build(self, number: int) -> None:
        """Index a generation that holds (nearly) the whole log, ready to serve."""
        with self.writing() as cur:
            self._lock_schema(cur)
            for statement in tables.create_indexes(number):
                cur.execute(statement)
            self._add_household_list(cur, number)

    def switch(self, number: int) -> bool:
        """Make generation `number` the live one and drop the one it replaces, in one
        transaction; False (nothing changed) while it is behind the live generation."""
        with self.writing() as cur:
            self._lock_schema(cur)
            cur.execute("SELECT generation, position, live FROM proj_generations "
                        f"ORDER BY generation{self.for_update}")
            rows = {int(g): (int(p), bool(live)) for g, p, live in cur.fetchall()}
            if number not in rows:
                raise GenerationGone(f"generation {number} is gone")
            if rows[number][1]:
                return True
            live = [g for g, (_, is_live) in rows.items() if is_live]
            if live and rows[live[0]][0] > rows[number][0]:
                return False
            for view in tables.VIEWS:
                self._point_view(cur, view, number)
            for old in live:
                self._drop(cur, old)
            cur.execute(self.sql("UPDATE proj_generations SET live = 1 WHERE generation = ?"),
                        (number,))
        return True

    def _drop(self, cur: Any, number: int) -> None:
        for statement in tables.drop_tables(number):
            cur.execute(statement)
        cur.execute(self.sql("DELETE FROM proj_generations WHERE generation = ?"), (number,))

    @contextmanager
    def _folding_into(self, number: int | None) -> Iterator[None]:
        """Turn a failure on a generation that was switched away into GenerationGone."""
        try:
            yield
        except GenerationGone:
            raise
        except Exception:
            if number is not None and not any(g.number == number for g in self.generations()):
                raise GenerationGone(f"generation {number} is gone") from None
            raise

    # The log -----------------------------------------------------------------------
    def head(self) -> int:
        return self.log.head()

    def read_log(self, after: int, limit: int) -> list[RawEvent]:
        return self.log.page(after, limit)

    def subject_log(
        self, subject: str, as_of_us: int | None, valid_at: str | None,
        after: int = 0, limit: int | None = None, hashes: bool = False,
    ) -> list[tuple[RawEvent, bytes | None]]:
        """One subject's events (with chain hashes if asked), cut to what a replay may see:
        positions from the live subject index, the events from the log."""
        statement = "SELECT position FROM proj_subject_events WHERE subject = ? AND position > ?"
        params: list[Any] = [subject, after]
        if as_of_us is not None:
            statement += " AND recorded_us <= ?"
            params.append(as_of_us)
        if valid_at is not None:
            statement += " AND occurred_on <= ?"
            params.append(valid_at)
        statement += " ORDER BY position"
        if limit is not None:
            statement += " LIMIT ?"
            params.append(limit)
        positions = [int(row[0]) for row in self.query(statement, params)]
        return self.log.rows(positions, hashes)

    # States ----------------------------------------------------------------------------
    def _load_statement(self, kind: str, marks: str, generation: int | None) -> str:
        if kind == "finding":
            source = "proj_findings" if generation is None else tables.table(
                "proj_findings", generation)
            return f"SELECT finding_id, state FROM {source} WHERE finding_id IN ({marks})"
        source = "proj_state" if generation is None else tables.table("proj_state", generation)
        return f"SELECT key, state FROM {source} WHERE kind = ? AND key IN ({marks})"

    def load(self, kind: str, keys: Iterable[str], generation: int | None = None
             ) -> dict[str, State]:
        """States of one kind by key: from the live views, or from `generation`'s tables."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, State] = {}
        with self._folding_into(generation):
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start:start + CHUNK]
                statement = self._load_statement(kind, ", ".join("?" * len(chunk)), generation)
                params = chunk if kind == "finding" else [kind, *chunk]
                found.update((key, orjson.loads(state)) for key, state in
                             self.query(statement, params))
        return found

    def load_one(self, kind: str, key: str) -> State | None:
        return self.load(kind, [key]).get(key)

    def load_targets(self, targets: list[tuple[str, str]]) -> dict[tuple[str, str], State]:
        """Live states of several kinds in one query (one round trip for a board's states)."""
        if not targets:
            return {}
        # ORed equalities: SQLite searches its key index for each, a row-value IN list it scans.
        rows = self.query("SELECT kind, key, state FROM proj_state WHERE "
                          + " OR ".join("(kind = ? AND key = ?)" for _ in targets),
                          [part for target in targets for part in target])
        return {(kind, key): orjson.loads(state) for kind, key, state in rows}

    def states(self, kind: str) -> dict[str, State]:
        """Every live state of one kind (for kinds with few states, such as rounds)."""
        rows = self.query("SELECT key, state FROM proj_state WHERE kind = ? ORDER BY key", (kind,))
        return {key: orjson.loads(state) for key, state in rows}

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
        self, generation: int, expected: int, position: int,
        states: dict[tuple[str, str], State], index: list[tuple[str, int, int, str]],
    ) -> bool:
        """Write a page's states, index rows and new position into `generation`, if its
        position is still `expected`; False (and nothing written) if another runner got there
        first or the generation is gone."""
        state_table = tables.table("proj_state", generation)
        findings_table = tables.table("proj_findings", generation)
        with self.writing() as cur:
            cur.execute(self.sql("SELECT position FROM proj_generations WHERE generation = ?"
                                 + self.for_update), (generation,))
            row = cur.fetchone()
            if row is None or int(row[0]) != expected:
                return False
            findings = [_finding_row(s) for (k, _), s in states.items() if k == "finding"]
            others = [(k, key, _dumps(s)) for (k, key), s in states.items() if k != "finding"]
            if others:
                cur.executemany(self.sql(
                    f"INSERT INTO {state_table} (kind, key, state) VALUES (?, ?, ?) "
                    "ON CONFLICT (kind, key) DO UPDATE SET state = excluded.state"), others)
            if findings:
                columns = tables.FINDING_COLUMNS + ("state",)
                updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
                cur.executemany(self.sql(
                    f"INSERT INTO {findings_table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))}) "
                    f"ON CONFLICT (finding_id) DO UPDATE SET {updates}"), findings)
            if self._relation_kind(cur, tables.table("proj_households", generation)):
                RowWriter(cur, self.sql, generation).refresh(states)
            if index:
                cur.executemany(self.sql(
                    f"INSERT INTO {tables.table('proj_subject_events', generation)} "
                    "(subject, position, recorded_us, occurred_on) VALUES (?, ?, ?, ?)"), index)
            cur.execute(self.sql("UPDATE proj_generations SET position = ? WHERE generation = ?"),
                        (position, generation))
        return True


def _prepare(conn: sqlite3.Connection) -> None:
    """Views are rebuildable from the log, so NORMAL durability is enough for them."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")


class SQLiteProjectionStore(ProjectionStore):
    """One connection per thread to a SQLite file (the ledger's, or one for the views only)."""

    def __init__(self, path: str, log: LedgerLog) -> None:
        super().__init__(log)
        self._connections = ThreadConnections(path, _prepare)

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()

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

    def _relation_kind(self, cur: Any, name: str) -> str | None:
        cur.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,))
        row = cur.fetchone()
        return None if row is None else str(row[0])

    def _point_view(self, cur: Any, view: str, generation: int) -> None:
        cur.execute(f"DROP VIEW IF EXISTS {view}")
        cur.execute(f"CREATE VIEW {view} AS {tables.view_select(view, generation)}")

    def close(self) -> None:
        self._connections.close()
        super().close()


class PostgresProjectionStore(ProjectionStore):
    """On the ledger's connection pool, or on a pool of its own for a separate database."""

    placeholder = "%s"
    for_update = " FOR UPDATE"

    def __init__(self, connection: Callable[[], AbstractContextManager[Any]], log: LedgerLog,
                 pool: ConnectionPool | None = None) -> None:
        super().__init__(log)
        self._connection = connection
        self._pool = pool

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        with self._connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            yield cur

    def _lock_schema(self, cur: Any) -> None:
        # gunicorn workers starting together would race on the catalog otherwise.
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))

    @contextmanager
    def writing(self) -> Iterator[Any]:
        with self._connection() as conn, conn.transaction(), \
                conn.cursor(row_factory=tuple_row) as cur:
            yield cur

    def _relation_kind(self, cur: Any, name: str) -> str | None:
        cur.execute("SELECT c.relkind FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relname = %s "
                    "AND n.nspname = current_schema()", (name,))
        row = cur.fetchone()
        return None if row is None else {"r": "table", "v": "view"}.get(row[0], row[0])

    def _point_view(self, cur: Any, view: str, generation: int) -> None:
        # Readers blocked on the view meanwhile see the new definition once it commits.
        cur.execute(f"CREATE OR REPLACE VIEW {view} AS {tables.view_select(view, generation)}")

    def load(self, kind: str, keys: Iterable[str], generation: int | None = None
             ) -> dict[str, State]:
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        statement = self._load_statement(kind, "?", generation).replace("IN (?)", "= ANY(?)")
        params = [keys] if kind == "finding" else [kind, keys]
        with self._folding_into(generation):
            rows = self.query(statement, params)
        return {key: orjson.loads(state) for key, state in rows}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        super().close()


# psycopg's own default: a statement run this often on a connection is prepared there.
PREPARE_THRESHOLD = 5


def _pool(url: str, pool_size: int, pool_timeout: float,
          prepare_threshold: int | None) -> ConnectionPool:
    """None for `prepare_threshold`: never prepare (pgbouncer in transaction mode before 1.21
    hands a connection's next transaction to another server session, which lacks them)."""
    return ConnectionPool(url, min_size=1, max_size=max(1, pool_size), open=True,
                          kwargs={"autocommit": True, "prepare_threshold": prepare_threshold},
                          timeout=pool_timeout)


def open_read_store(url: str, log: LedgerLog, pool_size: int = 5, pool_timeout: float = 30.0,
                    prepare_threshold: int | None = PREPARE_THRESHOLD) -> ProjectionStore:
    """A store in a database of its own (`sqlite:///views.db`, `postgresql://...`)."""
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return SQLiteProjectionStore(url[len("sqlite:///"):], log)
    if url.startswith(("postgresql://", "postgres://")):
        pool = _pool(url, pool_size, pool_timeout, prepare_threshold)
        return PostgresProjectionStore(pool.connection, log, pool)
    raise ValueError(
        f"unsupported LEDGER_READ_DATABASE_URL {url!r}: use sqlite:///views.db or postgresql://...")


def store_for(ledger: Any, read_database_url: str | None = None, pool_size: int = 5,
              pool_timeout: float = 30.0,
              prepare_threshold: int | None = PREPARE_THRESHOLD) -> ProjectionStore:
    """The projection store for `ledger`'s log: in `read_database_url` if given, else beside
    the events in the ledger's own database. Ready to read (set up)."""
    log = log_of(ledger)
    datastore = ledger.recorder.datastore
    if read_database_url is not None:
        store = open_read_store(read_database_url, log, pool_size, pool_timeout,
                                prepare_threshold)
    elif hasattr(datastore, "schema"):
        store = PostgresProjectionStore(datastore.get_connection, log)
    else:
        store = SQLiteProjectionStore(datastore.pool.db_name, log)
    store.setup()
    return store


def replica_store_for(primary: ProjectionStore, replica_url: str, pool_size: int = 5,
                      pool_timeout: float = 30.0,
                      prepare_threshold: int | None = PREPARE_THRESHOLD) -> ProjectionStore:
    """The read models of `primary` (already set up) as a PostgreSQL standby replays them
    (`LEDGER_READ_REPLICA_URL`): read only, on the same log. The views' position replicates
    with them, so a read waiting for its `min_position` waits until the standby has replayed
    that far."""
    if not replica_url.startswith(("postgresql://", "postgres://")):
        raise ValueError(f"LEDGER_READ_REPLICA_URL {replica_url!r}: a replica is a PostgreSQL "
                         "standby (postgresql://...)")
    pool = _pool(replica_url, pool_size, pool_timeout, prepare_threshold)
    return PostgresProjectionStore(pool.connection, primary.log, pool)
