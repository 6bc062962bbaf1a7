"""SQLite's append-only guard refuses an insert at a recorded position or key, so
`INSERT OR REPLACE` (which deletes the old row without firing a DELETE trigger) and a plain
re-insert change nothing; the ledger still appends and verifies afterwards."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger.read_audit import Read
from ledger.tamper.verification import verify_chain
from service.config import Config
from service.root import Root
from tests.integration.test_append_only import _fill_every_log_table
from tests.tamper.conftest import record_units


def _rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    return conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()


@pytest.fixture
def filled(tmp_path: Path) -> tuple[str, Path, tuple[str, ...]]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Root(Config(database_url=url, master_key_file=str(tmp_path / "m.key"))) as root:
        _fill_every_log_table(root.ledger)
        tables = tuple(root.ledger.recorder.sql.append_only)  # type: ignore[attr-defined]
    return url, tmp_path / "ledger.db", tables


@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE", "INSERT"])
def test_no_row_of_the_log_is_written_again_at_its_position(
        filled: tuple[str, Path, tuple[str, ...]], verb: str) -> None:
    url, path, tables = filled
    conn = sqlite3.connect(path)
    try:
        before = {t: _rows(conn, t) for t in tables}
        for table in tables:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
            # The row at position 20 (the first row of the Merkle cache), copied with its own
            # position: what an attacker rewriting it would send.
            row = conn.execute(f"SELECT rowid, {', '.join(columns)} FROM {table} "
                               "ORDER BY rowid LIMIT 1 OFFSET "
                               f"{min(19, len(before[table]) - 1)}").fetchone()
            statement = (f"{verb} INTO {table} (rowid, {', '.join(columns)}) "
                         f"VALUES ({', '.join('?' * (len(columns) + 1))})")
            if table.endswith("merkle_nodes"):  # its writers skip a node already there
                conn.execute(statement, row)
            else:
                with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only"):
                    conn.execute(statement, row)
            # The same key at a new position is refused too (the events' originator/version).
            moved = (max(r[0] for r in before[table]) + 100, *row[1:])
            if table.endswith("merkle_nodes"):
                conn.execute(statement, moved)
            else:
                with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only"):
                    conn.execute(statement, moved)
        conn.commit()
        assert {t: _rows(conn, t) for t in tables} == before
    finally:
        conn.close()
    with Root(Config(database_url=url, master_key_file=str(path.parent / "m.key"))) as root:
        head = root.ledger.head()
        record_units(root.ledger, 1, prefix="after-")
        assert root.ledger.head()[0] == head[0] + 1  # type: ignore[index]
        assert verify_chain(root.ledger.recorder).ok


def test_a_changed_event_replacing_position_20_is_refused(
        filled: tuple[str, Path, tuple[str, ...]]) -> None:
    _, path, _ = filled
    conn = sqlite3.connect(path)
    try:
        original = conn.execute("SELECT rowid, * FROM stored_events WHERE rowid = 20").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("INSERT OR REPLACE INTO stored_events "
                         "(rowid, originator_id, originator_version, topic, state) "
                         "VALUES (20, ?, ?, ?, ?)", (*original[1:4], b'{"forged": true}'))
        assert conn.execute("SELECT rowid, * FROM stored_events WHERE rowid = 20"
                            ).fetchone() == original
    finally:
        conn.close()


def test_the_read_audit_refuses_a_row_written_again_at_its_id(tmp_path: Path) -> None:
    with Root(Config(database_url=f"sqlite:///{tmp_path / 'l.db'}",
                     master_key_file=str(tmp_path / "m.key"))) as root:
        for request in ("req-1", "req-2"):
            root.read_audit.record(Read("jiwei-zhao", "discipline", "household", "h1",
                                        "/api/v1/households/<string:household_id>", request))
    conn = sqlite3.connect(tmp_path / "l.db")
    try:
        before = conn.execute("SELECT * FROM read_audit ORDER BY id").fetchall()
        for verb in ("INSERT OR REPLACE", "INSERT"):
            with pytest.raises(sqlite3.IntegrityError, match="read_audit is append-only"):
                conn.execute(f"{verb} INTO read_audit VALUES (1, '2020-01-01', 'nobody', "
                             "'viewer', 'household', 'h1', '/', 'forged')")
        conn.commit()
        assert conn.execute("SELECT * FROM read_audit ORDER BY id").fetchall() == before
    finally:
        conn.close()
