"""Liveness and readiness without a token."""
from __future__ import annotations

from flask import current_app

from api.openapi import LedgerBlueprint
from api.schemas.answer import Answer, one, text
from api.schemas.tamper import HeadSchema
from api.schemas.views import ViewsPositionSchema

blp = LedgerBlueprint("health", __name__, description="Health")


class HealthSchema(Answer):
    status = text(choices=("ok",))
    head = one(HeadSchema, "the last event of the log; null while it is empty", nullable=True)
    projections = one(ViewsPositionSchema)


@blp.get("/healthz")
@blp.response(200, HealthSchema)
@blp.errors(503)
@blp.doc(security=[])
def healthz():
    """The service answers and its database is reachable; the head of the log. No token.
    503 `storage_unavailable` while the database is not."""
    head = current_app.extensions["ledger"].head()
    return {
        "status": "ok",
        "head": {"position": head[0], "hash": head[1]} if head else None,
        "projections": current_app.extensions["views"].lag(),
    }
