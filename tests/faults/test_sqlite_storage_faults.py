"""Fault (d): the SQLite file cannot take writes — opened read-only, or full — and writes are
refused with a clear error while nothing is half-written; reads go on.

SQLite only: these are faults of an embedded file. (As root, file modes do not stop writes, so
the file is opened with SQLite's read-only mode, and the disk fills at `PRAGMA max_page_count`.)
PostgreSQL's counterparts, a server that is down or cannot write, answer 503 the same way
(test_database_down.py)."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.sqlite import SQLiteConnectionPool

from ledger.tamper import verification
from service.app import create_app
from service.config import Config
from service.root import Root
from tests.e2e.conformance import conforming
from tests.faults.harness import ADMIN, VILLAGE, household

HEADERS = {"Content-Type": "application/json"}


def _seed(url: str) -> tuple[str, int]:
    """A village and one household, folded into the views (and the read audit's table made);
    an admin token."""
    with Root(Config.from_env(database_url=url)) as root:
        token = root.ledger.create_token(ADMIN.id, ADMIN.role)
        client = create_app(root=root, settings={"TESTING": True}).test_client()
        auth = {**HEADERS, "Authorization": f"Bearer {token}"}
        for body in (VILLAGE, household("h-0")):
            answer = client.post("/api/v1/events", data=json.dumps(body), headers=auth)
            assert answer.status_code == 201
        root.runner().catch_up()
        return token, len(root.ledger.read_log(0, 10**6))


def _log_and_chain(url: str) -> tuple[int, bool]:
    with Root(Config.from_env(database_url=url)) as root:
        return (len(root.ledger.read_log(0, 10**6)),
                verification.verify_chain(root.ledger.recorder).ok)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Path, str, int]]:
    path = tmp_path / "ledger.db"
    token, events = _seed(f"sqlite:///{path}")
    yield path, token, events


def _client(url: str) -> Any:
    return conforming(create_app(Config.from_env(database_url=url), settings={"TESTING": True}))


def _batch(n: int) -> dict[str, Any]:
    return {"events": [household(f"h-{i}") for i in range(1, n + 1)]}


def test_a_read_only_database_refuses_writes_and_audited_reads_and_answers_the_rest(
    seeded: tuple[Path, str, int],
) -> None:
    path, token, before = seeded
    app = _client(f"sqlite:///file:{path}?mode=ro")
    client = app.test_client()
    auth = {**HEADERS, "Authorization": f"Bearer {token}"}
    try:
        one = client.post("/api/v1/events", data=json.dumps(household("h-1")), headers=auth)
        many = client.post("/api/v1/events/batch", data=json.dumps(_batch(5)), headers=auth)
        board = client.get("/api/v1/units/v1", headers=auth)
        # A read of personal data is answered only once its read is audited (a write).
        personal = client.get("/api/v1/households/h-0", headers=auth)
    finally:
        app.extensions["root"].close()

    for answer in (one, many):
        assert answer.status_code == 503, answer.get_json()
        assert answer.get_json()["error"]["code"] == "storage_read_only"
        assert answer.headers["Retry-After"]
    assert board.status_code == 200 and board.get_json()["unit_id"] == "v1"
    assert personal.status_code == 503
    assert personal.get_json()["error"]["code"] == "storage_read_only"
    after, chain_ok = _log_and_chain(f"sqlite:///{path}")
    print(f"read-only sqlite: refused=2 recorded_before={before} recorded_after={after}")
    assert after == before and chain_ok


def test_a_full_database_refuses_a_batch_whole_and_takes_it_once_there_is_room(
    seeded: tuple[Path, str, int], monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, token, before = seeded
    url = f"sqlite:///{path}"
    original = SQLiteConnectionPool._create_connection
    pages = _page_count(path)

    def capped(pool: SQLiteConnectionPool) -> Any:
        connection = original(pool)
        connection._sqlite_conn.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    auth = {**HEADERS, "Authorization": f"Bearer {token}", "Idempotency-Key": "fill-1"}
    body = json.dumps(_batch(300))
    with monkeypatch.context() as patched:
        patched.setattr(SQLiteConnectionPool, "_create_connection", capped)
        app = _client(url)
        try:
            full = app.test_client().post("/api/v1/events/batch", data=body, headers=auth)
        finally:
            app.extensions["root"].close()
    assert full.status_code == 507, full.get_json()
    assert full.get_json()["error"]["code"] == "storage_full"
    after_full, chain_ok = _log_and_chain(url)
    assert after_full == before and chain_ok

    app = _client(url)
    try:
        client = app.test_client()
        first = client.post("/api/v1/events/batch", data=body, headers=auth)
        again = client.post("/api/v1/events/batch", data=body, headers=auth)
    finally:
        app.extensions["root"].close()
    assert first.status_code == 201 and again.status_code == 201
    assert again.get_json() == first.get_json()
    after, chain_ok = _log_and_chain(url)
    print(f"full sqlite: refused_batch=300 recorded_when_full={after_full - before} "
          f"recorded_after_room={after - before}")
    assert after == before + 300 and chain_ok


def _page_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(conn.execute("PRAGMA page_count").fetchone()[0])
