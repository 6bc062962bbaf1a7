"""`ledger token create --expires`, `token list` and `token revoke` from the shell."""
from __future__ import annotations

import pytest

from ledger.application import Ledger
from ledger.identity import token_digest
from service.cli import main


def test_create_list_and_revoke_from_the_command_line(
    ledger: Ledger, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["token", "create", "--actor", "ins-1", "--role", "inspector",
                 "--expires", "2031-01-31T18:00:00+08:00"]) == 0
    inspector = capsys.readouterr().out.splitlines()[-1]
    assert main(["token", "create", "--actor", "cad-1", "--role", "cadre",
                 "--unit", "u-9"]) == 0
    cadre = capsys.readouterr().out.splitlines()[-1]

    assert main(["token", "revoke", token_digest(cadre)[:12]]) == 0
    assert "revoked token" in capsys.readouterr().out
    assert main(["token", "list"]) == 0
    listed = capsys.readouterr().out
    rows = [line.split() for line in listed.splitlines()[1:]]
    assert [r[0] for r in rows] == [token_digest(inspector)[:12], token_digest(cadre)[:12]]
    assert rows[0][1:4] == ["ins-1", "inspector", "-"]
    assert rows[0][5:] == ["2031-01-31T18:00:00+08:00", "active"]
    assert rows[1][1:4] == ["cad-1", "cadre", "u-9"]
    assert rows[1][5:] == ["-", "revoked"]
    assert inspector not in listed and cadre not in listed
    assert ledger.authenticate(cadre) is None
    assert ledger.authenticate(inspector) is not None

    assert main(["token", "revoke", inspector, "--reason", "rotated"]) == 0
    assert ledger.authenticate(inspector) is None
    assert main(["token", "revoke", inspector]) == 1  # already revoked
    assert "invalid_transition" in capsys.readouterr().err


@pytest.mark.parametrize("expires", ["2031-01-31T18:00:00", "next tuesday"])
def test_an_expiry_without_offset_is_refused_before_anything_is_recorded(
    ledger: Ledger, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], expires: str,
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    with pytest.raises(SystemExit) as stopped:
        main(["token", "create", "--actor", "ins-1", "--role", "inspector",
              "--expires", expires])
    assert stopped.value.code == 2
    assert "--expires" in capsys.readouterr().err
    assert ledger.read_log(0, 10) == []


def test_a_replicate_token_from_the_command_line_reads_the_log_sealed(
    ledger: Ledger, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["token", "create", "--actor", "replica", "--role", "admin",
                 "--scope", "replicate"]) == 0
    token = capsys.readouterr().out.splitlines()[-1]
    actor = ledger.authenticate(token)
    assert actor is not None and actor.scopes == ("replicate",)
    assert main(["token", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[2] == "admin+replicate"
    with pytest.raises(SystemExit):
        main(["token", "create", "--actor", "x", "--role", "admin", "--scope", "everything"])
    assert len(ledger.read_log(0, 10)) == 1
