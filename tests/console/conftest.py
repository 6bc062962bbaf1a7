"""The console through Flask's test client: a signed-in client per role, on both backends."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app
from service.config import Config

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class SignedIn:
    client: FlaskClient
    csrf: str

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, **kwargs)

    def post_form(self, path: str, data: dict[str, Any], csrf: bool = True, **kwargs: Any):
        body = {**data, "csrf_token": self.csrf} if csrf else data
        return self.client.post(path, data=body, **kwargs)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@pytest.fixture
def console_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    config = Config.from_env(database_url=database_url,
                             console_session_dir=str(tmp_path / "sessions"))
    app = create_app(config, settings={"TESTING": True})
    runner = app.extensions["root"].runner()  # the views follow the log, as in `ledger serve`
    runner.start()
    yield app
    runner.stop()
    app.extensions["root"].close()


@pytest.fixture
def sign_in(console_app: Flask) -> Callable[..., SignedIn]:
    """A client signed in with a new token of `role` (and `unit`)."""

    def make(actor: str, role: str, unit: str | None = None,
             base_url: str = "http://localhost") -> SignedIn:
        token = console_app.extensions["ledger"].create_token(actor, role, unit)
        client = console_app.test_client()
        csrf = csrf_of(client.get("/login", base_url=base_url).get_data(as_text=True))
        answer = client.post("/login", data={"token": token, "csrf_token": csrf},
                             base_url=base_url, headers={"Referer": f"{base_url}/login"})
        assert answer.status_code == 302, answer.get_data(as_text=True)
        forms = client.get("/forms", base_url=base_url).get_data(as_text=True)
        return SignedIn(client, csrf_of(forms))

    return make
