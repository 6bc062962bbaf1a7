"""Rate limits (flask-limiter): failed authentications per client address, writes per token.

Both are shared limits over every authenticated blueprint:
- a request whose token is missing, unknown, revoked or expired counts against its client
  address (the socket peer, or the address a trusted proxy forwarded); once the address has
  used up its failures, every authenticated request from it gets 429, whatever token it sends,
  until the window lets it through again, so guessing costs the same whether a guess is right.
  Answers other than 401 count nothing. Counted in a moving window: never more than the limit
  in any span of its length.
- a write (POST) let through (answered other than 401 or 429) counts against its token (by
  digest); a batch is one. Counted in fixed windows: at least the limit in every window, at a
  constant cost per write however high the limit.

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


def install_limits(app: Flask, blueprints: Iterable[Blueprint]) -> None:
    """Put both limits on these blueprints (the authenticated ones) of `app`: two limiters,
    as each counts with one strategy."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    limiter = Limiter(get_remote_address, app=app, strategy="moving-window")
    write_limiter = Limiter(_token_key, app=app, strategy="fixed-window")
    failures = limiter.shared_limit(
        lambda: current_app.config["AUTH_FAILURE_LIMIT"], scope="auth-failures",
        deduct_when=_failed_authentication,
        error_message="too many failed authentications from this address; retry later",
    )
    writes = write_limiter.shared_limit(
        lambda: current_app.config["WRITE_LIMIT"], scope="writes",
        methods=WRITE_METHODS, deduct_when=_let_through,
        error_message="too many writes with this token; retry later",
    )
    for blueprint in blueprints:
        failures(blueprint)
        writes(blueprint)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        evaluated = [*limiter.current_limits, *write_limiter.current_limits]
        resets = [lim.reset_at for lim in evaluated if lim.breached]
        wait = math.ceil(max(resets) - time.time()) if resets else 60
        body = error_body("rate_limited", error.description or "too many requests",
                          {"limit": str(error.limit.limit)})
        return jsonify(body), 429, {"Retry-After": str(max(wait, 1))}
