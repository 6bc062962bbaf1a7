"""`ledger serve`: one process, a production WSGI server, the views kept current."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str | None = None) -> urllib.request.addinfourl:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    return urllib.request.urlopen(request, timeout=5)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], subprocess.Popen]]:
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}
    env.pop("LEDGER_SIGNING_KEY_FILE", None)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(f"{base}/healthz")
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"ledger serve did not come up: {server.communicate()[0]}")
            time.sleep(0.2)
    try:
        yield base, env, server
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_answers_through_waitress_and_keeps_the_views_current(
    served: tuple[str, dict[str, str], subprocess.Popen],
) -> None:
    base, env, server = served
    made = subprocess.run(
        [sys.executable, "-m", "service.cli", "token", "create", "--actor", "a1",
         "--role", "admin"], env=env, capture_output=True, text=True, check=True)
    token = made.stdout.strip().splitlines()[-1]
    health = _get(f"{base}/healthz")
    assert health.headers["Server"] == "supervision-ledger"  # waitress, not Werkzeug's
    body = json.dumps({"type": "UnitRegistered",
                       "data": {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}})
    request = urllib.request.Request(
        f"{base}/api/v1/events", data=body.encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    position = json.load(urllib.request.urlopen(request, timeout=5))["position"]
    board = json.load(_get(f"{base}/api/v1/units/v1?min_position={position}", token))
    assert board["unit_id"] == "v1"
    server.terminate()
    output = server.communicate(timeout=10)[0]
    assert "development server" not in output
    assert "ledger on sqlite:///" in output
