"""The WSGI entry point: `gunicorn 'service.app:create_app()'`.

Builds the parts from configuration (the composition root) and hands them to the HTTP layer.
"""
from __future__ import annotations

from typing import Any

from flask import Flask

from api import build_app
from api.observability import configure_logging
from service.config import Config
from service.root import Root


def create_app(
    config: Config | None = None, settings: dict[str, Any] | None = None, root: Root | None = None
) -> Flask:
    """The Flask app on `root` (default: one built from `config`, default: the environment).

    `settings` are Flask settings (for instance TESTING); the app owns the root it built and
    keeps it under `app.extensions["root"]`."""
    root = root or Root(config or Config.from_env())
    configure_logging(root.config.log_level)
    flask_settings = {**root.config.flask_settings(), **(settings or {})}
    app = build_app(root, flask_settings)
    app.extensions["root"] = root
    return app
