"""The conformance check the HTTP tests run on every answer can fail, and so can the check
that an answer schema declares every key a view gives."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

from api.schemas.answer import UndeclaredKeys
from api.schemas.views import ViewsPositionSchema
from tests.e2e.conformance import Nonconforming, document_of
from tests.e2e.conftest import HttpLedger


def _answer(path: str, status: int, body: object, method: str = "GET") -> TestResponse:
    request = Request(EnvironBuilder(path=path, method=method).get_environ())
    return TestResponse(json.dumps(body), status, {"Content-Type": "application/json"},
                        request=request)


def test_an_answer_unlike_the_document_is_caught(http: HttpLedger) -> None:
    document = document_of(http.app)
    envelope = {"error": {"code": "not_found", "message": "no", "details": {}}}
    document.check(http.app, _answer("/api/v1/households/h1", 404, envelope))
    position = {"position": 3, "head": 3, "lag": 0}
    document.check(http.app, _answer("/api/v1/views/position", 200, position))

    with pytest.raises(Nonconforming, match="not as documented"):
        document.check(http.app, _answer("/api/v1/views/position", 200, {"position": 3}))
    with pytest.raises(Nonconforming, match="not as documented"):
        document.check(http.app, _answer("/api/v1/households/h1", 404, {"error": "no"}))
    with pytest.raises(Nonconforming, match="does not list"):
        document.check(http.app, _answer("/api/v1/views/position", 409, envelope))
    with pytest.raises(Nonconforming, match="without the error envelope"):
        document.check(http.app, _answer("/api/v1/nowhere", 404, {"message": "no"}))


def test_a_key_the_answer_schema_lacks_is_an_error_in_tests(http: HttpLedger) -> None:
    with http.app.app_context():
        assert ViewsPositionSchema().dump({"position": 1, "head": 2, "lag": 1})["lag"] == 1
        with pytest.raises(UndeclaredKeys, match="surprise"):
            ViewsPositionSchema().dump({"position": 1, "head": 2, "lag": 1, "surprise": 0})


@dataclass
class Sent:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None


def test_a_request_as_sent_is_judged_by_the_document(http: HttpLedger) -> None:
    document = document_of(http.app)
    token = {"Authorization": "Bearer x", "Content-Type": "application/json"}
    good = {"type": "UnitListed", "data": {"unit_id": "v1", "level": "city"}}
    wrong = {**good, "data": {"unit_id": "v1", "level": "county"}}

    def accepts(method: str, url: str, body: object = None, headers: dict | None = None) -> bool:
        raw = None if body is None else json.dumps(body).encode()
        sent = Sent(method, "http://localhost/api/v1" + url, token if headers is None else headers,
                    raw)
        return document.accepts(http.app, sent)

    assert accepts("GET", "/events?limit=5")
    assert accepts("POST", "/events", good)
    assert accepts("GET", "/findings?unit_id=v1&as_of=2020-06-01T00:00:00Z")
    assert not accepts("GET", "/events?limit=0")
    assert not accepts("GET", "/events", headers={})
    assert not accepts("POST", "/events", wrong)
    assert not accepts("GET", "/findings?as_of=2020-06-01T00:00:00Z")
    assert not accepts("GET", "/findings?limit=0")
    assert not accepts("GET", "/findings?unit_id=v1&bogus=1")
