"""Reads are limited per token (LEDGER_READ_LIMIT) and so are reads waiting for their
min_position (LEDGER_READ_WAITS, 4 at once by default): more get 429 with Retry-After."""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask

from api.limits import DEFAULT_READ_LIMIT, DEFAULT_READ_WAITS
from ledger.identity import token_digest
from service.app import create_app
from service.config import Config
from service.root import Root
from tests.tokens.test_rate_limits import assert_rate_limited, bearer, unit

FAR = 999_999_999_999


def _app(root: Root, **settings: Any) -> Flask:
    return create_app(root=root, settings={"TESTING": True, **settings})


def test_the_defaults_let_6000_reads_a_minute_through_and_4_waits() -> None:
    config = Config.from_env({})
    assert config.read_waits == DEFAULT_READ_WAITS == 4
    amount, per = DEFAULT_READ_LIMIT.split("/")
    assert per == "minute" and int(amount) >= 6000
    assert Config.from_env({"LEDGER_READ_LIMIT": "7/second"}).flask_settings()[
        "READ_LIMIT"] == "7/second"


def test_reads_past_the_limit_get_429_per_token_and_writes_do_not_count(
        sqlite_root: Root) -> None:
    app = _app(sqlite_root, READ_LIMIT="5/minute")
    http = app.test_client()
    admin = sqlite_root.ledger.create_token("adm-1", "admin")
    other = sqlite_root.ledger.create_token("jiwei-1", "discipline")
    for n in range(8):  # writes are counted by the write limit only
        assert http.post("/api/v1/events", json=unit(n), headers=bearer(admin)).status_code == 201
    for _ in range(5):
        assert http.get("/api/v1/views/position", headers=bearer(admin)).status_code == 200
    assert_rate_limited(http.get("/api/v1/units/t1", headers=bearer(admin)))
    assert http.get("/api/v1/views/position", headers=bearer(other)).status_code == 200
    assert http.post("/api/v1/events", json=unit(9), headers=bearer(admin)).status_code == 201


def test_a_fifth_wait_of_one_token_gets_429_at_once_while_four_wait(sqlite_root: Root) -> None:
    app = _app(sqlite_root, READ_WAIT_SECONDS=3.0)
    viewer = sqlite_root.ledger.create_token("viewer-1", "discipline")
    other = sqlite_root.ledger.create_token("viewer-2", "discipline")
    waits = app.extensions["read_waits"]
    answers: list[int] = []

    def wait() -> None:
        answer = app.test_client().get(f"/api/v1/views/position?min_position={FAR}",
                                       headers=bearer(viewer))
        answers.append(answer.status_code)

    threads = [threading.Thread(target=wait) for _ in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    key = token_digest(viewer)
    while waits.held(key) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert waits.held(key) == 4
    http = app.test_client()
    started = time.monotonic()
    fifth = http.get(f"/api/v1/views/position?min_position={FAR}", headers=bearer(viewer))
    assert time.monotonic() - started < 1.0  # refused at once, not after a wait
    assert_rate_limited(fifth)
    assert "4" in fifth.get_json()["error"]["message"]
    # A read that needs no wait, and another token's wait, are not held back.
    assert http.get("/api/v1/views/position?min_position=0",
                    headers=bearer(viewer)).status_code == 200
    assert http.get(f"/api/v1/views/position?min_position={FAR}", headers=bearer(other),
                    ).status_code in (503,)
    for thread in threads:
        thread.join(10)
    assert answers == [503] * 4
    assert waits.held(key) == 0  # every slot given back
