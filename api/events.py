"""Writing to and reading the global log."""
from __future__ import annotations

import re

from flask import current_app, g, request
from flask_smorest import Blueprint, abort
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from api.auth import require_actor
from api.schemas.envelope import (
    BatchAnswerSchema,
    BatchRequestSchema,
    EventRequestSchema,
    LogPageSchema,
    LogQuerySchema,
    RecordedEventSchema,
)
from ledger.application import Command, Ledger

class _BodyParser(FlaskParser):
    """JSON nested deeper than the decoder can follow is an unreadable body, not a 500."""

    def _raw_load_json(self, req):  # type: ignore[no-untyped-def]
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            abort(400, messages={"json": ["JSON nested too deeply."]})


blp = Blueprint("events", __name__, url_prefix="/api/v1", description="The event log")
blp.ARGUMENTS_PARSER = _BodyParser()
blp.before_request(require_actor)

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


def _ledger() -> Ledger:
    return current_app.extensions["ledger"]


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        abort(
            422,
            messages={"headers": {"Idempotency-Key": ["must be 1-128 printable ASCII characters"]}},
        )
    return key


@blp.post("/events")
@blp.arguments(EventRequestSchema)
@blp.response(201, RecordedEventSchema)
def record_event(command: Command):  # type: ignore[no-untyped-def]
    """Record one event. Answers its position and chain hash."""
    return _ledger().record(g.actor, [command], _idempotency_key())[0]


@blp.post("/events/batch")
@blp.arguments(BatchRequestSchema)
@blp.response(201, BatchAnswerSchema)
def record_batch(batch: dict):  # type: ignore[no-untyped-def]
    """Record several events in order, all or none."""
    return {"events": _ledger().record(g.actor, batch["events"], _idempotency_key())}


@blp.get("/events")
@blp.arguments(LogQuerySchema, location="query", unknown=RAISE)
@blp.response(200, LogPageSchema)
def read_log(query: dict):  # type: ignore[no-untyped-def]
    """The global log in order, after a position."""
    events = _ledger().read_log(query["after"], query["limit"])
    return {"events": events, "next_after": events[-1].position if events else query["after"]}
