"""Fixtures for evidence packs: a ledger with views, and a temporary Ed25519 key pair."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.checkpoints import Checkpoints, signer_from_env, write_key_pair
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
def world(ledger: Ledger) -> Iterator[World]:
    built = make_world(ledger)
    yield built
    built.store.close()


@pytest.fixture
def checkpoints(ledger: Ledger, key_file: Path) -> Checkpoints:
    return Checkpoints(ledger.recorder, signer_from_env(str(key_file)))

