"""Every answer an HTTP test receives is checked against the service's own OpenAPI document:
its status is one the operation lists (an error status listed by name, not only through the
`default` answer), and its body and headers match what the document says of that status."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

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

    def accepts(self, app: Flask, sent: Any) -> bool:
        """Whether a request as sent (method, URL, headers, body) is valid by the document."""
        url = urlsplit(sent.url)
        body = sent.body.encode() if isinstance(sent.body, str) else sent.body
        environ = EnvironBuilder(method=sent.method, path=url.path, query_string=url.query,
                                 headers=dict(sent.headers), data=body).get_environ()
        request = Request(environ)
        try:
            self.openapi.validate_request(WerkzeugOpenAPIRequest(request))
        except Exception:  # openapi-core raises one class per kind of fault
            return False
        operation = self._operation(app, request.path, request.method) or {}
        return all(self._object_accepts(parameter, request.args)
                   for parameter in operation.get("parameters", []) if parameter.get("explode"))

    def _object_accepts(self, parameter: dict[str, Any], sent: Any) -> bool:
        """A query object spread over the query string (`style: form, explode: true`), which
        openapi-core leaves unread: its values, typed, against its schema."""
        schema = self._resolved(parameter["schema"])
        types = {name: prop.get("type") for name, prop in schema["properties"].items()}
        values: dict[str, Any] = {}
        for name, text in sent.items(multi=True):
            if name in values or name not in types:
                return False
            values[name] = _typed(text, types[name])
        validator = OAS30Validator(schema, format_checker=oas30_format_checker)
        return validator.is_valid(values)

    def _resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        return self.body["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema

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


def _typed(text: str, kind: str | None) -> Any:
    """A query value as the type its schema names, or the text when it is not one."""
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


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
