"""Who may record what. Tokens are kept as events on a Credential aggregate, stored hashed."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.domain import event

from ledger.catalog import CATALOG
from ledger.domain.base import LedgerAggregate
from ledger.errors import InvalidTransition

# How many hex digits of a token's digest name it in listings (and may name it to revoke it).
TOKEN_ID_LENGTH = 12

ROLES = ("admin", "inspector", "cadre", "discipline", "viewer")
# Roles that act and read only within their unit (and the units below it): their tokens name one.
UNIT_SCOPED_ROLES = ("cadre", "viewer")
# Token scopes beside the role. `replicate`: the global log with personal fields sealed only,
# for a replica or an export that must not hold them readable.
REPLICATE = "replicate"
SCOPES = (REPLICATE,)


@dataclass(frozen=True)
class Actor:
    id: str
    role: str
    unit_id: str | None = None
    scopes: tuple[str, ...] = ()


def new_token() -> str:
    return "lgr_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Credential(LedgerAggregate):
    """A bearer token, known only by its SHA-256 digest; it may expire and may be revoked."""

    KIND = "credential"

    @staticmethod
    def create_id(token_sha256: str):
        return Credential.id_for(token_sha256)

    @event("TokenIssued")
    def __init__(
        self,
        token_sha256: str,
        actor_id: str,
        role: str,
        unit_id: str | None = None,
        expires_at: str | None = None,
        scopes: list[str] | None = None,
    ) -> None:
        # The event keeps the expiry as ISO text with its offset, as the log shows it.
        self.token_sha256 = token_sha256
        self.actor = Actor(id=actor_id, role=role, unit_id=unit_id, scopes=tuple(scopes or ()))
        self.expires_at = datetime.fromisoformat(expires_at) if expires_at else None
        self.revoked = False

    def revoke(self, reason: str) -> None:
        if self.revoked:
            raise InvalidTransition("this token is already revoked", token=self.token_id)
        self._revoked(reason=reason)

    @event("TokenRevoked")
    def _revoked(self, reason: str) -> None:
        self.revoked = True

    @property
    def token_id(self) -> str:
        return self.token_sha256[:TOKEN_ID_LENGTH]

    def state(self, now: datetime) -> str:
        """active, revoked or expired (a token expires at `expires_at` itself)."""
        if self.revoked:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


@dataclass(frozen=True)
class TokenListing:
    """What may be shown of a token: never the secret, only a short prefix of its digest."""

    id: str
    actor: Actor
    created_at: datetime
    expires_at: datetime | None
    state: str

    @classmethod
    def of(cls, credential: Credential, now: datetime) -> TokenListing:
        return cls(
            id=credential.token_id,
            actor=credential.actor,
            created_at=credential.created_on,
            expires_at=credential.expires_at,
            state=credential.state(now),
        )


# Event types each role may submit, from the catalog. Anything absent is refused with 403.
WRITERS: dict[str, frozenset[str]] = {t.name: t.writers for t in CATALOG if not t.derived}
