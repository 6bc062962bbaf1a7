"""The WSGI entry point: `gunicorn 'service.app:create_app()'`.

Builds the parts from configuration (the composition root) and hands them to the HTTP layer.
"""
from __future__ import annotations

from typing import Any

from flask import Flask

from api import build_app
from api.observability import configure_logging
from console import ConsoleSettings, install
from service.config import Config
from service.root import Root
from service.sessions import SessionDirectory, SessionTable


def session_store(root: Root) -> SessionDirectory | SessionTable:
    """The console's sessions: in the configured directory, else in the ledger's database."""
    if root.config.console_session_dir:
        return SessionDirectory(root.config.console_session_dir)
    return SessionTable(root.ledger.recorder.datastore)  # type: ignore[attr-defined]


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
    install(app, ConsoleSettings(sessions=session_store(root),
                                 secret_key=root.config.console_secret_key))
    app.extensions["root"] = root
    return app
