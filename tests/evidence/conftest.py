"""Fixtures for evidence packs: a ledger with views, and a temporary Ed25519 key pair."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.signing import write_key_pair
from service.config import Config
from service.root import Root
from tests.projections.conftest import World, make_world


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "signing.pem"
    write_key_pair(path, tmp_path / "signing.pem.pub")
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(path))
    return path


@pytest.fixture
def public_key_file(key_file: Path) -> Path:
    return Path(f"{key_file}.pub")


@pytest.fixture
def root(database_url: str, key_file: Path) -> Iterator[Root]:
    """The parts on this test's database, signing with the temporary key."""
    built = Root(Config(database_url=database_url, signing_key_file=str(key_file)))
    yield built
    built.close()


@pytest.fixture
def world(root: Root) -> World:
    return make_world(root)


@pytest.fixture
def checkpoints(root: Root) -> Checkpoints:
    return root.checkpoints

