"""The one place where errors become HTTP answers: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from eventsourcing import persistence
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ledger import errors

STATUS_OF: list[tuple[type[errors.LedgerError], int]] = [
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Forbidden, 403),
    (errors.Invalid, 422),
]

HTTP_CODES = {
    400: "unreadable_body",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
    507: "storage_full",
}

# What the database says when it cannot take the request: down, restarting, unreachable, out
# of connections, locked, read-only or full. The library wraps the drivers' errors in its own
# classes; the projection store and its pool raise the drivers' own.
STORAGE_ERRORS: tuple[type[Exception], ...] = (
    persistence.OperationalError, persistence.InterfaceError, persistence.InternalError,
    psycopg.OperationalError, psycopg.InterfaceError, psycopg.errors.ReadOnlySqlTransaction,
    sqlite3.OperationalError,
)
STORAGE_RETRY_AFTER = "2"


def storage_refusal(error: Exception) -> tuple[int, str, str] | None:
    """(status, code, message) for a database that cannot take the request, else None.

    A full disk is 507 `storage_full`; a read-only database 503 `storage_read_only`; any other
    unavailability 503 `storage_unavailable`. A refused transaction commits nothing; only a
    connection lost during the commit leaves it unknown whether the write landed, which a retry
    under the same Idempotency-Key settles. An error that is not about availability (a bug)
    stays a 500."""
    text = str(error).lower()
    full = isinstance(error, psycopg.errors.DiskFull)
    if full or "disk is full" in text or "no space left" in text:
        return 507, "storage_full", "the database is full; nothing was recorded"
    if "readonly database" in text or "read-only transaction" in text:
        return 503, "storage_read_only", "the database is read-only; nothing was recorded"
    if isinstance(error, persistence.InternalError | psycopg.errors.ReadOnlySqlTransaction):
        return None
    return 503, "storage_unavailable", ("the database is unavailable; retry later (a write "
                                        "under the same Idempotency-Key is recorded once)")


class Unauthorized(Exception):
    pass


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(errors.LedgerError)
    def ledger_error(error: errors.LedgerError):
        status = next((s for cls, s in STATUS_OF if isinstance(error, cls)), 500)
        return jsonify(error_body(error.code, error.message, error.details)), status

    @app.errorhandler(persistence.PersistenceError)
    @app.errorhandler(psycopg.Error)
    @app.errorhandler(sqlite3.Error)
    def storage_error(error: Exception):
        refusal = storage_refusal(error) if isinstance(error, STORAGE_ERRORS) else None
        if refusal is None:
            raise error
        status, code, message = refusal
        headers = {"Retry-After": STORAGE_RETRY_AFTER} if status == 503 else {}
        return jsonify(error_body(code, message)), status, headers

    @app.errorhandler(Unauthorized)
    def unauthorized(error: Unauthorized):
        headers = {"WWW-Authenticate": "Bearer"}
        return jsonify(error_body("unauthorized", str(error))), 401, headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        details: dict[str, Any] = {}
        message = error.description or error.name
        if "messages" in data:  # validation errors from webargs / marshmallow
            details = {"fields": _flatten(data["messages"])}
            if status == 422:
                message = "invalid fields: " + ", ".join(sorted(details["fields"]))
            else:
                message = "; ".join(m for ms in details["fields"].values() for m in ms)
        # Keep what the exception itself says in headers (405's Allow), not its content type.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        code = HTTP_CODES.get(status, "error")
        return jsonify(error_body(code, message, details)), status, headers


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"json": {"data": {"unit_id": [...]}}} -> {"data.unit_id": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in ("json", "query", "headers"):
                flat.update(_flatten(value, ""))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            flat.update(_flatten(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat.setdefault(prefix or "body", []).extend(messages)
    elif isinstance(messages, list):
        for item in messages:
            flat.update(_flatten(item, prefix))
    else:
        flat.setdefault(prefix or "body", []).append(str(messages))
    return flat
