"""The county fixture: one per backend for each module that asks for it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.tamper.signing import write_key_pair
from service.app import create_app
from service.config import Config
from service.root import Root
from tests.backends import BACKENDS, fresh_database_url
from tests.guards.county import County, build_county


@pytest.fixture(scope="module", params=BACKENDS)
def county(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    """One county per backend for the whole module; tests only add to it."""
    folder = tmp_path_factory.mktemp(f"county-{request.param}")
    key = folder / "signing.pem"
    write_key_pair(key, folder / "signing.pem.pub")
    with fresh_database_url(request.param, folder) as url:
        root = Root(Config(database_url=url, signing_key_file=str(key)))
        try:
            yield build_county(create_app(root=root, settings={"TESTING": True}), root)
        finally:
            root.close()
