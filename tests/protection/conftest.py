"""Fixtures for the protection tests: a served app on SQLite where storage does not matter."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from service.app import create_app
from service.config import Config
from service.root import Root


@pytest.fixture
def sqlite_root(tmp_path: Path) -> Iterator[Root]:
    with Root(Config(database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
                     master_key_file=str(tmp_path / "master.key"))) as root:
        yield root


@pytest.fixture
def sqlite_app(sqlite_root: Root) -> Flask:
    return create_app(root=sqlite_root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})
