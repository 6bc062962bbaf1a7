"""Writing to and reading the global log."""
from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import abort
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from api.auth import require_actor
from api.errors import error_body
from api.openapi import LedgerBlueprint
from api.schemas.envelope import (
    BatchAnswerSchema,
    BatchRequestSchema,
    EventRequestSchema,
    IdempotencyHeaderSchema,
    LogPageSchema,
    LogQuerySchema,
    RecordedEventSchema,
)
from api.scope import access, audit
from ledger.application import Command, Ledger
from ledger.privacy.fields import sealed_subjects


class _BodyParser(FlaskParser):
    """JSON nested deeper than the decoder can follow is an unreadable body, not a 500."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            abort(400, messages={"json": ["JSON nested too deeply."]})


def require_json_body():
    """After the token: a request without one is a 401 whatever its body."""
    if request.method == "POST" and not request.is_json:
        return error_body(
            "unreadable_body", "send a JSON body with Content-Type: application/json"
        ), 400
    return None


blp = LedgerBlueprint("events", __name__, url_prefix="/api/v1", description="The event log")
blp.ARGUMENTS_PARSER = _BodyParser()
blp.before_request(require_actor)
blp.before_request(require_json_body)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 503, 507)


def _ledger() -> Ledger:
    return current_app.extensions["ledger"]


# Schema instances, made once: given a class, webargs would build a new schema (and copy every
# field) on each request.
EVENT_REQUEST, BATCH_REQUEST, IDEMPOTENCY = (
    EventRequestSchema(), BatchRequestSchema(), IdempotencyHeaderSchema())


@blp.post("/events")
@blp.arguments(EVENT_REQUEST)
@blp.arguments(IDEMPOTENCY, location="headers")
@blp.response(201, RecordedEventSchema)
@blp.errors(*WRITE_ERRORS)
def record_event(command: Command, headers: dict):
    """Record one event. Answers its position, chain hash and the ledger's own consequences.

    403: the role may not record the type, or a cadre acts outside its unit. 404: a referenced
    household, unit, person, finding or event does not exist. 409: the event contradicts the
    ledger. 422 also for an `occurred_at` more than 5 minutes in the future."""
    return _ledger().record(g.actor, [command], headers.get("idempotency_key"))[0]


@blp.post("/events/batch")
@blp.arguments(BATCH_REQUEST)
@blp.arguments(IDEMPOTENCY, location="headers")
@blp.response(201, BatchAnswerSchema)
@blp.errors(*WRITE_ERRORS)
def record_batch(batch: dict, headers: dict):
    """Record several events in order, all or none; a failure names `events.N.…`."""
    return {"events": _ledger().record(g.actor, batch["events"], headers.get("idempotency_key"))}


@blp.get("/events")
@blp.arguments(LogQuerySchema, location="query", unknown=RAISE)
@blp.response(200, LogPageSchema)
@blp.errors(401, 403)
def read_log(query: dict):
    """The global log in order, after a position: for the discipline committee and admins
    (personal fields opened, every subject shown goes to the read audit), or a token with the
    `replicate` scope (personal fields sealed, as stored: each one an object
    `{"_sealed_": "<subject>", "v": "<base64>"}` in place of its value, which the data schemas
    below do not describe). 403 for any other token."""
    sealed = access().log()
    ledger = _ledger()
    events = ledger.read_log(query["after"], query["limit"], sealed=True)
    if not sealed:
        for subject in sealed_subjects([e.data for e in events]):
            audit(*subject)
        events = ledger.reveal_logged(events)
    return {"events": events, "next_after": events[-1].position if events else query["after"]}
