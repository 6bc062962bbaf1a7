"""Every answer an HTTP test receives is checked against the service's own OpenAPI document:
its status is one the operation lists (an error status listed by name, not only through the
`default` answer), and its body and headers match what the document says of that status."""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import TestResponse

DOCUMENT = "/api/v1/openapi.json"
# Served beside the API and not part of it: the document itself and its browsable form.
UNDOCUMENTED = ("/api/v1/openapi.json", "/api/v1/docs")


class Nonconforming(AssertionError):
    pass


class _Asked(WerkzeugOpenAPIRequest):
    """The request, for finding the operation an answer belongs to; its body is not needed
    (and a test's deliberately broken body must not stop the check)."""

    @property
    def body(self) -> bytes | None:
        return None


class Document:
    """The app's OpenAPI document, read once, with a validator over it."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.openapi = OpenAPI.from_dict(body)

    def check(self, app: Flask, response: TestResponse) -> None:
        request = response.request
        if request.path in UNDOCUMENTED or request.method in ("HEAD", "OPTIONS"):
            return
        operation = self._operation(app, request.path, request.method)
        where = f"{request.method} {request.path} answered {response.status_code}"
        if operation is None:
            if response.status_code in (404, 405):  # no such path or method: the envelope
                self._envelope(response, where)
                return
            raise Nonconforming(f"{where} on an operation the document does not have")
        if str(response.status_code) not in operation["responses"]:
            raise Nonconforming(f"{where}, a status the document does not list for it")
        try:
            self.openapi.validate_response(_Asked(request),
                                           WerkzeugOpenAPIResponse(response))
        except Exception as error:  # openapi-core raises one class per kind of mismatch
            raise Nonconforming(f"{where} not as documented: {_reasons(error)}") from error

    def _operation(self, app: Flask, path: str, method: str) -> dict[str, Any] | None:
        try:
            rule, _ = app.url_map.bind("localhost").match(path, method, return_rule=True)
        except (NotFound, MethodNotAllowed):
            return None
        template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        return self.body["paths"].get(template, {}).get(method.lower())

    def _envelope(self, response: TestResponse, where: str) -> None:
        body = response.get_json(silent=True) or {}
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
            raise Nonconforming(f"{where} without the error envelope: {body!r}")


def _reasons(error: Exception) -> str:
    causes = [str(error)]
    for inner in getattr(error, "schema_errors", None) or []:
        causes.append(f"{'/'.join(map(str, inner.absolute_path))}: {inner.message}")
    cause = error.__cause__
    for inner in getattr(cause, "schema_errors", None) or []:
        causes.append(f"{'/'.join(map(str, inner.absolute_path))}: {inner.message}")
    return "; ".join(causes)


_READ: dict[bytes, Document] = {}


def document_of(app: Flask) -> Document:
    """The app's document; apps that serve the same one share its (costly) validator."""
    if "openapi_conformance" not in app.extensions:
        raw = FlaskClient(app).get(DOCUMENT).get_data()
        if raw not in _READ:
            _READ[raw] = Document(json.loads(raw))
        app.extensions["openapi_conformance"] = _READ[raw]
    return app.extensions["openapi_conformance"]


class ConformingClient(FlaskClient):
    """A test client that checks each answer against the document before handing it over."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        document_of(self.application).check(self.application, response)
        return response


def conforming(app: Flask) -> Flask:
    """The app, whose test clients check every answer they receive."""
    app.test_client_class = ConformingClient
    return app
