"""Bearer tokens: every request but the health check names its actor."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from flask import current_app, g, request

from api.errors import Unauthorized
from ledger.identity import Actor, Credential, token_digest

CACHE_SIZE = 10_000


class Credentials(Protocol):
    """Where credentials are read (the ledger application)."""

    def credential(self, token: str) -> Credential | None: ...

    def credential_version(self, token: str) -> int | None: ...


class TokenCache:
    """Credentials read once, then re-checked on every request by their version.

    A revocation recorded by any process (another worker, the `ledger token revoke` command)
    raises the credential's version, so the next request anywhere reloads it and is refused:
    nothing is trusted for a while. The check reads one row by its key instead of rebuilding
    the credential; an unknown token costs that one read and is never cached. Expiry is a
    matter of the clock, checked on every request too. Entries are keyed by the token's
    digest, so the cache holds no secret."""

    def __init__(self, credentials: Credentials, size: int = CACHE_SIZE) -> None:
        self._credentials = credentials
        self._size = size
        self._known: dict[str, Credential] = {}

    def actor(self, token: str, now: datetime | None = None) -> Actor | None:
        """The token's actor if it is active now, else None."""
        version = self._credentials.credential_version(token)
        if version is None:
            return None
        key = token_digest(token)
        credential = self._known.get(key)
        if credential is None or credential.version != version:
            credential = self._credentials.credential(token)
            if credential is None:
                return None
            if len(self._known) >= self._size:
                self._known.clear()
            self._known[key] = credential
        if credential.state(now or datetime.now(UTC)) != "active":
            return None
        return credential.actor


def require_actor() -> None:
    """A before-request hook: set `g.actor` from the bearer token, or answer 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <token>")
    actor = current_app.extensions["tokens"].actor(token.strip())
    if actor is None:
        raise Unauthorized("unknown, revoked or expired token")
    g.actor = actor
