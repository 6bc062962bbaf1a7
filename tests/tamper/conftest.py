"""Fixtures for tampering: a ledger with some events, raw SQL on its database, a signing key."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.signing import Signer, load_private_key, write_key_pair

ADMIN = Actor("county-admin", "admin")


@dataclass
class Database:
    """Raw access to a ledger's tables, as someone with the database password has it."""

    url: str

    @property
    def sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def events(self) -> str:
        return "stored_events" if self.sqlite else "ledger_events"

    @property
    def position(self) -> str:
        return "rowid" if self.sqlite else "notification_id"

    def run(self, statement: str, params: tuple = ()) -> list[tuple]:
        """Run one statement (`%s` placeholders on both backends) and commit it."""
        if self.sqlite:
            conn = sqlite3.connect(self.url[len("sqlite:///"):])
            try:
                # The file's owner can drop the triggers that keep the log append-only.
                triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                for (name,) in triggers.fetchall():
                    conn.execute(f"DROP TRIGGER {name}")
                cursor = conn.execute(statement.replace("%s", "?"), params)
                rows = cursor.fetchall()
                conn.commit()
                return rows
            finally:
                conn.close()
        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def event(self, position: int) -> tuple[Any, int, str, bytes]:
        row = self.run(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events} "
            f"WHERE {self.position} = %s", (position,)
        )[0]
        return row[0], row[1], row[2], bytes(row[3])


def record_units(ledger: Ledger, count: int, prefix: str = "u") -> None:
    """`count` events, one a unit, recorded through the application in one append."""
    ledger.record(
        ADMIN,
        [Command("UnitRegistered", {"unit_id": f"{prefix}{i}", "name": f"Village {i}",
                                    "kind": "village"}) for i in range(count)],
    )


@pytest.fixture
def db(database_url: str) -> Database:
    return Database(database_url)


@pytest.fixture
def signer() -> Signer:
    return Signer(Ed25519PrivateKey.generate())


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "signing.pem"
    write_key_pair(path, tmp_path / "signing.pub.pem")
    return path


@pytest.fixture
def checkpoints(ledger: Ledger, signer: Signer) -> Iterator[Checkpoints]:
    yield Checkpoints(ledger.recorder, signer)


__all__ = ["ADMIN", "Database", "record_units", "load_private_key"]
