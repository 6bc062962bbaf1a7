"""The HTTP layer: a Flask app factory; blueprints stay thin over the ledger application."""
from __future__ import annotations

from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask

from api import (
    catalog,
    disputes,
    events,
    evidence_files,
    health,
    household_lists,
    late_entries,
    ledger_routes,
    metrics,
    read_audit,
    reads,
    unit_lists,
)
from api.auth import TokenCache
from api.errors import register_error_handlers
from api.limits import SETTINGS as LIMIT_SETTINGS
from api.limits import install_limits
from api.observability import install_observability
from api.openapi import LedgerApi, LedgerPlugin
from ledger.application import Ledger
from ledger.read_audit import ReadAudit
from ledger.tamper.checkpoints import Checkpoints
from projections.views import Views

DEFAULTS: dict[str, Any] = {
    "API_TITLE": "Supervision ledger",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    # The document, browsable: Swagger UI's scripts come from OPENAPI_SWAGGER_UI_URL.
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "JSON_SORT_KEYS": False,
    "READ_WAIT_SECONDS": 2.0,  # how long a read waits for min_position before a 503
    "METRICS": "loopback",  # who may scrape /metrics: loopback, on, off (api/metrics.py)
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

    @property
    def read_audit(self) -> ReadAudit: ...


def build_app(parts: Parts, settings: dict[str, Any] | None = None) -> Flask:
    """The Flask app over parts already built: defaults, then `settings` (Flask config)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(LIMIT_SETTINGS)
    app.config.update(settings or {})
    app.extensions["ledger"] = parts.ledger
    app.extensions["tokens"] = TokenCache(parts.ledger)
    app.extensions["views"] = parts.views
    app.extensions["checkpoints"] = parts.checkpoints
    app.extensions["verifying_key"] = parts.verifying_key
    app.extensions["read_audit"] = parts.read_audit

    api = LedgerApi(app, spec_kwargs={"marshmallow_plugin": LedgerPlugin()})
    register_error_handlers(app)
    # After-request hooks run last-registered first: the read audit may still turn an answer
    # into a refusal, which metrics and then the log must see.
    install_observability(app)
    metrics.install_metrics(app)
    read_audit.install_read_audit(app)
    authenticated = (events.blp, catalog.blp, reads.blp, household_lists.blp, ledger_routes.blp,
                     disputes.blp, read_audit.blp, unit_lists.blp, late_entries.blp,
                     evidence_files.blp)
    for blueprint in (health.blp, metrics.blp, *authenticated):
        api.register_blueprint(blueprint)
    install_limits(app, authenticated)

    return app
