"""PostgreSQL recorder: the library's application recorder plus the hash chain and idempotency.

The library serialises writers with an EXCLUSIVE lock on the events table, so positions are
committed in order and readers never skip a gap that is filled later. We extend the chain while
that lock is held, in the same transaction as the insert.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from ledger.chain import GENESIS, link
from ledger.recorders import ChainedEvent, IdempotencyClaim, IdempotencyKeyTaken


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0}.ledger_chain ("
                    "position bigint PRIMARY KEY, hash bytea NOT NULL)"
                ).format(schema),
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0}.ledger_idempotency ("
                    "actor text NOT NULL, key text NOT NULL, request_sha256 text NOT NULL, "
                    "first_position bigint NOT NULL, last_position bigint NOT NULL, "
                    "PRIMARY KEY (actor, key))"
                ).format(schema),
            ]
        )
        self._chain = SQL("{0}.ledger_chain").format(schema)
        self._claims = SQL("{0}.ledger_idempotency").format(schema)
        self._events = SQL("{0}.{1}").format(schema, Identifier(self.events_table_name))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        pg_events = [
            self.construct_pg_stored_event(
                e.originator_id, e.originator_version, e.topic, e.state
            )
            for e in stored_events
        ]
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            curs.execute(self.insert_events_statement, (pg_events,), prepare=True)
            positions = [row["notification_id"] for row in curs.fetchall()]
            curs.execute(
                SQL("SELECT hash FROM {0} ORDER BY position DESC LIMIT 1").format(self._chain),
                prepare=True,
            )
            row = curs.fetchone()
            previous = bytes(row["hash"]) if row else GENESIS
            links = []
            for position, s in zip(positions, stored_events):
                previous = link(
                    previous, position, s.originator_id, s.originator_version, s.topic, s.state
                )
                links.append((position, previous))
            curs.executemany(
                SQL("INSERT INTO {0} (position, hash) VALUES (%s, %s)").format(self._chain),
                links,
            )
            claim: IdempotencyClaim | None = kwargs.get("idempotency")
            if claim is not None:
                curs.execute(
                    SQL(
                        "INSERT INTO {0} VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING "
                        "RETURNING key"
                    ).format(self._claims),
                    (claim.actor, claim.key, claim.request_sha256, positions[0], positions[-1]),
                )
                if curs.fetchone() is None:
                    raise IdempotencyKeyTaken(claim.key)
        return positions

    def find_claim(self, actor: str, key: str) -> IdempotencyClaim | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT * FROM {0} WHERE actor = %s AND key = %s").format(self._claims),
                (actor, key),
            )
            row = curs.fetchone()
        return IdempotencyClaim(**row) if row else None

    def select_chained(
        self, after: int, limit: int, stop: int | None = None
    ) -> list[ChainedEvent]:
        """Events with positions in (after, stop], in order, each with its chain hash."""
        statement = SQL(
            "SELECT e.notification_id AS position, e.originator_id, e.originator_version, "
            "e.topic, e.state, c.hash FROM {0} e JOIN {1} c ON c.position = e.notification_id "
            "WHERE e.notification_id > %s "
        ).format(self._events, self._chain)
        params: list[Any] = [after]
        if stop is not None:
            statement += SQL("AND e.notification_id <= %s ")
            params.append(stop)
        statement += SQL("ORDER BY e.notification_id LIMIT %s")
        params.append(limit)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [
                ChainedEvent(
                    position=row["position"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                    hash=bytes(row["hash"]),
                )
                for row in curs.fetchall()
            ]

    def chain_head(self) -> tuple[int, bytes] | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT position, hash FROM {0} ORDER BY position DESC LIMIT 1").format(
                    self._chain
                )
            )
            row = curs.fetchone()
        return (row["position"], bytes(row["hash"])) if row else None
