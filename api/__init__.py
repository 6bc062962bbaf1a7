"""The HTTP layer: a Flask app factory; blueprints stay thin over the ledger application."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask, request
from flask_smorest import Api

from api import catalog, disputes, events, health, ledger_routes, reads
from api.auth import TokenCache
from api.errors import error_body, register_error_handlers
from ledger.application import Ledger
from ledger.storage import database_url, persistence_env
from projections.store import store_for
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


def create_app(config: dict[str, Any] | None = None, ledger: Ledger | None = None) -> Flask:
    """Build the app: defaults, then environment, then `config`; the ledger is built here."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if "LEDGER_MAX_BODY_BYTES" in os.environ:
        app.config["MAX_CONTENT_LENGTH"] = int(os.environ["LEDGER_MAX_BODY_BYTES"])
    app.config["DATABASE_URL"] = database_url()
    app.config.update(config or {})
    if ledger is None:
        ledger = Ledger(env=persistence_env(app.config["DATABASE_URL"]))
    app.extensions["ledger"] = ledger
    app.extensions["tokens"] = TokenCache(ledger.authenticate)
    app.extensions["views"] = Views(store_for(ledger))

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
