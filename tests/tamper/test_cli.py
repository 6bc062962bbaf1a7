"""`ledger keygen`, `checkpoint`, `verify --checkpoint`, `export` and `import` from the shell."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.application import Ledger
from service.cli import main
from tests.backends import fresh_database_url
from tests.tamper.conftest import Database, record_units


def test_a_checkpoint_kept_outside_catches_a_cut_log_from_the_command_line(
    ledger: Ledger, db: Database, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.delenv("LEDGER_SIGNING_KEY_FILE", raising=False)
    record_units(ledger, 8)
    assert main(["checkpoint"]) == 1
    assert "checkpoints_disabled" in capsys.readouterr().err
    key = tmp_path / "ledger.pem"
    assert main(["keygen", str(key)]) == 0
    assert main(["keygen", str(key)]) == 2  # never overwrites a key
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(key))
    held = tmp_path / "held.json"
    assert main(["checkpoint", "--out", str(held)]) == 0
    assert json.loads(held.read_text())["position"] == 8
    capsys.readouterr()
    assert main(["verify"]) == 0
    assert "ok: 8 events" in capsys.readouterr().out

    db.run(f"DELETE FROM {db.events} WHERE {db.position} > 6")
    db.run("DELETE FROM ledger_chain WHERE position > 6")
    db.run("DELETE FROM ledger_checkpoints")
    monkeypatch.delenv("LEDGER_SIGNING_KEY_FILE")
    assert main(["verify"]) == 0  # alone, a shorter chain looks fine
    capsys.readouterr()
    assert main(["verify", "--checkpoint", str(held), "--public-key", f"{key}.pub"]) == 1
    assert "BROKEN at position 7" in capsys.readouterr().out


def test_export_then_import_from_the_command_line(
    ledger: Ledger, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    record_units(ledger, 5)
    dump = tmp_path / "log.jsonl"
    assert main(["export", str(dump)]) == 0
    assert len(dump.read_text().splitlines()) == 5
    assert main(["import", str(dump)]) == 1  # this ledger is not empty
    assert "ledger_not_empty" in capsys.readouterr().err
    assert len(ledger.read_log(0, 100)) == 5
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    (tmp_path / "empty").mkdir()
    with fresh_database_url(backend, tmp_path / "empty") as empty:
        monkeypatch.setenv("LEDGER_DATABASE_URL", empty)
        assert main(["import", str(dump)]) == 0
        assert "imported 5 events" in capsys.readouterr().out
        assert main(["verify"]) == 0
        assert f"head 5 {ledger.head()[1]}" in capsys.readouterr().out  # type: ignore[index]
