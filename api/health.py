"""Liveness and readiness without a token."""
from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

blp = Blueprint("health", __name__, description="Health")


@blp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """The service answers and its database is reachable; the head of the log."""
    head = current_app.extensions["ledger"].head()
    return {
        "status": "ok",
        "head": {"position": head[0], "hash": head[1]} if head else None,
        "projections": current_app.extensions["views"].lag(),
    }
