"""One JSON log line per request, with its request id (X-Request-Id in and out); a refusal
names its actor, role, event types and error code; no line holds a token or a personal field."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

import pytest

from api.observability import JsonFormatter
from tests.e2e.conftest import HttpLedger

HEAD_NAME = "Wang Xiuying"
VILLAGE = {"type": "UnitRegistered",
           "data": {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}}
HOUSEHOLD = {"type": "HouseholdRegistered",
             "data": {"household_id": "hh-1", "village_id": "v1", "head_name": HEAD_NAME,
                      "size": 3, "category": "edge"}}


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    """The request log as the service writes it: each record through the JSON formatter."""
    caplog.set_level(logging.INFO, logger="ledger.http")
    written: list[dict] = []

    class Formatted(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            written.append(json.loads(JsonFormatter().format(record)))

    handler = Formatted()
    logging.getLogger("ledger.http").addHandler(handler)
    yield written
    logging.getLogger("ledger.http").removeHandler(handler)


def test_the_request_id_comes_back_given_or_made(http: HttpLedger, lines: list[dict]) -> None:
    given = http.client.get("/healthz", headers={"X-Request-Id": "lb-7f3a:42"})
    made = http.client.get("/healthz")
    unfit = http.client.get("/healthz", headers={"X-Request-Id": "a space; and " + "x" * 200})
    assert given.headers["X-Request-Id"] == "lb-7f3a:42"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])
    assert re.fullmatch(r"[0-9a-f]{32}", unfit.headers["X-Request-Id"])
    assert [line["request_id"] for line in lines if line["route"] == "/healthz"] == [
        "lb-7f3a:42", made.headers["X-Request-Id"], unfit.headers["X-Request-Id"]]
    assert lines[0]["route"] == "/healthz" and lines[0]["status"] == 200


def test_a_refused_write_is_logged_with_actor_type_and_code_and_no_secret(
    http: HttpLedger, lines: list[dict]
) -> None:
    admin = http.token("county-admin", "admin")
    viewer = http.token("viewer-1", "viewer", "v1")
    assert http.post(admin, VILLAGE).status_code == 201
    before = len(http.log())
    forbidden = http.post(viewer, HOUSEHOLD, headers={"X-Request-Id": "req-forbidden"})
    duplicate = http.batch(admin, [HOUSEHOLD, HOUSEHOLD], headers={"X-Request-Id": "req-dup"})
    unknown = http.post("not-a-token", HOUSEHOLD, headers={"X-Request-Id": "req-401"})
    assert (forbidden.status_code, duplicate.status_code, unknown.status_code) == (403, 409, 401)
    assert len(http.log()) == before

    refusals = {line["request_id"]: line for line in lines if line["status"] >= 400}
    assert refusals["req-forbidden"] | {"duration_ms": 0, "time": ""} == {
        "time": "", "level": "warning", "logger": "ledger.http", "message": "refused",
        "request_id": "req-forbidden", "method": "POST", "route": "/api/v1/events",
        "status": 403, "duration_ms": 0, "actor": "viewer-1", "role": "viewer",
        "error_code": "forbidden", "event_types": ["HouseholdRegistered"]}
    assert (refusals["req-dup"]["actor"], refusals["req-dup"]["error_code"],
            refusals["req-dup"]["event_types"]) == (
        "county-admin", duplicate.get_json()["error"]["code"],
        ["HouseholdRegistered", "HouseholdRegistered"])
    assert (refusals["req-401"]["actor"], refusals["req-401"]["error_code"]) == (
        None, "unauthorized")
    text = json.dumps(lines)
    for secret in (admin, viewer, "not-a-token", HEAD_NAME):
        assert secret not in text


def test_a_body_over_the_limit_is_logged_as_413_without_being_read(
    make_http: Callable[..., HttpLedger], lines: list[dict]
) -> None:
    http = make_http(MAX_CONTENT_LENGTH=1000)
    admin = http.token("county-admin", "admin")
    big = {**VILLAGE, "data": {**VILLAGE["data"], "name": "x" * 5000}}
    answer = http.post(admin, big, headers={"X-Request-Id": "req-big"})
    assert answer.status_code == 413 and answer.get_json()["error"]["code"] == "too_large"
    [line] = [line for line in lines if line["request_id"] == "req-big"]
    assert (line["status"], line["error_code"], line["event_types"]) == (413, "too_large", [])
    assert [e["type"] for e in http.log()] == ["TokenIssued", "TokenIssued"]
