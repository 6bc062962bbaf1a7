"""Requests generated from the OpenAPI document of a served ledger (`ledger serve` in its own
process, over real HTTP), with the token of every role: no answer is a server error, every
answer is as the document says, and a refused request (any 4xx or 5xx) adds nothing to the log.

Bounded and repeatable: per operation and mode (valid, invalid requests) a few derandomized
examples (seed 1), each generated once and sent with every role's token: about 1,200 requests
in all. It runs on SQLite, the embedded default `ledger serve` is for: what it checks is the
HTTP layer and the refusal path, the same code on both backends (the HTTP tests, which check
every answer against the document too, run on PostgreSQL as well)."""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
import urllib.error
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import Failure, FailureGroup

from ledger.tamper.signing import write_key_pair
from service.app import create_app
from service.config import Config
from service.demo import write_county
from service.root import Root
from tests.e2e.conformance import Document, document_of
from tests.e2e.test_openapi_fuzz import CHECKS, Findings, _explained, _in_the_past
from tests.service.test_serve import _free_port, _get

EXAMPLES, SEED = 6, 1
ROLES = ("admin", "inspector", "cadre", "discipline", "viewer")
CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
    "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}},
})
BOUNDED = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                   phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))
NEGATIVE = schemathesis.GenerationMode.NEGATIVE
TIMES: dict = {}
MODES = (schemathesis.GenerationMode.POSITIVE, NEGATIVE)


@dataclass
class Served:
    base: str
    tokens: dict[str, str]
    database: Path
    app: Flask  # the same code, not served: its URL map tells which operation a request hit


def _log_size(database: Path) -> tuple[int, int]:
    """(events, chain rows), read from the served database's file as another reader; without
    the flags the server's follower records on its own time (service/late_entries.py), which
    can land while any request is answered."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT (SELECT COUNT(*) FROM stored_events WHERE topic NOT LIKE ?), "
            "(SELECT COUNT(*) FROM ledger_chain c JOIN stored_events e ON e.rowid = c.position "
            "WHERE e.topic NOT LIKE ?)", (FLAG_TOPICS, FLAG_TOPICS)).fetchone()
    return int(row[0]), int(row[1])


FLAG_TOPICS = "ledger.domain.flags:%"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A signed demo county with a token per role, served by `ledger serve`."""
    folder = tmp_path_factory.mktemp("served-fuzz")
    write_key_pair(folder / "signing.pem", folder / "signing.pub")
    database = folder / "ledger.db"
    config = Config(database_url=f"sqlite:///{database}",
                    signing_key_file=str(folder / "signing.pem"))
    with Root(config) as root:
        write_county(root.ledger, households=20, months=2, seed=SEED)
        village = next(e.data["village_id"] for e in root.ledger.read_log(0, 10_000)
                       if e.type == "HouseholdRegistered")
        units = {"cadre": village, "viewer": "county"}
        tokens = {role: root.ledger.create_token(f"fuzz-{role}", role, units.get(role))
                  for role in ROLES}
    env = {**os.environ, "LEDGER_DATABASE_URL": config.database_url,
           "LEDGER_SIGNING_KEY_FILE": str(folder / "signing.pem"),
           "LEDGER_CHECKPOINT_INTERVAL": "0", "LEDGER_READ_WAIT_SECONDS": "0.05",
           # ignored_auth sends requests without a token on purpose: let them all be answered
           "LEDGER_AUTH_FAILURE_LIMIT": "1000000/minute"}
    port = _free_port()
    # Its log goes to a file: a pipe nobody reads fills up and stalls the server.
    output = open(folder / "serve.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
                              env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(f"{base}/healthz")
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                server.wait(timeout=10)
                output.close()
                pytest.fail(f"ledger serve did not come up: {(folder / 'serve.log').read_text()}")
            time.sleep(0.2)
    local = Root(Config(database_url=f"sqlite:///{folder / 'unserved.db'}"))
    try:
        yield Served(base, tokens, database, create_app(root=local))
    finally:
        server.terminate()
        server.wait(timeout=10)
        output.close()
        local.close()


@dataclass
class Run:
    findings: Findings
    operations: set[str]
    refused: Counter[str]


def fuzz(served: Served) -> Run:
    """Every operation of the served document, valid and invalid requests, each sent with
    every role's token (generated once, sent five times: generating is the costly part)."""
    schema = schemathesis.openapi.from_url(f"{served.base}/api/v1/openapi.json", config=CONFIG)
    schema.hook("map_body")(_in_the_past)
    document = document_of(served.app)
    schemathesis.checks.load_all_checks()
    checks = schemathesis.checks.CHECKS.get_by_names(CHECKS)
    run = Run(Findings(), set(), Counter())
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            try:
                _examples(operation, mode, checks, run, document, served)
            except Unsatisfiable:
                if mode is not NEGATIVE:
                    raise  # only an operation without inputs has no invalid request
    return run


def _examples(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode,
              checks: list[Any], run: Run, document: Document, served: Served) -> None:
    """The bounded examples of one operation in one mode; each failure is noted, not raised,
    so that every example runs."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @BOUNDED
    def example(case: schemathesis.Case) -> None:
        run.operations.add(operation.label)
        for role, token in served.tokens.items():
            _send(case, operation.label, role, token, checks, run, document, served)

    random.seed(SEED)  # schemathesis draws from the global generator too
    example()


def _send(case: schemathesis.Case, label: str, role: str, token: str, checks: list[Any],
          run: Run, document: Document, served: Served) -> None:
    findings = run.findings
    findings.requests += 1
    where = f"{label} as {role}"
    headers = {"Authorization": f"Bearer {token}"}
    before = _log_size(served.database)
    response = case.call(base_url=served.base, headers=headers)
    sent = f"{case.as_curl_command()}\n    answer: {response.content[:300]!r}"
    if response.status_code >= 400:
        run.refused[role] += 1
        after = _log_size(served.database)
        if after != before:
            grew = Failure(operation=label, title="Refused, yet recorded",
                           message=f"log (events, chain rows) {before} -> {after}")
            findings.add(where, [grew], response.status_code, sent)
    try:
        case.validate_response(response, checks=checks, headers=headers)
    except FailureGroup as group:
        failures = [f for f in group.exceptions
                    if not _explained(f, response, document, served.app)]
        findings.add(where, failures, response.status_code, sent)
    except Failure as failure:
        if not _explained(failure, response, document, served.app):
            findings.add(where, [failure], response.status_code, sent)


def test_served_ledger_answers_generated_requests_as_documented(served: Served) -> None:
    run = fuzz(served)
    document = document_of(served.app).body
    every = {f"{method.upper()} {path}" for path, methods in document["paths"].items()
             for method in methods if method in ("get", "post", "put", "patch", "delete")}
    assert run.operations == every
    assert run.findings.requests >= len(every) * len(ROLES) * EXAMPLES
    assert set(run.refused) == set(ROLES)  # every role sent invalid requests, refused
    assert not run.findings.seen, run.findings.report()
