"""Fixtures shared by the integration and end-to-end tests: one ledger per test, per backend."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.storage import persistence_env
from tests.backends import BACKENDS, fresh_database_url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL; the test runs once on SQLite and once on PostgreSQL."""
    with fresh_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    app = Ledger(env=persistence_env(database_url))
    yield app
    app.close()
