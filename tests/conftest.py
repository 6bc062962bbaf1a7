"""Fixtures shared by the integration and end-to-end tests: one ledger per test, per backend."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from ledger.application import Ledger
from service.config import Config
from service.root import Root
from tests.backends import BACKENDS, fresh_database_url

# Long property runs by hand: pytest --hypothesis-profile=long (CI keeps each test's few).
settings.register_profile("long", max_examples=300, deadline=None)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL; the test runs once on SQLite and once on PostgreSQL."""
    with fresh_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def root(database_url: str) -> Iterator[Root]:
    """The service's parts on this test's database, built by the composition root.

    Settings other than the database come from the environment as the test has set it when
    the root is first asked for a part (a signing key fixture sets LEDGER_SIGNING_KEY_FILE)."""
    built = Root(Config.from_env(database_url=database_url))
    yield built
    built.close()


@pytest.fixture
def ledger(root: Root) -> Ledger:
    return root.ledger
