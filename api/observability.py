"""Request ids and structured logs: one JSON line per request, on the `ledger.http` logger.

A request keeps the `X-Request-Id` it came with (when it is a sane token) or gets a new one, and
the answer carries it back, so a client, a proxy and these logs can name the same request. A
refused request (4xx, 5xx) is logged with its actor and role, the event types it tried to
record and the error code it was answered. The log never holds a token, a body, a query string
or a path: the route's template names what was asked, so no identifier of a person or
household, and no personal field, reaches it (the read audit, not the log, says who read whom).
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request
from flask.wrappers import Response
from werkzeug.exceptions import HTTPException

LOGGER = logging.getLogger("ledger.http")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
HEADER = "X-Request-Id"


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send the `ledger` loggers to standard error as JSON lines (once per process)."""
    logger = logging.getLogger("ledger")
    logger.setLevel(level.upper())
    if not any(getattr(h, "ledger_json", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.ledger_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def request_id() -> str:
    """This request's id (made on first use outside a request hook, e.g. in an error path)."""
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    return str(g.request_id)


def _event_types() -> list[str]:
    """The types a write asked to record, read from its body without keeping anything else."""
    if request.method != "POST" or not request.is_json:
        return []
    try:
        body = request.get_json(silent=True)
    except (HTTPException, RecursionError):  # too large, or nested too deeply to decode
        return []
    items = body.get("events") if isinstance(body, dict) and "events" in body else [body]
    if not isinstance(items, list):
        return []
    return [str(item["type"])[:64] for item in items
            if isinstance(item, dict) and isinstance(item.get("type"), str)]


def _error_code(response: Response) -> str | None:
    if not response.is_json:
        return None
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code")) if isinstance(error, dict) else None


def request_fields(response: Response) -> dict[str, Any]:
    """What the log says of a finished request."""
    actor = g.get("actor")
    fields: dict[str, Any] = {
        "request_id": request_id(),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter()))
                             * 1000, 1),
        "actor": actor.id if actor else None,
        "role": actor.role if actor else None,
    }
    if response.status_code >= 400:
        fields["error_code"] = _error_code(response)
        fields["event_types"] = _event_types()
    return fields


def install_observability(app: Flask) -> None:
    """Request ids in and out, and one log line per request."""

    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        request_id()

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        fields = request_fields(response)
        level = logging.WARNING if response.status_code >= 400 else logging.INFO
        if response.status_code >= 500:
            level = logging.ERROR
        message = "refused" if response.status_code >= 400 else "answered"
        LOGGER.log(level, message, extra={"fields": fields})
        return response
