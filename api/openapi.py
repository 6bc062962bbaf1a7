"""The OpenAPI document: generated from the schemas, with what marshmallow alone cannot say.

A schema may refine its own JSON Schema with a classmethod `openapi(converter, generated)`
(a body that is one of several shapes, a rule across fields), and a query schema may ask to be
documented as one object parameter (`QUERY_OBJECT`), so that a rule across its parameters can
be stated. The error envelope is the default error answer of every operation.
"""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_instance
from flask_smorest import Api, Blueprint

from api.schemas.errors import ErrorSchema

ERROR_WHEN: dict[int, str] = {
    400: "unreadable_body: not JSON, or not Content-Type: application/json",
    401: "unauthorized: no bearer token, or an unknown, revoked or expired one",
    403: "forbidden: the token's role or unit does not allow it",
    404: "not_found: the subject, or something the request refers to, does not exist",
    409: "the request contradicts the ledger (invalid_transition, out_of_order, already_exists, "
         "conflict, idempotency_key_reused, checkpoints_disabled, log_not_verified)",
    410: "evidence_erased: the file's subject was erased, and the file with its key",
    413: "too_large: the body is larger than LEDGER_MAX_BODY_BYTES (an evidence file: 20 MB)",
    415: "unsupported_media_type: an evidence file is a JPEG, PNG or PDF",
    422: "invalid: a field is missing, unknown or invalid; details.fields names each",
    429: "rate_limited: too many failed authentications from this client address, too "
         "many writes or reads with this token, or too many of its reads waiting for "
         "min_position (LEDGER_AUTH_FAILURE_LIMIT, LEDGER_WRITE_LIMIT, LEDGER_READ_LIMIT, "
         "LEDGER_READ_WAITS); retry after Retry-After seconds",
    503: "unavailable: the views did not reach min_position within the wait; retry later. "
         "storage_unavailable: the database is down or unreachable; storage_read_only: it "
         "takes no writes",
    507: "storage_full: the database has no room left; nothing was recorded",
}
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "seconds to wait before retrying",
                          "schema": {"type": "string"}}},
    503: {"Retry-After": {"description": "seconds to wait before retrying",
                          "schema": {"type": "string"}}},
}


class LedgerConverter(OpenAPIConverter):
    def schema2jsonschema(self, schema: Any) -> dict:
        generated = super().schema2jsonschema(schema)
        refine = getattr(resolve_schema_instance(schema), "openapi", None)
        return refine(self, generated) if callable(refine) else generated

    def schema2parameters(self, schema: Any, *, location: str, **kwargs: Any) -> list[dict]:
        name = getattr(resolve_schema_instance(schema), "QUERY_OBJECT", None)
        if location != "query" or name is None:
            return super().schema2parameters(schema, location=location, **kwargs)
        return [{"in": "query", "name": name, "style": "form", "explode": True,
                 "required": False, "schema": self.resolve_nested_schema(schema)}]

    def field2property(self, field: Any) -> dict:
        alternatives = getattr(field, "alternatives", None)
        if alternatives is None:
            return super().field2property(field)
        prop: dict[str, Any] = {"oneOf": [self.resolve_nested_schema(s) for s in alternatives]}
        if field.allow_none:
            prop["nullable"] = True
        if field.metadata.get("description"):
            prop["description"] = field.metadata["description"]
        return prop


class LedgerPlugin(MarshmallowPlugin):
    Converter = LedgerConverter


class LedgerApi(Api):
    ERROR_SCHEMA = ErrorSchema


class LedgerBlueprint(Blueprint):
    def errors(self, *statuses: int) -> Any:
        """Document the error answers an operation can give, each in the error envelope.

        Every operation that authenticates (401) can also be rate-limited (429), and reads
        the database to do so, which may be unavailable (503)."""
        if 401 in statuses and 429 not in statuses:
            statuses = (*statuses, 429)
        if 401 in statuses and 503 not in statuses:
            statuses = (*statuses, 503)

        def decorate(func: Any) -> Any:
            for status in statuses:
                func = self.alt_response(
                    status, schema=ErrorSchema, headers=ERROR_HEADERS.get(status),
                    description=f"{HTTPStatus(status).phrase}. {ERROR_WHEN[status]}",
                )(func)
            return func

        return decorate


def standalone_converter() -> LedgerConverter:
    """A converter that inlines every nested schema, for JSON Schemas that stand on their own
    (a `$ref` into the OpenAPI components would point nowhere outside the document)."""
    from apispec import APISpec

    plugin = LedgerPlugin(schema_name_resolver=lambda schema: "")  # no name: inlined
    APISpec("catalog", "1", "3.0.3", plugins=[plugin])
    if not isinstance(plugin.converter, LedgerConverter):
        raise TypeError("the plugin did not make its converter")
    return plugin.converter
