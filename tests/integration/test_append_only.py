"""The log is append-only below the application.

PostgreSQL: the service connects as the role `ledger db setup-roles` makes, which may read and
append to the log's tables and nothing more; writers serialise on an advisory lock, so several
of them still chain correctly. SQLite: triggers refuse UPDATE and DELETE. On both, whoever owns
the database can still change it, and verification catches that.

Each PostgreSQL test makes its own role with a unique name and drops it afterwards."""
from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import errors
from psycopg.sql import SQL, Identifier

from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.log_tree import CHUNK_LEVEL
from ledger.tamper.signing import Signer
from ledger.tamper.verification import verify_chain
from service.cli import main
from service.config import Config
from service.root import Root, open_ledger
from tests.backends import POSTGRES_SERVER, fresh_postgres_url
from tests.tamper.conftest import Database, record_units

ADMIN = Actor("county-admin", "admin")
WRITERS, WRITES = 4, 15


@dataclass(frozen=True)
class Roles:
    owner_url: str
    service_url: str
    role: str


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))


@pytest.fixture
def roles(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Roles]:
    """A fresh database whose tables the superuser owns, and a new service role on it."""
    role = f"ledger_svc_{uuid.uuid4().hex[:12]}"
    with fresh_postgres_url() as owner_url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", owner_url)
        try:
            assert main(["db", "setup-roles", "--service-role", role]) == 0
            assert f"role {role} (created)" in capsys.readouterr().out
            yield Roles(owner_url, _as_role(owner_url, role), role)
        finally:
            with psycopg.connect(owner_url, autocommit=True) as conn:
                if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                    conn.execute(SQL("DROP OWNED BY {}").format(Identifier(role)))
            with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(SQL("DROP ROLE IF EXISTS {}").format(Identifier(role)))


def _fill_every_log_table(ledger: Ledger) -> Checkpoints:
    """Rows in the events, chain, claims, Merkle cache and checkpoints tables (the cache holds
    complete subtrees of 2**CHUNK_LEVEL leaves)."""
    record_units(ledger, 2**CHUNK_LEVEL)
    ledger.record(ADMIN, [Command("UnitRegistered", {"unit_id": "keyed", "name": "K",
                                                     "kind": "village"})], "key-1")
    checkpoints = Checkpoints(ledger.recorder, Signer(Ed25519PrivateKey.generate()))
    checkpoints.make()
    return checkpoints


def _counts(url: str, tables: tuple[str, ...]) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in tables}


def test_the_service_role_may_read_and_append_but_never_change_the_log(roles: Roles) -> None:
    with Root(Config(database_url=roles.service_url)) as root:
        _fill_every_log_table(root.ledger)
        root.runner().catch_up()  # the read models: the service's own tables
        assert root.views.unit("keyed") is not None
        tables = tuple(root.ledger.recorder.sql.append_only)  # type: ignore[attr-defined]
        head = root.ledger.head()
    before = _counts(roles.owner_url, tables)
    assert all(before.values()), before
    refused = []
    with psycopg.connect(roles.service_url, autocommit=True) as conn:
        for table in tables:
            for statement in (f"UPDATE {table} SET {_first_column(conn, table)} = "
                              f"{_first_column(conn, table)}",
                              f"DELETE FROM {table}", f"TRUNCATE {table}",
                              f"ALTER TABLE {table} DISABLE TRIGGER ALL", f"DROP TABLE {table}"):
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute(statement)
                refused.append(statement)
    assert len(refused) == 5 * len(tables)
    assert _counts(roles.owner_url, tables) == before
    with Root(Config(database_url=roles.service_url)) as root:
        assert root.ledger.head() == head
        report = verify_chain(root.ledger.recorder)
        assert report.ok, report
        assert report.checked == before[tables[0]]


def _first_column(conn: psycopg.Connection, table: str) -> str:
    cursor = conn.execute(f"SELECT * FROM {table} LIMIT 0")
    assert cursor.description is not None
    return cursor.description[0].name


def test_concurrent_writers_through_the_service_role_keep_the_chain(roles: Roles) -> None:
    """Each writer has its own connection pool, as separate processes would; they serialise on
    the advisory lock, so positions commit in order and every hash follows the one before."""
    ledgers = [open_ledger(Config(database_url=roles.service_url)) for _ in range(WRITERS)]
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(worker: int) -> None:
        try:
            start.wait(30)
            for i in range(WRITES):
                record_units(ledgers[worker], 2, prefix=f"w{worker}-{i}-")
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert failures == []
        log = ledgers[0].read_log(0, 10_000)
        assert [e.position for e in log] == list(range(1, WRITERS * WRITES * 2 + 1))
        assert sorted(e.data["unit_id"] for e in log) == sorted(
            f"w{w}-{i}-{u}" for w in range(WRITERS) for i in range(WRITES) for u in range(2))
        report = verify_chain(ledgers[0].recorder)
        assert report.ok, report
        assert report.checked == WRITERS * WRITES * 2
    finally:
        for ledger in ledgers:
            ledger.close()


def test_verification_catches_what_the_owner_does_anyway(roles: Roles) -> None:
    with Root(Config(database_url=roles.service_url)) as root:
        checkpoints = _fill_every_log_table(root.ledger)
        held = checkpoints.latest()
        key = checkpoints.signer.public_key  # type: ignore[union-attr]
    owner = Database(roles.owner_url)
    owner.run("UPDATE ledger_events SET state = %s WHERE notification_id = 4", (b"{}",))
    with Root(Config(database_url=roles.service_url)) as root:
        report = verify_chain(root.ledger.recorder)
        assert not report.ok
        assert report.first_bad_position == 4
    # Rewriting the whole chain to match is caught by the checkpoint held outside.
    owner.run("DELETE FROM ledger_events WHERE notification_id >= 4")
    owner.run("DELETE FROM ledger_chain WHERE position >= 4")
    owner.run("DELETE FROM ledger_checkpoints")
    with Root(Config(database_url=roles.service_url)) as root:
        assert verify_chain(root.ledger.recorder).ok  # the chain alone cannot tell
        report = verify_chain(root.ledger.recorder, [held], key)  # type: ignore[list-item]
        assert not report.ok, report


def test_setup_roles_again_keeps_the_log_insert_only(
    roles: Roles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(roles.owner_url, autocommit=True) as conn:
        conn.execute(SQL("GRANT UPDATE, DELETE ON ledger_events TO {}").format(
            Identifier(roles.role)))
    assert main(["db", "setup-roles", "--service-role", roles.role]) == 0
    assert f"role {roles.role} (exists)" in capsys.readouterr().out
    with psycopg.connect(roles.service_url, autocommit=True) as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM ledger_events")


def test_setup_roles_on_sqlite_says_triggers_do_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path / 'l.db'}")
    assert main(["db", "setup-roles", "--service-role", "anyone"]) == 2
    assert "triggers" in capsys.readouterr().err


def test_sqlite_triggers_refuse_update_and_delete_of_the_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Root(Config(database_url=url)) as root:
        _fill_every_log_table(root.ledger)
        tables = tuple(root.ledger.recorder.sql.append_only)  # type: ignore[attr-defined]
        head = root.ledger.head()
    conn = sqlite3.connect(tmp_path / "ledger.db")
    try:
        before = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        assert all(before.values()), before
        for table in tables:
            for statement in (f"UPDATE {table} SET rowid = rowid", f"DELETE FROM {table}"):
                with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only"):
                    conn.execute(statement)
        conn.commit()
        after = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()
    assert after == before
    with Root(Config(database_url=url)) as root:
        record_units(root.ledger, 1, prefix="after-")  # the ledger still appends
        assert root.ledger.head()[0] == head[0] + 1  # type: ignore[index]
        assert verify_chain(root.ledger.recorder).ok


def test_sqlite_owner_who_drops_the_triggers_is_caught_by_verification(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Root(Config(database_url=url)) as root:
        record_units(root.ledger, 6)
    Database(url).run("UPDATE stored_events SET state = %s WHERE rowid = 3", (b"{}",))
    with Root(Config(database_url=url)) as root:
        report = verify_chain(root.ledger.recorder)
    assert not report.ok
    assert report.first_bad_position == 3


def test_the_service_role_appends_to_the_read_audit_and_never_changes_it(roles: Roles) -> None:
    from ledger.read_audit import Read

    with Root(Config(database_url=roles.service_url)) as root:
        root.read_audit.record(Read("jiwei-zhao", "discipline", "household", "hh-1",
                                    "/api/v1/households/<string:household_id>", "req-1"))
        assert [r["actor"] for r in root.read_audit.reads_of("household", "hh-1")] == [
            "jiwei-zhao"]
    with psycopg.connect(roles.service_url, autocommit=True) as conn:
        for statement in ("UPDATE read_audit SET actor = 'someone-else'",
                          "DELETE FROM read_audit", "TRUNCATE read_audit",
                          "ALTER TABLE read_audit DISABLE TRIGGER ALL", "DROP TABLE read_audit"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
    assert _counts(roles.owner_url, ("read_audit",)) == {"read_audit": 1}
