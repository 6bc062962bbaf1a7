"""The PostgreSQL role the service connects as: it may read and append to the log, never
change it.

Run by the tables' owner (`ledger db setup-roles`), after the ledger has created its tables:
- the log's tables (`Statements.append_only`), the read audit (`ledger/read_audit.py`) and the
  key store (`ledger_subject_keys`): SELECT and INSERT only, every other right revoked; a key
  is destroyed only through `ledger_erase_key(subject, position)`, which runs with the owner's
  rights and only for the subject of the `PersonalDataErased` recorded at `position`; the
  sealed evidence files (`ledger_evidence_files`) likewise;
- the owner's other tables in the schema (aggregate snapshots, and any store added beside them):
  SELECT, INSERT, UPDATE, DELETE; their sequences: USAGE and SELECT;
- the schema: USAGE, and CREATE for the read models the service builds and rebuilds itself
  (creating a table gives no right over another role's tables); the read models' relations
  (`proj_*`) an earlier run of the service made as the owner are handed over to the role.

Running it again is harmless: grants are recomputed from the tables present, so re-run it after
an upgrade that adds a table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier, Literal

from ledger.read_audit import TABLE as READ_AUDIT
from ledger.recorders.evidence import EVIDENCE_TABLE
from ledger.recorders.keys import ERASE_FUNCTION, KEYS_TABLE

READ_MODEL_PREFIX = "proj_"
ERASE_KEY = """CREATE OR REPLACE FUNCTION {function}(p_subject text, p_position bigint)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE erased jsonb; changed integer;
BEGIN
  SELECT convert_from(state, 'UTF8')::jsonb INTO erased FROM {events}
   WHERE notification_id = p_position AND topic LIKE '%PersonalDataErased';
  IF erased IS NULL OR
     concat(erased->>'subject_type', ':', erased->>'subject_id') IS DISTINCT FROM p_subject THEN
    RAISE EXCEPTION 'no recorded erasure of % at position %', p_subject, p_position
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE {keys} SET wrapped = NULL, destroyed_at = now()
   WHERE subject = p_subject AND wrapped IS NOT NULL;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed > 0;
END $$"""


@dataclass
class Grants:
    """What a run granted, by table name."""

    role_created: bool = False
    append_only: list[str] = field(default_factory=list)
    read_write: list[str] = field(default_factory=list)
    handed_over: list[str] = field(default_factory=list)


def grant_service_role(recorder: Any, role: str, password: str | None = None) -> Grants:
    """Create `role` if it does not exist (LOGIN, with `password` if given) and grant it what
    the service needs on the ledger's database, as described above."""
    schema = recorder.datastore.schema
    append_only = [_table_name(name) for name in recorder.sql.append_only]
    grants = Grants()
    with recorder.datastore.get_connection() as conn, conn.transaction():
        with conn.cursor(row_factory=tuple_row) as curs:
            curs.execute("SELECT current_user, current_database()")
            owner, database = curs.fetchone() or ("", "")
            if role == owner:
                raise ValueError(f"the service role must not be the tables' owner {owner!r}")
            curs.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if curs.fetchone() is None:
                curs.execute(SQL("CREATE ROLE {} LOGIN").format(Identifier(role)))
                grants.role_created = True
            if password is not None:
                curs.execute(SQL("ALTER ROLE {} PASSWORD {}").format(
                    Identifier(role), Literal(password)))
            who = Identifier(role)
            curs.execute(SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                Identifier(database), who))
            curs.execute(SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(
                Identifier(schema), who))
            for kind, name in _owned_relations(curs, schema):
                target = Identifier(schema, name)
                if name.startswith(READ_MODEL_PREFIX):
                    statement = "ALTER VIEW" if kind == "v" else "ALTER TABLE"
                    curs.execute(SQL(statement + " {} OWNER TO {}").format(target, who))
                    grants.handed_over.append(name)
                elif kind == "S":
                    curs.execute(SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(
                        target, who))
                elif name in append_only or name in (READ_AUDIT, KEYS_TABLE, EVIDENCE_TABLE):
                    curs.execute(SQL("REVOKE ALL ON {} FROM {}").format(target, who))
                    curs.execute(SQL("GRANT SELECT, INSERT ON {} TO {}").format(target, who))
                    grants.append_only.append(name)
                elif kind in ("r", "p"):
                    curs.execute(SQL("REVOKE ALL ON {} FROM {}").format(target, who))
                    curs.execute(SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
                        target, who))
                    grants.read_write.append(name)
            _grant_key_erasure(curs, schema, _table_name(recorder.sql.events), who)
    missing = set(append_only) - set(grants.append_only)
    if missing:
        raise ValueError(f"the log's tables {sorted(missing)} are not the owner's here")
    return grants


def _grant_key_erasure(curs: Any, schema: str, events: str, who: Identifier) -> None:
    """The owner's function that destroys a key for a recorded erasure; only `who` runs it."""
    function = Identifier(schema, ERASE_FUNCTION)
    curs.execute(SQL(ERASE_KEY).format(function=function, events=Identifier(schema, events),
                                       keys=Identifier(schema, KEYS_TABLE)))
    curs.execute(SQL("REVOKE ALL ON FUNCTION {}(text, bigint) FROM PUBLIC").format(function))
    curs.execute(SQL("GRANT EXECUTE ON FUNCTION {}(text, bigint) TO {}").format(function, who))


def _owned_relations(curs: Any, schema: str) -> list[tuple[str, str]]:
    """(relkind, name) of the tables, views and sequences in `schema` the current role owns."""
    curs.execute(
        "SELECT c.relkind, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'S') "
        "AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) "
        "ORDER BY c.relname",
        (schema,),
    )
    return [(str(kind), str(name)) for kind, name in curs.fetchall()]


def _table_name(qualified: str) -> str:
    """`ledger_events` from `"public"."ledger_events"` or `public.ledger_events`."""
    return qualified.rsplit(".", 1)[-1].strip('"')
