"""Bearer tokens: every request but the health check names its actor."""
from __future__ import annotations

import time
from collections.abc import Callable

from flask import current_app, g, request

from api.errors import Unauthorized
from ledger.identity import Actor

CACHE_SECONDS = 30.0


class TokenCache:
    """Remembers recent token lookups for a short while, so a burst costs one read."""

    def __init__(self, lookup: Callable[[str], Actor | None], seconds: float = CACHE_SECONDS):
        self._lookup = lookup
        self._seconds = seconds
        self._known: dict[str, tuple[float, Actor]] = {}

    def actor(self, token: str) -> Actor | None:
        now = time.monotonic()
        cached = self._known.get(token)
        if cached and now - cached[0] < self._seconds:
            return cached[1]
        actor = self._lookup(token)
        if actor is not None:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[token] = (now, actor)
        return actor


def require_actor() -> None:
    """A before-request hook: set `g.actor` from the bearer token, or answer 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <token>")
    actor = current_app.extensions["tokens"].actor(token.strip())
    if actor is None:
        raise Unauthorized("unknown or revoked token")
    g.actor = actor
