"""Who may record what. Tokens are kept as events on a Credential aggregate, stored hashed."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from eventsourcing.domain import event

from ledger.catalog import CATALOG
from ledger.domain.base import LedgerAggregate

ROLES = ("admin", "inspector", "cadre", "discipline", "viewer")
# Roles that act and read only within their unit (and the units below it): their tokens name one.
UNIT_SCOPED_ROLES = ("cadre", "viewer")


@dataclass(frozen=True)
class Actor:
    id: str
    role: str
    unit_id: str | None = None


def new_token() -> str:
    return "lgr_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Credential(LedgerAggregate):
    """A bearer token, known only by its SHA-256 digest."""

    KIND = "credential"

    @staticmethod
    def create_id(token_sha256: str):
        return Credential.id_for(token_sha256)

    @event("TokenIssued")
    def __init__(
        self, token_sha256: str, actor_id: str, role: str, unit_id: str | None = None
    ) -> None:
        self.actor = Actor(id=actor_id, role=role, unit_id=unit_id)
        self.revoked = False

    def revoke(self, reason: str) -> None:
        self._revoked(reason=reason)

    @event("TokenRevoked")
    def _revoked(self, reason: str) -> None:
        self.revoked = True


# Event types each role may submit, from the catalog. Anything absent is refused with 403.
WRITERS: dict[str, frozenset[str]] = {t.name: t.writers for t in CATALOG if not t.derived}
