"""Who read whose personal data: an append-only table beside the log, outside its chain.

PIPL expects the holder of personal information to know who saw it. Every answered read of a
household's or a person's data adds one row: who (actor, role), when, which subject, through
which route and request; never the data itself.

Why a table and not events: a read changes nothing in the supervised world, so it is not a fact
the views fold, the chain proves or an export carries; reads outnumber writes many times over,
and as events each would take the log's writer lock and lengthen every verification and proof.
The table is still append-only below the application (triggers refuse UPDATE, DELETE and, on
PostgreSQL, TRUNCATE), lives in the ledger's own database (so it survives rebuilding the views,
which it could not be rebuilt from), and names subjects by identifier only, so erasing a
person's personal data leaves nothing of it here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SUBJECT_TYPES = ("household", "person")
TABLE = "read_audit"
COLUMNS = ("id", "read_at", "actor", "role", "subject_type", "subject_id", "route",
           "request_id")
# Advisory lock key held while PostgreSQL creates the table ("readaud" in ASCII).
SCHEMA_LOCK = 0x72656164617564

SQLITE_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS read_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, read_at TEXT NOT NULL, actor TEXT NOT NULL,
        role TEXT NOT NULL, subject_type TEXT NOT NULL, subject_id TEXT NOT NULL,
        route TEXT NOT NULL, request_id TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS read_audit_subject ON read_audit (subject_type, subject_id, id)",
    """CREATE TRIGGER IF NOT EXISTS read_audit_no_update BEFORE UPDATE ON read_audit
        BEGIN SELECT RAISE(ABORT, 'read_audit is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS read_audit_no_delete BEFORE DELETE ON read_audit
        BEGIN SELECT RAISE(ABORT, 'read_audit is append-only'); END""",
    # INSERT OR REPLACE would delete the row it meets without firing the DELETE trigger.
    """CREATE TRIGGER IF NOT EXISTS read_audit_no_replace BEFORE INSERT ON read_audit
        WHEN EXISTS (SELECT 1 FROM read_audit WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'read_audit is append-only'); END""",
]

POSTGRES_SCHEMA = [
    "SELECT pg_advisory_xact_lock({lock})",
    """CREATE TABLE IF NOT EXISTS {s}read_audit (
        id bigserial PRIMARY KEY, read_at text NOT NULL, actor text NOT NULL,
        role text NOT NULL, subject_type text NOT NULL, subject_id text NOT NULL,
        route text NOT NULL, request_id text NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS read_audit_subject ON {s}read_audit "
    "(subject_type, subject_id, id)",
    """CREATE OR REPLACE FUNCTION {s}read_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'read_audit is append-only'; END $$""",
    "CREATE OR REPLACE TRIGGER read_audit_no_change BEFORE UPDATE OR DELETE ON {s}read_audit "
    "FOR EACH ROW EXECUTE FUNCTION {s}read_audit_append_only()",
    "CREATE OR REPLACE TRIGGER read_audit_no_truncate BEFORE TRUNCATE ON {s}read_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION {s}read_audit_append_only()",
]


@dataclass(frozen=True)
class Read:
    actor: str
    role: str
    subject_type: str
    subject_id: str
    route: str
    request_id: str


class ReadAudit:
    """The read audit in the ledger's database, through the recorder's own datastore."""

    def __init__(self, datastore: Any) -> None:
        self._datastore = datastore
        self._postgres = hasattr(datastore, "schema")
        self._table = f'"{datastore.schema}".read_audit' if self._postgres else "read_audit"
        mark = "%s" if self._postgres else "?"
        self._insert = (f"INSERT INTO {self._table} (read_at, actor, role, subject_type, "
                        f"subject_id, route, request_id) VALUES ({', '.join([mark] * 7)})")
        self._select = (f"SELECT {', '.join(COLUMNS)} FROM {self._table} WHERE subject_type = "
                        f"{mark} AND subject_id = {mark} AND id > {mark} ORDER BY id LIMIT {mark}")

    def setup(self) -> None:
        """Create the table and its triggers unless they exist. On PostgreSQL an existing
        table is left alone: its owner made it (`ledger db setup-roles`), and the service's
        role may only insert into it and read it."""
        statements = SQLITE_SCHEMA
        if self._postgres:
            prefix = f'"{self._datastore.schema}".'
            statements = [s.format(s=prefix, lock=SCHEMA_LOCK) for s in POSTGRES_SCHEMA]
        with self._datastore.transaction(commit=True) as cursor:
            if self._postgres:
                cursor.execute(statements[0])  # the lock, then: is it there?
                cursor.execute("SELECT to_regclass(%s) AS found", (self._table,))
                if cursor.fetchone()["found"] is not None:
                    return
                statements = statements[1:]
            for statement in statements:
                cursor.execute(statement)

    def record(self, read: Read, at: datetime | None = None) -> None:
        self.record_many([read], at)

    def record_many(self, reads: list[Read], at: datetime | None = None) -> None:
        """Several reads answered together (a page of the log), in one transaction."""
        if not reads:
            return
        moment = (at or datetime.now(UTC)).isoformat()
        with self._datastore.transaction(commit=True) as cursor:
            cursor.executemany(self._insert, [
                (moment, r.actor, r.role, r.subject_type, r.subject_id, r.route, r.request_id)
                for r in reads])

    def reads_of(self, subject_type: str, subject_id: str, after: int = 0, limit: int = 100
                 ) -> list[dict[str, Any]]:
        """The reads of one subject, oldest first, after the row id `after`."""
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(self._select, (subject_type, subject_id, after, limit))
            return [{name: row[name] for name in COLUMNS} for row in cursor.fetchall()]
