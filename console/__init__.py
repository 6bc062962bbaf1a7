"""The console: a Simplified Chinese web console for people in a browser.

It sits above the HTTP API and uses the same application and read models: pages read the
views through the API's scope checks, forms record through the ledger's one command path
(`Ledger.record`) after the API's own schemas have validated them. It keeps a server-side
session (the token never reaches the browser after sign-in), protects every form with a CSRF
token, and sends a Content-Security-Policy on every page. `install(app, settings)` adds it to
an app the API built; nothing below imports it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from console import evidence_files, filters, pages, writes
from console.auth import blp as auth_blp
from console.auth import limit_sign_in
from console.sessions import ConsoleSessions, MemorySessions, SessionStore

# Scripts only from this origin (the vendored hash helper), no inline script, no plugins,
# no framing; styles from this origin; forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SESSION_HOURS = 8


@dataclass(frozen=True)
class ConsoleSettings:
    """Where sessions are kept and the key that signs CSRF tokens.

    Workers share sessions through `sessions` (the composition root passes the ledger's
    database table); they must share `secret_key` too (one made per process otherwise, which is
    right for `ledger serve`). Without a store, sessions live in this process only."""

    sessions: SessionStore | None = None
    secret_key: str | None = None


def install(app: Flask, settings: ConsoleSettings | None = None) -> None:
    """Add the console's pages, forms, session and protections to `app`."""
    settings = settings or ConsoleSettings()
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key or secrets.token_hex(32)
    app.config.update(
        SESSION_COOKIE_NAME="ledger_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        # A session is written when it changes (sign-in), not on every page.
        SESSION_REFRESH_EACH_REQUEST=False,
        # CSRF is checked on the console's own forms only: the API authenticates by bearer
        # token, which a browser never sends by itself.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    app.session_interface = ConsoleSessions(settings.sessions or MemorySessions())
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:  # behind TLS-terminating proxies, X-Forwarded-Proto says it was HTTPS
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=0, x_proto=proxies)  # type: ignore[method-assign]
    app.extensions["console_csrf"] = CSRFProtect(app)
    filters.register(app)
    for blueprint in (auth_blp, pages.blp, writes.blp, evidence_files.blp):
        app.register_blueprint(blueprint)
    limit_sign_in(app, lambda: current_app.config["AUTH_FAILURE_LIMIT"])

    @app.after_request
    def protect_pages(response):
        if response.mimetype == "text/html" and not request.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
