"""An HTTP client over a fresh app per test, with tokens and small helpers; every answer it
receives is checked against the OpenAPI document (tests/e2e/conformance.py)."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.app import create_app
from service.config import Config
from tests.e2e.conformance import conforming

EVENTS = "/api/v1/events"


@dataclass
class HttpLedger:
    """The app under test with a few helpers; tokens are made through the ledger itself."""

    app: Flask
    client: FlaskClient = field(init=False)
    reader: str = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()
        # Made once, so that reading the log never adds a TokenIssued to it.
        self.reader = self.token("log-reader", "discipline")

    def token(self, actor: str, role: str, unit: str | None = None) -> str:
        return self.app.extensions["ledger"].create_token(actor, role, unit)

    def post(
        self,
        token: str | None,
        body: Any,
        headers: dict[str, str] | None = None,
        path: str = EVENTS,
    ) -> TestResponse:
        """POST `body` as JSON (or as-is when it is bytes/str, to send broken bodies)."""
        all_headers = {"Content-Type": "application/json"}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.client.post(path, data=raw, headers=all_headers)

    def batch(
        self, token: str, events: list[dict], headers: dict[str, str] | None = None
    ) -> TestResponse:
        return self.post(token, {"events": events}, headers, path=EVENTS + "/batch")

    def log(self) -> list[dict]:
        """Every event of the global log (at most 1000), read over HTTP."""
        answer = self.client.get(
            EVENTS + "?limit=1000", headers={"Authorization": f"Bearer {self.reader}"}
        )
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["events"]


@pytest.fixture
def make_http(database_url: str) -> Iterator[Callable[..., HttpLedger]]:
    """Build an app on this test's database, optionally with extra Flask config."""
    made: list[HttpLedger] = []

    def make(**settings: Any) -> HttpLedger:
        app = conforming(create_app(Config.from_env(database_url=database_url),
                                    settings={"TESTING": True, **settings}))
        made.append(HttpLedger(app))
        return made[-1]

    yield make
    for http in made:
        http.app.extensions["root"].close()


@pytest.fixture
def http(make_http: Callable[..., HttpLedger]) -> HttpLedger:
    return make_http()
