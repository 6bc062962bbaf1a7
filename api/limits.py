"""Rate limits: failed authentications per client address, writes and reads per token, and
`min_position` waits per token.

The first two are flask-limiter's shared limits over every authenticated blueprint:
- a request whose token is missing, unknown, revoked or expired counts against its client
  address (the socket peer, or the address a trusted proxy forwarded); once the address has
  used up its failures, every authenticated request from it gets 429, whatever token it sends,
  until the window lets it through again, so guessing costs the same whether a guess is right.
  Answers other than 401 count nothing. Counted in a moving window: never more than the limit
  in any span of its length.
- a write (POST) let through (answered other than 401 or 429) counts against its token (by
  digest); a batch is one. Counted in fixed windows: at least the limit in every window, at a
  constant cost per write however high the limit.

- a read (GET, HEAD) counts against its token in fixed windows (READ_LIMIT), checked by a hook
  of its own that returns at once for any other method, so the write path pays nothing for it.
- a read that must wait for its `min_position` holds one of its token's READ_WAITS slots in this
  process while it waits; with all of them taken it is answered 429 at once, so one token
  cannot tie up the workers' threads with waits for positions that never come.

Counters live where RATELIMIT_STORAGE_URI says: process memory by default (each process
counts alone), or a shared store such as redis:// or memcached:// that every worker and machine
counts in together. Waits are counted per process: a wait holds a thread of its own process."""
from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.wrappers import Response
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from api.errors import error_body
from ledger.identity import token_digest

DEFAULT_AUTH_FAILURE_LIMIT = "20/minute"
DEFAULT_WRITE_LIMIT = "60000/minute"
DEFAULT_READ_LIMIT = "60000/minute"
DEFAULT_READ_WAITS = 4
READ_METHODS = ("GET", "HEAD")
WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]

# Defaults for an app built without them; the service passes its Config's (service/config.py).
SETTINGS: dict[str, object] = {
    "AUTH_FAILURE_LIMIT": DEFAULT_AUTH_FAILURE_LIMIT,
    "WRITE_LIMIT": DEFAULT_WRITE_LIMIT,
    "READ_LIMIT": DEFAULT_READ_LIMIT,
    "READ_WAITS": DEFAULT_READ_WAITS,  # min_position waits one token may hold at once
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
    reads = ReadLimit(write_limiter, parse(app.config["READ_LIMIT"]))
    app.extensions["read_waits"] = ReadWaits(int(app.config["READ_WAITS"]))
    for blueprint in blueprints:
        failures(blueprint)
        writes(blueprint)
        # After the blueprint's own hooks (authentication): only a known token's reads count.
        app.before_request_funcs.setdefault(blueprint.name, []).append(reads)

    app.register_error_handler(TooManyWaits, too_many_waits)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        evaluated = [*limiter.current_limits, *write_limiter.current_limits]
        resets = [lim.reset_at for lim in evaluated if lim.breached]
        wait = math.ceil(max(resets) - time.time()) if resets else 60
        body = error_body("rate_limited", error.description or "too many requests",
                          {"limit": str(error.limit.limit)})
        return jsonify(body), 429, {"Retry-After": str(max(wait, 1))}


def _too_many(message: str, limit: str, wait: int) -> tuple[Response, int, dict[str, str]]:
    body = error_body("rate_limited", message, {"limit": limit})
    return jsonify(body), 429, {"Retry-After": str(max(wait, 1))}


class ReadLimit:
    """A before-request hook counting reads against their token (READ_LIMIT), in the
    limiter's own storage."""

    def __init__(self, limiter: Limiter, item: RateLimitItem) -> None:
        self._limiter = limiter
        self._item = item
        self._strategy: FixedWindowRateLimiter | None = None

    def __call__(self) -> tuple[Response, int, dict[str, str]] | None:
        if request.method not in READ_METHODS:
            return None
        if self._strategy is None:
            self._strategy = FixedWindowRateLimiter(self._limiter.storage)
        key = _token_key()
        if self._strategy.hit(self._item, "reads", key):
            return None
        reset = self._strategy.get_window_stats(self._item, "reads", key).reset_time
        return _too_many("too many reads with this token; retry later", str(self._item),
                         math.ceil(reset - time.time()))


class TooManyWaits(Exception):
    """This token already holds every wait slot of this process."""


class ReadWaits:
    """How many reads of each token are waiting for their min_position in this process."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._held: Counter[str] = Counter()
        self._lock = threading.Lock()

    def held(self, key: str) -> int:
        with self._lock:
            return self._held[key]

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the request's token's slots while the block runs, or raise
        TooManyWaits."""
        key = _token_key()
        with self._lock:
            if self._held[key] >= self.most:
                raise TooManyWaits()
            self._held[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._held[key] -= 1
                if not self._held[key]:
                    del self._held[key]


def too_many_waits(error: TooManyWaits) -> tuple[Response, int, dict[str, str]]:
    most = current_app.extensions["read_waits"].most
    return _too_many(f"this token already has {most} reads waiting for min_position; "
                     "retry later", f"{most} waiting", 1)
