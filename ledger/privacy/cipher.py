"""Sealing one field's value under a subject key (AES-256-GCM), and wrapping subject keys
under the master key kept outside the database."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.privacy.fields import SEALED

KEY_BYTES = 32
NONCE_BYTES = 12


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(value: Any, subject: str, key: bytes | None) -> dict[str, Any]:
    """The sealed form of `value`. Without a key (the subject was erased before this event was
    written) the value is not kept at all."""
    if key is None:
        return {SEALED: subject, "v": None}
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, orjson.dumps(value), subject.encode())
    return {SEALED: subject, "v": base64.b64encode(nonce + sealed).decode()}


def unseal(envelope: dict[str, Any], key: bytes) -> Any:
    blob = base64.b64decode(envelope["v"])
    plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                envelope[SEALED].encode())
    return orjson.loads(plain)


def key_from_file(path: str, create: bool = True) -> bytes:
    """A key kept in `path` (hex), made there (readable by its owner only) when missing."""
    try:
        with open(path) as file:
            return bytes.fromhex(file.read().strip())
    except FileNotFoundError:
        if not create:
            raise
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key.hex() + "\n")
    return key


class MasterKey:
    """Wraps subject keys, so a copy of the key table alone opens nothing."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a master key has {KEY_BYTES} bytes")
        self._aead = AESGCM(key)
        self._derived_from = hmac.new(key, b"derived keys", hashlib.sha256).digest()

    @classmethod
    def from_file(cls, path: str, create: bool = True) -> MasterKey:
        """The key in `path` (hex), made there (readable by its owner only) when missing."""
        return cls(key_from_file(path, create))

    def derive(self, purpose: str) -> bytes:
        """A key of its own for `purpose` (a keyed hash's), made from this one."""
        return hmac.new(self._derived_from, purpose.encode(), hashlib.sha256).digest()

    def wrap(self, subject: str, key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, key, b"subject-key:" + subject.encode())

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        return self._aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                  b"subject-key:" + subject.encode())
