"""Rate limits (flask-limiter): failed authentications per client address, writes per token.

Both are shared limits over every authenticated blueprint:
- a request whose token is missing, unknown, revoked or expired counts against its client
  address (the socket peer, or the address a trusted proxy forwarded); once the address has
  used up its failures, every authenticated request from it gets 429, whatever token it sends,
  until the window lets it through again, so guessing costs the same whether a guess is right.
  Answers other than 401 count nothing.
- a write (POST) that authenticated counts against its token (by digest); a batch is one.

Counters live where RATELIMIT_STORAGE_URI says: process memory by default (each process
counts alone), or a shared store such as redis:// that every worker counts in together."""
from __future__ import annotations

import math
import time
from collections.abc import Iterable

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.wrappers import Response
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from api.errors import error_body
from ledger.identity import token_digest

DEFAULT_AUTH_FAILURE_LIMIT = "20/minute"
DEFAULT_WRITE_LIMIT = "60000/minute"
WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]

# Defaults for an app built without them; the service passes its Config's (service/config.py).
SETTINGS: dict[str, object] = {
    "AUTH_FAILURE_LIMIT": DEFAULT_AUTH_FAILURE_LIMIT,
    "WRITE_LIMIT": DEFAULT_WRITE_LIMIT,
    "TRUSTED_PROXIES": 0,  # proxies in front whose X-Forwarded-For names the client
    "RATELIMIT_STORAGE_URI": "memory://",
    # A moving window: never more than the limit in any minute, not twice it across a boundary.
    "RATELIMIT_STRATEGY": "moving-window",
    # The 429 answer says Retry-After itself; other answers carry no rate-limit headers.
    "RATELIMIT_HEADERS_ENABLED": False,
}


def _token_key() -> str:
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    return token_digest(token.strip())


def _failed_authentication(response: Response) -> bool:
    return response.status_code == 401


def _let_through(response: Response) -> bool:
    return response.status_code not in (401, 429)


def install_limits(app: Flask, blueprints: Iterable[Blueprint]) -> Limiter:
    """Put both limits on these blueprints (the authenticated ones) of `app`."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    limiter = Limiter(get_remote_address, app=app)
    failures = limiter.shared_limit(
        lambda: current_app.config["AUTH_FAILURE_LIMIT"], scope="auth-failures",
        deduct_when=_failed_authentication,
        error_message="too many failed authentications from this address; retry later",
    )
    writes = limiter.shared_limit(
        lambda: current_app.config["WRITE_LIMIT"], scope="writes", key_func=_token_key,
        methods=WRITE_METHODS, deduct_when=_let_through,
        error_message="too many writes with this token; retry later",
    )
    for blueprint in blueprints:
        failures(blueprint)
        writes(blueprint)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        breached = limiter.current_limit
        wait = math.ceil(breached.reset_at - time.time()) if breached else 60
        body = error_body("rate_limited", error.description or "too many requests",
                          {"limit": str(error.limit.limit)})
        return jsonify(body), 429, {"Retry-After": str(max(wait, 1))}

    return limiter
