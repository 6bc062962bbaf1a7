"""PostgreSQL recorder: the library's application recorder plus the hash chain and idempotency.

The library serialises writers with an EXCLUSIVE lock on the events table, so positions are
committed in order and readers never skip a gap that is filled later. We extend the chain while
that lock is held, in the same transaction as the insert.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier

from ledger.tamper.chain import GENESIS, link
from ledger.recorders import ChainedEvent, IdempotencyClaim, IdempotencyKeyTaken, hand_back
from ledger.recorders.bulk import PostgresBulkReads

# Advisory lock key held while creating the schema ("ledger" in ASCII).
SCHEMA_LOCK = 0x6C6564676572


class ChainedPostgresApplicationRecorder(PostgresBulkReads, PostgresApplicationRecorder):
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
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0}.ledger_merkle_nodes ("
                    "level int NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, "
                    "last_position bigint NOT NULL, PRIMARY KEY (level, idx))"
                ).format(schema),
                SQL(
                    "CREATE INDEX IF NOT EXISTS ledger_merkle_nodes_last "
                    "ON {0}.ledger_merkle_nodes (level, last_position)"
                ).format(schema),
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0}.ledger_checkpoints ("
                    "id bigserial PRIMARY KEY, tree_size bigint NOT NULL, "
                    "position bigint NOT NULL, hash text NOT NULL, root text NOT NULL, "
                    "signed_at text NOT NULL, key_id text NOT NULL, signature text NOT NULL)"
                ).format(schema),
            ]
        )
        self._merkle = SQL("{0}.ledger_merkle_nodes").format(schema)
        self._checkpoints = SQL("{0}.ledger_checkpoints").format(schema)
        self._chain = SQL("{0}.ledger_chain").format(schema)
        self._claims = SQL("{0}.ledger_idempotency").format(schema)
        self._events = SQL("{0}.{1}").format(schema, Identifier(self.events_table_name))

    def _create_table(self, curs: Any) -> None:
        """Create the tables under a lock: processes starting together (gunicorn workers) would
        otherwise race on the catalog and fail with "tuple concurrently updated"."""
        curs.execute(SQL("SELECT pg_advisory_xact_lock(%s)"), (SCHEMA_LOCK,))
        super()._create_table(curs)

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
            hand_back(kwargs.get("chained"), stored_events, links)
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

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        rows = self._query(
            SQL("SELECT notification_id FROM {0} "
                "WHERE originator_id = %s AND originator_version = %s").format(self._events),
            (originator_id, version),
        )
        return int(rows[0][0]) if rows else None

    def chain_head(self) -> tuple[int, bytes] | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT position, hash FROM {0} ORDER BY position DESC LIMIT 1").format(
                    self._chain
                )
            )
            row = curs.fetchone()
        return (row["position"], bytes(row["hash"])) if row else None

    # Tamper evidence: raw reads of the chain, the Merkle cache, checkpoints, import -----------
    def _query(self, statement: Composable, params: Sequence[Any] = ()) -> list[tuple]:
        with self.datastore.get_connection() as conn:
            with conn.cursor(row_factory=tuple_row) as curs:
                curs.execute(statement, params, prepare=True, binary=True)  # bytea unencoded
                return curs.fetchall()

    def chain_rows(self, after: int, stop: int, limit: int) -> list[tuple]:
        """(position, originator id hex as bytes, version, topic, state, hash) from the chain's
        side: a chain row whose event row is gone comes back with None in the event's fields."""
        rows = self._query(
            SQL(
                "SELECT c.position, e.originator_id, e.originator_version, e.topic, e.state, "
                "c.hash FROM {0} c LEFT JOIN {1} e ON e.notification_id = c.position "
                "WHERE c.position > %s AND c.position <= %s ORDER BY c.position LIMIT %s"
            ).format(self._chain, self._events),
            (after, stop, limit),
        )
        return [
            (p, oid.hex.encode() if oid is not None else None, v, t, s, h)
            for p, oid, v, t, s, h in rows
        ]

    def first_unchained_position(self, after: int, stop: int) -> int | None:
        """The first event row without a chain row (an insertion behind the ledger's back)."""
        rows = self._query(
            SQL(
                "SELECT e.notification_id FROM {0} e LEFT JOIN {1} c "
                "ON c.position = e.notification_id WHERE c.position IS NULL "
                "AND e.notification_id > %s AND e.notification_id <= %s "
                "ORDER BY e.notification_id LIMIT 1"
            ).format(self._events, self._chain),
            (after, stop),
        )
        return rows[0][0] if rows else None

    def log_bounds(self) -> tuple[int, int]:
        """The last position in the chain and the last position in the events table."""
        return self._query(
            SQL(
                "SELECT (SELECT COALESCE(MAX(position), 0) FROM {0}), "
                "(SELECT COALESCE(MAX(notification_id), 0) FROM {1})"
            ).format(self._chain, self._events)
        )[0]

    def chain_hashes(self, after: int, limit: int, stop: int | None = None) -> list[tuple]:
        """(position, hash) of the chain after a position, in order."""
        return self._query(
            SQL(
                "SELECT position, hash FROM {0} WHERE position > %s AND position <= %s "
                "ORDER BY position LIMIT %s"
            ).format(self._chain),
            (after, stop if stop is not None else 2**63 - 1, limit),
        )

    def merkle_nodes(self, level: int, first: int, limit: int) -> list[tuple]:
        """(idx, hash, last_position) of cached complete subtrees of 2**level leaves."""
        return self._query(
            SQL(
                "SELECT idx, hash, last_position FROM {0} WHERE level = %s AND idx >= %s "
                "ORDER BY idx LIMIT %s"
            ).format(self._merkle),
            (level, first, limit),
        )

    def merkle_width(self, level: int) -> int:
        return self._query(
            SQL("SELECT COALESCE(MAX(idx) + 1, 0) FROM {0} WHERE level = %s").format(
                self._merkle
            ),
            (level,),
        )[0][0]

    def merkle_node_through(self, level: int, position: int) -> tuple | None:
        """The last cached node of `level` whose leaves all sit at or before `position`."""
        rows = self._query(
            SQL(
                "SELECT idx, hash, last_position FROM {0} WHERE level = %s "
                "AND last_position <= %s ORDER BY last_position DESC LIMIT 1"
            ).format(self._merkle),
            (level, position),
        )
        return rows[0] if rows else None

    def insert_merkle_nodes(self, level: int, nodes: Sequence[tuple]) -> None:
        """Cache subtree roots; a node someone else cached first is the same and is kept."""
        with self.datastore.transaction(commit=True) as curs:
            curs.executemany(
                SQL("INSERT INTO {0} VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING").format(
                    self._merkle
                ),
                [(level, idx, h, last) for idx, h, last in nodes],
            )

    def insert_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "INSERT INTO {0} (tree_size, position, hash, root, signed_at, key_id, "
                    "signature) VALUES (%(tree_size)s, %(position)s, %(hash)s, %(root)s, "
                    "%(signed_at)s, %(key_id)s, %(signature)s)"
                ).format(self._checkpoints),
                checkpoint,
            )

    def select_checkpoints(self, limit: int, newest_first: bool = True) -> list[dict[str, Any]]:
        order = SQL("DESC" if newest_first else "ASC")
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "SELECT tree_size, position, hash, root, signed_at, key_id, signature "
                    "FROM {0} ORDER BY id {1} LIMIT %s"
                ).format(self._checkpoints, order),
                (limit,),
            )
            return [dict(row) for row in curs.fetchall()]

    def import_chained(self, batches: Iterable[Sequence[tuple]]) -> int:
        """Write exported rows (position, originator id, version, topic, state, hash) into an
        empty log, keeping their positions, in one transaction: all of them or none."""
        count = 0
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            curs.execute(SQL("SELECT 1 FROM {0} LIMIT 1").format(self._events))
            if curs.fetchone():
                raise ValueError("the ledger is not empty")
            for batch in batches:
                curs.executemany(
                    SQL(
                        "INSERT INTO {0} (notification_id, originator_id, originator_version, "
                        "topic, state) VALUES (%s, %s, %s, %s, %s)"
                    ).format(self._events),
                    [(p, oid, v, t, s) for p, oid, v, t, s, _ in batch],
                )
                curs.executemany(
                    SQL("INSERT INTO {0} (position, hash) VALUES (%s, %s)").format(self._chain),
                    [(row[0], row[5]) for row in batch],
                )
                count += len(batch)
            if count:
                curs.execute(
                    SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
                    (
                        f"{self.datastore.schema}.{self.events_table_name}",
                        self._max_position(curs),
                    ),
                )
        return count

    def _max_position(self, curs: Any) -> int:
        curs.execute(SQL("SELECT MAX(notification_id) AS m FROM {0}").format(self._events))
        return curs.fetchone()["m"]
