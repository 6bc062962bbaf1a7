"""PostgreSQL recorder: the library's application recorder plus the hash chain and idempotency.

The library's `insert_events` (with its retry on a lost connection) runs unchanged outside
`writing()`: it takes its writer lock, so writers are serialised and positions commit in order,
inserts in a pipelined transaction and hands the new positions to
`_fetch_ids_after_insert_events`. Inside `writing()` (every `Ledger.record`), the lock is
already held and the same statements run in the held transaction. The lock
is a transaction-level advisory lock, not the library's `LOCK TABLE ... IN EXCLUSIVE MODE`,
which PostgreSQL grants only to roles that may also update or delete the events: so the service
can run as a role that may only insert and read them (`ledger.recorders.roles`). We add two
things, without a round trip of our own:
- the insert statement also returns the chain head as it stood before it (read after the lock);
- after the positions are known, the chain rows (one statement) and the idempotency claim are
  queued in the same pipeline, and go with the library's COMMIT.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from psycopg import Cursor
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier, Literal

from ledger.recorders.append_only import writer_lock_key
from ledger.recorders.bulk import PostgresBulkReads
from ledger.recorders.chained import ChainedRecorder
from ledger.recorders.holding import able_to_hold
from ledger.recorders.schema import BYTES, LEVEL, POSITION, SERIAL, TEXT, Dialect, Statements

# Advisory lock key held while creating the schema ("ledger" in ASCII).
SCHEMA_LOCK = 0x6C6564676572
# The setting that carries the URL's libpq parameters beyond the library's own five (several
# hosts come in POSTGRES_HOST and POSTGRES_PORT; `target_session_attrs`, `sslmode`... here).
EXTRA_CONNINFO = "POSTGRES_EXTRA_CONNINFO"
# After how many runs psycopg prepares a statement; "off": never (pgbouncer in transaction
# mode before 1.21 has no prepared statements). Off also overrides the library's prepare=True.
PREPARE_THRESHOLD = "POSTGRES_PREPARE_THRESHOLD"


def dialect(schema: str, events_table_name: str) -> Dialect:
    return Dialect(
        types={
            POSITION: "bigint NOT NULL",
            LEVEL: "int NOT NULL",
            BYTES: "bytea NOT NULL",
            TEXT: "text NOT NULL",
            SERIAL: "bigserial",
        },
        placeholder="%s",
        schema_prefix=Identifier(schema).as_string() + ".",
        events=Identifier(schema, events_table_name).as_string(),
        position="notification_id",
        oid_bytes="convert_to(replace({0}::text, '-', ''), 'UTF8')",
    )


class ChainedPostgresApplicationRecorder(
    PostgresBulkReads, ChainedRecorder, PostgresApplicationRecorder
):
    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        if datastore.enable_db_functions:
            raise ValueError(
                "POSTGRES_ENABLE_DB_FUNCTIONS inserts through a database function that knows "
                "nothing of the hash chain; leave it off"
            )
        able_to_hold(datastore)
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql = Statements(dialect(datastore.schema, events_table_name))
        self.sql_create_statements.extend(SQL(statement).format() for statement in self.sql.create)
        self.insert_events_statement += SQL(f", ({self.sql.head_hash}) AS chain_head")
        self.lock_table_statements = [
            self.lock_table_statements[0],  # SET LOCAL lock_timeout: it bounds this wait too
            SQL("SELECT pg_advisory_xact_lock({0})").format(
                Literal(writer_lock_key(self.sql.events))
            ),
        ]
        self._insert_links_statement = (
            f"INSERT INTO {self.sql.chain} (position, hash) "
            f"SELECT * FROM unnest(%s::bigint[], %s::bytea[])"
        )

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        """Create the tables under a lock: processes starting together (gunicorn workers) would
        otherwise race on the catalog and fail with "tuple concurrently updated"."""
        curs.execute(SQL("SELECT pg_advisory_xact_lock(%s)"), (SCHEMA_LOCK,))
        super()._create_table(curs)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            if positions:
                curs.scroll(0, mode="absolute")
                head = curs.fetchone()
                previous = head["chain_head"] if head else None
                self._extend_chain(curs, previous, positions, stored_events, kwargs)
        except BaseException:
            # The library keeps an exception from this hook until its transaction block has
            # ended, and that block commits: roll back here, or the events would be recorded
            # without their chain. Inside `writing()` the exception ends the held transaction,
            # which rolls back.
            if not self.datastore.holding():
                with suppress(Exception):
                    curs.execute("ROLLBACK")
            raise
        return positions

    def writing(self) -> AbstractContextManager[None]:
        return self.datastore.writing(self._lock_table)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's insert, with its retry on a lost connection; inside `writing()` the
        same statements in the held transaction (which holds the lock already, and commits
        at its end), in one pipeline: the insert, then the chain rows and the claim."""
        if not self.datastore.holding() or not stored_events:
            return super().insert_events(stored_events, **kwargs)
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline, conn.cursor() as curs:
                self._notify_channel(curs)
                PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)
                pipeline.sync()
                return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def _tuples(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.datastore.get_connection() as conn:
            with conn.cursor(row_factory=tuple_row) as curs:
                curs.execute(statement, params, binary=True)
                return curs.fetchall()

    def _insert_links(self, cursor: Any, links: Sequence[tuple[int, bytes]]) -> None:
        cursor.execute(
            self._insert_links_statement, ([p for p, _ in links], [h for _, h in links])
        )

    def _stored_id(self, originator_id: UUID) -> UUID:
        return originator_id

    def _lock_log(self, cursor: Any) -> None:
        self._lock_table(cursor)

    def _after_import(self, cursor: Any) -> None:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
            f"(SELECT MAX(notification_id) FROM {self.sql.events}))",
            (self.sql.events,),
        )


class LedgerPostgresFactory(PostgresFactory):
    """The library's factory, except that a role which does not own the ledger's tables (the
    service role `ledger db setup-roles` grants) leaves them as their owner made them: creating
    them again would need the owner's rights. `PERSISTENCE_MODULE` names it. It also hands
    libpq the URL's other parameters (`EXTRA_CONNINFO`) and psycopg its `PREPARE_THRESHOLD`,
    which the library has no setting for."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        kwargs = cast(dict[str, Any], self.datastore.pool.kwargs)
        kwargs.update(conninfo_to_dict(self.env.get(EXTRA_CONNINFO) or ""))
        threshold = self.env.get(PREPARE_THRESHOLD) or "5"
        kwargs["prepare_threshold"] = None if threshold == "off" else int(threshold)

    def env_create_table(self) -> bool:
        if not super().env_create_table():
            return False
        if not hasattr(self, "_owned_elsewhere"):
            self._owned_elsewhere = self._tables_owned_by_another_role()
        return not self._owned_elsewhere

    def _tables_owned_by_another_role(self) -> bool:
        events = Identifier(self.datastore.schema, f"{self.env.name.lower()}_events")
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(
                "SELECT NOT pg_has_role(relowner, 'USAGE') FROM pg_class "
                "WHERE oid = to_regclass(%s)",
                (events.as_string(),),
            )
            row = curs.fetchone()
        return bool(row and row[0])
