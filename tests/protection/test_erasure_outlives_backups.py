"""An erasure reaches what the database alone does not hold: a backup taken before it and
restored with the same master key does not bring the subject back (the erasure journal beside
the master key); and on PostgreSQL the service role cannot destroy a key without a recorded
erasure, nor delete or change one at all."""
from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from ledger.application import Command
from ledger.identity import Actor
from ledger.recorders.keys import ERASE_FUNCTION, KEYS_TABLE
from service.cli import main
from service.config import Config
from service.root import Root
from tests.integration.test_append_only import Roles, roles  # noqa: F401 - a fixture
from tests.integration.test_backup_restore import _restored_url

ADMIN, DISCIPLINE = Actor("county-admin", "admin"), Actor("jiwei-zhao", "discipline")
HEAD = "王小明"


def _register(root: Root) -> None:
    root.ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "V1", "kind": "village"}),
        Command("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                        "head_name": HEAD, "size": 4,
                                        "category": "registered_poor"})])


def _erase(root: Root) -> int:
    [erased] = root.ledger.record(DISCIPLINE, [Command("PersonalDataErased", {
        "subject_type": "household", "subject_id": "h1", "basis": "PIPL art. 47"})])
    return erased.position


def _head_name(root: Root) -> object:
    [registered] = [e for e in root.ledger.read_log(0, 100)
                    if e.type == "HouseholdRegistered" and e.data["household_id"] == "h1"]
    return registered.data["head_name"]


def test_a_backup_older_than_an_erasure_restores_the_subject_erased(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    master = tmp_path / "master.key"
    monkeypatch.setenv("LEDGER_MASTER_KEY_FILE", str(master))
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    with Root(Config.from_env()) as root:
        _register(root)
    backup = tmp_path / "before-the-erasure.backup"
    assert main(["backup", str(backup)]) == 0
    with Root(Config.from_env()) as root:
        position = _erase(root)
        assert _head_name(root) is None
    journal = Path(f"{master}.erasures")  # beside the master key, outside every backup
    [line] = journal.read_text().splitlines()
    assert (json.loads(line)["subject"], json.loads(line)["position"]) == ("household:h1",
                                                                          position)
    assert journal.stat().st_mode & 0o777 == 0o600

    with _restored_url(database_url, tmp_path) as target:
        monkeypatch.setenv("LEDGER_DATABASE_URL", target)
        capsys.readouterr()
        assert main(["restore", str(backup)]) == 0
        assert "1 key(s) erased again" in capsys.readouterr().out
        with Root(Config.from_env()) as restored:
            assert _head_name(restored) is None  # the backup's key is gone too
            key = restored.ledger.keys._table.wrapped(["household:h1"])  # type: ignore[union-attr]
            assert key == {"household:h1": None}


def test_a_journaled_subject_reads_as_erased_even_where_its_key_survived(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restore by other means (the backup file copied in place) serves no erased name:
    reads ask the journal."""
    master = str(tmp_path / "m.key")
    monkeypatch.setenv("LEDGER_MASTER_KEY_FILE", master)
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path / 'l.db'}")
    with Root(Config.from_env()) as root:
        _register(root)
    assert main(["backup", str(tmp_path / "copied.db")]) == 0
    with Root(Config.from_env()) as root:
        _erase(root)
    config = Config(database_url=f"sqlite:///{tmp_path / 'copied.db'}", master_key_file=master)
    with Root(config) as root:
        assert root.ledger.keys._table.wrapped(["household:h1"])[  # type: ignore[union-attr]
            "household:h1"] is not None
        assert _head_name(root) is None
    other = Config(database_url=f"sqlite:///{tmp_path / 'other.db'}",
                   master_key_file=str(tmp_path / "m.key"))
    with Root(other) as root:  # another ledger under the same master key is not touched
        _register(root)
        assert _head_name(root) == HEAD


def test_the_service_role_reads_and_adds_keys_and_destroys_one_only_for_a_recorded_erasure(
        roles: Roles) -> None:  # noqa: F811
    config = Config(database_url=roles.service_url)  # the master key setup-roles used
    with Root(config) as root:
        _register(root)
        root.ledger.record(ADMIN, [Command("HouseholdRegistered", {
            "household_id": "h2", "village_id": "v1", "head_name": "李四", "size": 2,
            "category": "registered_poor"})])
    with psycopg.connect(roles.service_url, autocommit=True) as conn:
        for statement in (f"DELETE FROM {KEYS_TABLE}",
                          f"UPDATE {KEYS_TABLE} SET wrapped = NULL",
                          f"TRUNCATE {KEYS_TABLE}", f"DROP TABLE {KEYS_TABLE}"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        # The owner's function refuses a key without its recorded erasure.
        with pytest.raises(errors.InsufficientPrivilege, match="no recorded erasure"):
            conn.execute(f"SELECT {ERASE_FUNCTION}('household:h2', 2)")
    with Root(config) as root:
        position = _erase(root)  # through the function, as the service role
        assert _head_name(root) is None
    with psycopg.connect(roles.owner_url) as conn:
        kept = dict(conn.execute(f"SELECT subject, wrapped IS NOT NULL FROM {KEYS_TABLE} "
                                 "WHERE subject LIKE 'household:%'").fetchall())
    assert kept == {"household:h1": False, "household:h2": True}
    with psycopg.connect(roles.service_url, autocommit=True) as conn:
        # The erasure of h1 at its position does not reach h2.
        with pytest.raises(errors.InsufficientPrivilege, match="no recorded erasure"):
            conn.execute(f"SELECT {ERASE_FUNCTION}('household:h2', {position})")
