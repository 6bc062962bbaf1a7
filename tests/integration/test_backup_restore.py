"""`ledger backup` while writers carry on, `ledger restore` into an empty database of the same
backend, and `ledger verify` (with a checkpoint held outside) on the restored ledger: the same
head, the same log up to it, and the tokens, idempotency keys and checkpoints with it."""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ledger.application import Command
from ledger.identity import Actor
from ledger.tamper.signing import write_key_pair
from service.cli import main
from service.config import Config
from service.root import Root, open_ledger
from tests.backends import fresh_database_url

ADMIN = Actor("county-admin", "admin")
BACKED_UP = re.compile(r"through position (\d+) hash ([0-9a-f]{64})")


def _unit(unit_id: str) -> list[Command]:
    return [Command("UnitRegistered", {"unit_id": unit_id, "name": unit_id, "kind": "village"})]


@dataclass
class Writer:
    positions: list[int] = field(default_factory=list)
    under_way: threading.Event = field(default_factory=threading.Event)


@contextmanager
def _writing(url: str) -> Iterator[Writer]:
    """A writer with its own connections, appending one unit at a time until the block ends;
    `under_way` is set once it has written five."""
    ledger = open_ledger(Config(database_url=url))
    stop = threading.Event()
    writer = Writer()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                [answer] = ledger.record(ADMIN, _unit(f"live-{len(writer.positions)}"))
                writer.positions.append(answer.position)
                if len(writer.positions) == 5:
                    writer.under_way.set()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            failures.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        yield writer
    finally:
        stop.set()
        thread.join(60)
        ledger.close()
    assert failures == []


def _restored_url(database_url: str, tmp_path: Path) -> AbstractContextManager[str]:
    """A new, empty database of the same backend."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    folder = tmp_path / "restored"
    folder.mkdir()
    return fresh_database_url(backend, folder)


def test_a_backup_taken_while_writing_restores_to_a_ledger_that_verifies(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = tmp_path / "signing.pem"
    write_key_pair(key, tmp_path / "signing.pub")
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(key))
    with Root(Config.from_env(database_url=database_url)) as root:
        token = root.ledger.create_token("county-admin", "admin")
        [keyed] = root.ledger.record(ADMIN, _unit("keyed"), "key-1")
        root.runner().catch_up()  # read models beside the log: rebuilt, not restored, on PG
        held = tmp_path / "checkpoint.json"
        held.write_text(json.dumps(root.checkpoints.make().to_dict()))

    backup = tmp_path / "ledger.backup"
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    with _writing(database_url) as writer:
        assert writer.under_way.wait(60), "the writer is under way before the backup starts"
        assert main(["backup", str(backup)]) == 0
        found = BACKED_UP.search(capsys.readouterr().out)
        assert found, "the backup names the head it holds"
        position, hash_ = int(found[1]), found[2]
    with Root(Config.from_env(database_url=database_url)) as root:
        [after] = root.ledger.record(ADMIN, _unit("after-the-backup"))
        assert after.position > position
        source = root.ledger.read_log(0, 100_000)
    assert (source[position - 1].position, source[position - 1].hash) == (position, hash_)

    with _restored_url(database_url, tmp_path) as target:
        monkeypatch.setenv("LEDGER_DATABASE_URL", target)
        assert main(["restore", str(backup)]) == 0
        assert f"position {position} hash {hash_}" in capsys.readouterr().out
        assert main(["verify", "--checkpoint", str(held)]) == 0
        verified = capsys.readouterr().out
        assert verified.startswith(f"ok: {position} events, head {position} {hash_}")
        assert "checkpoints hold" in verified and not verified.startswith("ok: 0")

        with Root(Config.from_env(database_url=target)) as restored:
            log = restored.ledger.read_log(0, 100_000)
            assert [(e.position, e.event_id, e.hash) for e in log] == [
                (e.position, e.event_id, e.hash) for e in source[:position]]
            assert restored.ledger.authenticate(token) is not None
            [retried] = restored.ledger.record(ADMIN, _unit("keyed"), "key-1")
            assert (retried.position, retried.hash) == (keyed.position, keyed.hash)
            [next_one] = restored.ledger.record(ADMIN, _unit("after-the-restore"))
            assert next_one.position == position + 1
            restored.runner().catch_up()
            assert restored.views.unit("after-the-restore") is not None
        assert main(["verify"]) == 0


def test_restore_refuses_a_database_that_is_not_empty(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Root(Config.from_env(database_url=database_url)) as root:
        root.ledger.record(ADMIN, _unit("v1"))
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    backup = tmp_path / "ledger.backup"
    assert main(["backup", str(backup)]) == 0
    with Root(Config.from_env(database_url=database_url)) as root:
        root.ledger.record(ADMIN, _unit("v2"))
        head = root.ledger.head()
    capsys.readouterr()
    assert main(["restore", str(backup)]) == 1
    assert "not empty" in capsys.readouterr().err
    with Root(Config.from_env(database_url=database_url)) as root:
        assert root.ledger.head() == head


def test_restore_refuses_what_is_not_a_backup_of_its_backend(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = b"PGDMP" if database_url.startswith("sqlite") else b"SQLite format 3\x00"
    for name, content in (("other-backend", other + b"\x00" * 64), ("text", b"hello")):
        wrong = tmp_path / name
        wrong.write_bytes(content)
        monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
        assert main(["restore", str(wrong)]) == 1
        assert "is not a" in capsys.readouterr().err
    with Root(Config.from_env(database_url=database_url)) as root:
        assert root.ledger.head() is None
