"""Requests generated from the OpenAPI document (schemathesis) against a small demo county,
through the WSGI app in this process: no answer is a server error, every answer is as the
document says, requests the document calls valid are accepted and invalid ones refused.

Bounded and repeatable: per operation, 30 valid and 30 invalid examples, derandomized (seed
1 for schemathesis' own choices); once with an admin token and once with a viewer's."""
from __future__ import annotations

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
        app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.05})
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
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    document.hook("map_body")(_in_the_past)
    schemathesis.checks.load_all_checks()
    checks = schemathesis.checks.CHECKS.get_by_names(CHECKS)
    findings = Findings()
    for result in document.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            try:
                _examples(operation, mode, token, checks, findings)
            except Unsatisfiable:
                if mode is not NEGATIVE:
                    raise  # only an operation without inputs has no invalid request
    return findings


def _examples(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode,
              token: str, checks: list[Any], findings: Findings) -> None:
    """The bounded examples of one operation in one mode; each failure is noted, not raised,
    so that every example runs."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @BOUNDED
    def run(case: schemathesis.Case) -> None:
        findings.requests += 1
        curl = case.as_curl_command()
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)
        except FailureGroup as group:
            findings.add(operation.label, list(group.exceptions), group_status(group), curl)
        except Failure as failure:
            findings.add(operation.label, [failure], getattr(failure, "status_code", 0), curl)
        except Exception as error:  # noqa: BLE001 - served, it would be a 500
            raised = Failure(operation=operation.label, title="Server error (raised)",
                             message=repr(error))
            findings.add(operation.label, [raised], 500, curl)

    run()


def group_status(group: FailureGroup) -> int:
    return next((getattr(f, "status_code", 0) for f in group.exceptions), 0)


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_generated_requests_get_answers_as_documented(county: County, role: str) -> None:
    findings = fuzz(county.app, county.tokens[role])
    assert findings.requests >= EXAMPLES * 20, findings.requests
    assert not findings.seen, findings.report()
