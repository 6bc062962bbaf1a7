"""Signed checkpoints: the ledger's Ed25519 signature over its head and Merkle root.

A checkpoint says "as of `signed_at`, the log held `tree_size` events, the last at `position`
with chain hash `hash`, and the Merkle tree over their hashes has root `root`". Anyone holding a
checkpoint and the public key can later show that the log was changed before `position`, that
it was cut short, or (with a consistency proof) that a later checkpoint extends this one.

This module knows keys and signatures only; making and storing checkpoints over a live log is
`ledger.tamper.checkpoints`.
"""
from __future__ import annotations

import base64
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.errors import Invalid

SIGNED_HEADER = "supervision-ledger checkpoint v1"


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    position: int
    hash: str
    root: str
    signed_at: str
    key_id: str
    signature: str

    def signed_bytes(self) -> bytes:
        """What the signature covers: one field a line, so it is easy to check by hand."""
        return signed_bytes(self.tree_size, self.position, self.hash, self.root, self.signed_at)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Checkpoint:
        try:
            checkpoint = cls(
                tree_size=int(data["tree_size"]),
                position=int(data["position"]),
                hash=str(data["hash"]),
                root=str(data["root"]),
                signed_at=str(data["signed_at"]),
                key_id=str(data["key_id"]),
                signature=str(data["signature"]),
            )
            bytes.fromhex(checkpoint.hash)
            bytes.fromhex(checkpoint.root)
        except (KeyError, TypeError, ValueError) as error:
            raise Invalid(f"not a checkpoint: {error}", field="checkpoint") from None
        return checkpoint


def signed_bytes(tree_size: int, position: int, hash: str, root: str, signed_at: str) -> bytes:
    return (
        f"{SIGNED_HEADER}\ntree_size {tree_size}\nposition {position}\n"
        f"hash {hash}\nroot {root}\nsigned_at {signed_at}\n"
    ).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def verify_checkpoint(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    """Whether the checkpoint was signed by the holder of this key, exactly as it reads."""
    try:
        public_key.verify(base64.b64decode(checkpoint.signature, validate=True),
                          checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return True


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """A PEM public key, or the public half of a PEM private key."""
    data = Path(path).read_bytes()
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def write_key_pair(private_path: str | Path, public_path: str | Path) -> str:
    """Write a new key pair (the private key readable by its owner only); return the key id."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    Path(public_path).write_text(public_pem(key.public_key()))
    return key_id(key.public_key())


class Signer:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign_bytes(self, data: bytes) -> bytes:
        """An Ed25519 signature over `data` (evidence packs are signed with the same key)."""
        return self._key.sign(data)

    def sign(self, tree_size: int, position: int, hash: str, root: str) -> Checkpoint:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        signature = self._key.sign(signed_bytes(tree_size, position, hash, root, now))
        return Checkpoint(tree_size, position, hash, root, now, self.key_id,
                          base64.b64encode(signature).decode())
