"""The hash chain: each event's hash commits to the event and to every event before it.

hash(n) = SHA-256(hash(n-1) || position || originator id || version || topic || state), every
field length-prefixed so no two different events can hash the same bytes. The state is the exact
bytes stored, so anyone holding the exported rows can recompute the chain without our code.
"""
from __future__ import annotations

from hashlib import sha256
from uuid import UUID

GENESIS = bytes(32)


def _field(value: bytes) -> bytes:
    return len(value).to_bytes(4, "big") + value


def link(
    previous: bytes,
    position: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """The hash of one event given the hash of the event before it."""
    oid = originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)
    return sha256(
        previous
        + position.to_bytes(8, "big")
        + _field(oid.encode())
        + originator_version.to_bytes(8, "big")
        + _field(topic.encode())
        + _field(bytes(state))
    ).digest()
