"""Fixtures for the protection tests: a served app on SQLite where storage does not matter."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app
from service.config import Config
from service.root import Root
from tests.console.conftest import csrf_of


@pytest.fixture
def sqlite_root(tmp_path: Path) -> Iterator[Root]:
    with Root(Config(database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
                     master_key_file=str(tmp_path / "master.key"))) as root:
        yield root


@pytest.fixture
def sqlite_app(sqlite_root: Root) -> Flask:
    return create_app(root=sqlite_root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})


def signed_in(app: Flask, token: str) -> FlaskClient:
    """A console client signed in with `token` through the sign-in form."""
    client = app.test_client()
    csrf = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"token": token, "csrf_token": csrf})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client
