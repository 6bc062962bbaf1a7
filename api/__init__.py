"""The HTTP layer: a Flask app factory; blueprints stay thin over the ledger application."""
from __future__ import annotations

from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask, request
from flask_smorest import Api

from api import catalog, disputes, events, health, ledger_routes, reads
from api.auth import TokenCache
from api.errors import error_body, register_error_handlers
from ledger.application import Ledger
from ledger.tamper.checkpoints import Checkpoints
from projections.views import Views

DEFAULTS: dict[str, Any] = {
    "API_TITLE": "Supervision ledger",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "JSON_SORT_KEYS": False,
    "READ_WAIT_SECONDS": 2.0,  # how long a read waits for min_position before a 503
    "API_SPEC_OPTIONS": {
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearer": []}],
    },
}


class Parts(Protocol):
    """What the HTTP layer serves; the composition root (`service.root`) builds it."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def views(self) -> Views: ...

    @property
    def checkpoints(self) -> Checkpoints: ...

    @property
    def verifying_key(self) -> Ed25519PublicKey | None: ...


def build_app(parts: Parts, settings: dict[str, Any] | None = None) -> Flask:
    """The Flask app over parts already built: defaults, then `settings` (Flask config)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(settings or {})
    app.extensions["ledger"] = parts.ledger
    app.extensions["tokens"] = TokenCache(parts.ledger.authenticate)
    app.extensions["views"] = parts.views
    app.extensions["checkpoints"] = parts.checkpoints
    app.extensions["verifying_key"] = parts.verifying_key

    api = Api(app)
    register_error_handlers(app)
    for blueprint in (health.blp, events.blp, catalog.blp, reads.blp, ledger_routes.blp,
                      disputes.blp):
        api.register_blueprint(blueprint)

    @app.before_request
    def require_json_body():  # type: ignore[no-untyped-def]
        if request.method == "POST" and not request.is_json:
            return error_body(
                "unreadable_body", "send a JSON body with Content-Type: application/json"
            ), 400
        return None

    return app
