"""Requests generated from the OpenAPI document (schemathesis) against a small demo county,
through the WSGI app in this process: no answer is a server error, every answer is as the
document says, requests the document calls valid are accepted and invalid ones refused.

Bounded and repeatable: per operation, 30 valid and 30 invalid examples, derandomized (seed
1 for schemathesis' own choices); once with an admin token and once with a viewer's."""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from tests.backends import fresh_database_url
from tests.e2e.conformance import Document, document_of

EXAMPLES, SEED = 30, 1
CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
    # 503 is documented: a read whose min_position the views have not reached.
    "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}},
})
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance",
          "positive_data_acceptance", "negative_data_rejection", "ignored_auth")
BOUNDED = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                   phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))
NEGATIVE = schemathesis.GenerationMode.NEGATIVE
MODES = (schemathesis.GenerationMode.POSITIVE, NEGATIVE)


@dataclass
class County:
    app: Flask
    tokens: dict[str, str]


@dataclass
class Findings:
    """Distinct failures (operation, kind, status), each counted once however often seen."""

    seen: dict[tuple[str, str, int], str] = field(default_factory=dict)
    requests: int = 0

    def add(self, operation: str, failures: list[Failure], status: int, request: str) -> None:
        for failure in failures:
            self.seen.setdefault((operation, failure.title, status),
                                 f"{failure.message}\n    {request}")

    def by_kind(self) -> Counter[str]:
        return Counter(kind for _, kind, _ in self.seen)

    def report(self) -> str:
        lines = [f"{dict(self.by_kind())} in {self.requests} requests"]
        for (operation, kind, status), example in sorted(self.seen.items()):
            lines.append(f"{operation}: {kind} ({status}): {example}")
        return "\n".join(lines)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    """A signed demo county of 40 households over three months, its views caught up."""
    folder = tmp_path_factory.mktemp("fuzz")
    write_key_pair(folder / "signing.pem", folder / "signing.pub")
    with fresh_database_url("sqlite", folder) as url:
        root = Root(Config.from_env(database_url=url,
                                    signing_key_file=str(folder / "signing.pem")))
        write_county(root.ledger, households=40, months=3, seed=SEED)
        root.runner().catch_up()
        tokens = {"admin": root.ledger.create_token("fuzz-admin", "admin"),
                  "viewer": root.ledger.create_token("fuzz-viewer", "viewer", "county")}
        # The `ignored_auth` check sends bad credentials to every operation, more than the
        # per-address failure limit allows in a minute; that limit has its own tests.
        app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.05,
                                              "AUTH_FAILURE_LIMIT": "100000/minute"})
        yield County(app, tokens)
        root.close()


def _in_the_past(context: schemathesis.HookContext, body: Any) -> Any:
    """`occurred_at` may not lie in the future, a rule no JSON Schema can state (its bound is
    the clock); the document says it in words, and generated bodies keep to the past."""
    events = body.get("events") if isinstance(body, dict) else None
    for event in events if isinstance(events, list) else [body]:
        stamp = event.get("occurred_at") if isinstance(event, dict) else None
        if isinstance(stamp, str) and _future(stamp):
            event["occurred_at"] = "2020-06-01T10:00:00+08:00"
    return body


def _future(stamp: str) -> bool:
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment.tzinfo is not None and moment > datetime.now(UTC) + timedelta(hours=1)


def fuzz(app: Flask, token: str) -> Findings:
    """Every operation of the app's document, valid and invalid requests, every check."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    schema.hook("map_body")(_in_the_past)
    document = document_of(app)
    schemathesis.checks.load_all_checks()
    checks = schemathesis.checks.CHECKS.get_by_names(CHECKS)
    findings = Findings()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            try:
                _examples(operation, mode, token, checks, findings, document, app)
            except Unsatisfiable:
                if mode is not NEGATIVE:
                    raise  # only an operation without inputs has no invalid request
    return findings


def _examples(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode,
              token: str, checks: list[Any], findings: Findings, document: Document,
              app: Flask) -> None:
    """The bounded examples of one operation in one mode; each failure is noted, not raised,
    so that every example runs."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @BOUNDED
    def run(case: schemathesis.Case) -> None:
        findings.requests += 1
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = case.call(headers=headers)
        except Exception as error:  # noqa: BLE001 - served, it would be a 500
            raised = Failure(operation=operation.label, title="Server error (raised)",
                             message=repr(error))
            findings.add(operation.label, [raised], 500, case.as_curl_command())
            return
        sent = f"{case.as_curl_command()}\n    answer: {response.content[:300]!r}"
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            failures = [f for f in group.exceptions if not _explained(f, response, document, app)]
            findings.add(operation.label, failures, response.status_code, sent)
        except Failure as failure:
            if not _explained(failure, response, document, app):
                findings.add(operation.label, [failure], response.status_code, sent)

    random.seed(SEED)  # schemathesis draws from the global generator too
    run()


def _explained(failure: Failure, response: schemathesis.Response, document: Document,
               app: Flask) -> bool:
    """Whether a failure is the generator's, not the service's:

    - a valid write refused by a rule on what the ledger holds (a `village_id` naming a
      township an earlier generated write registered; an end before the recorded start): no
      request schema can state those, and the domain names the one `field` it refuses, where
      validation of the request names `fields`;
    - an invalid request accepted whose fault never reached the wire (an extra query value
      that serializes to nothing, a missing token this test adds back): what was sent is
      checked against the document with another validator (openapi-core)."""
    if failure.title == "Schema-valid request rejected" and response.status_code == 422:
        details = (response.json() or {}).get("error", {}).get("details", {})
        return "field" in details and "fields" not in details
    if failure.title == "Schema-violating request accepted":
        return document.accepts(app, response.request)
    return False


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_generated_requests_get_answers_as_documented(county: County, role: str) -> None:
    findings = fuzz(county.app, county.tokens[role])
    assert findings.requests >= EXAMPLES * 20, findings.requests
    assert not findings.seen, findings.report()
