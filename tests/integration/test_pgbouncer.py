"""The ledger through pgbouncer in transaction mode (`scripts/pg-bouncer`): two processes'
worth of writers share two server sessions. What transaction pooling means for the ledger:
- the writers' lock is a transaction-level advisory lock, so it serialises appends through
  pgbouncer as it does directly (one unbroken chain, nothing refused), and the start-up lock
  is held by a transaction too, so nothing is left locked;
- prepared statements live in a server session, which a client's next transaction may not
  get: with them on, a second client's prepare collides; `LEDGER_PG_PREPARE_THRESHOLD=off`
  (`pg_prepare_threshold=None`) turns them off, the library's explicit ones included.
PostgreSQL only (pgbouncer fronts the test server)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import PersistenceError

from ledger.application import Command
from ledger.identity import Actor
from ledger.tamper.verification import verify_chain
from service.config import Config
from service.root import Root
from tests.backends import POSTGRES_SERVER, fresh_postgres_url
from tests.faults.cluster import free_port

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg-bouncer"
ADMIN = Actor("county-admin", "admin")
WRITERS, WRITES = 4, 10


@pytest.fixture
def through_bouncer() -> Iterator[tuple[str, str]]:
    """(the database's URL through pgbouncer, its direct URL)."""
    directory = tempfile.mkdtemp(prefix="ledger-pgbouncer-", dir="/tmp")
    server_port = POSTGRES_SERVER.rsplit(":", 1)[1]
    started = subprocess.run([str(SCRIPT), "start", directory, str(free_port()), server_port,
                              "2"], capture_output=True, text=True, timeout=30, check=False)
    assert started.returncode == 0, started.stderr
    try:
        with fresh_postgres_url() as direct:
            yield f"{started.stdout.strip()}/{direct.rsplit('/', 1)[1]}", direct
    finally:
        subprocess.run([str(SCRIPT), "stop", directory], timeout=30, check=False)
        shutil.rmtree(directory, ignore_errors=True)


def _unit(unit_id: str) -> list[Command]:
    return [Command("UnitRegistered", {"unit_id": unit_id, "name": unit_id, "kind": "village"})]


def _config(url: str, tmp_path: Path, prepare_threshold: int | None) -> Config:
    return Config(database_url=url, master_key_file=str(tmp_path / "master.key"),
                  pg_pool_size=2, pg_prepare_threshold=prepare_threshold)


def test_writers_through_transaction_pooling_keep_one_chain(
    through_bouncer: tuple[str, str], tmp_path: Path
) -> None:
    url, direct = through_bouncer
    roots = [Root(_config(url, tmp_path, None)) for _ in range(2)]
    errors: list[BaseException] = []

    def write(n: int) -> None:
        ledger = roots[n % 2].ledger
        try:
            for i in range(WRITES):
                ledger.record(ADMIN, _unit(f"u{n}-{i}"))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    try:
        for root in roots:
            root.ledger  # noqa: B018 - both start (and create tables) through pgbouncer
        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        report = verify_chain(roots[0].ledger.recorder)
        recorded = roots[0].ledger.recorder.max_notification_id()
    finally:
        for root in roots:
            root.close()
    assert errors == []
    assert report.ok and recorded == WRITERS * WRITES
    with psycopg.connect(direct) as conn:
        left = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                            "AND database = (SELECT oid FROM pg_database "
                            "WHERE datname = current_database())").fetchone()
    assert left == (0,)


def test_prepared_statements_do_not_survive_transaction_pooling(
    through_bouncer: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = through_bouncer
    roots = [Root(_config(url, tmp_path, 5)) for _ in range(2)]
    try:
        # Which write meets another session's statement depends on which server session each
        # pooled connection lands on: one of the first few does.
        with pytest.raises(PersistenceError, match="prepared statement"):
            roots[0].ledger.record(ADMIN, _unit("first"))
            for i in range(3):
                for root in roots:
                    root.ledger.record(ADMIN, _unit(f"u{id(root)}-{i}"))
    finally:
        for root in roots:
            root.close()
