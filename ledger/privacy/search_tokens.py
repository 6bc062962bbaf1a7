"""Keyed hashes of name tokens, so names are found without being stored or decrypted.

A name is normalised (NFKC, case folded, only letters and digits kept) and cut into tokens:
each single character and each pair of neighbours, so a one-character surname (王) and any
part of a name of two characters or more is found. Each token is kept only as an HMAC under
one index key held outside the database (like the master key): a copy of the index alone
tells nothing of the names, and equal tokens still match. Identifiers (a member id, a 身份证号)
are kept as whole-value tokens of their own kind.
"""
from __future__ import annotations

import hashlib
import hmac
import unicodedata

NAME, MEMBER_ID, ID_NUMBER = "n", "m", "i"
DIGEST_BYTES = 16


def normalise(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def name_tokens(name: str) -> set[str]:
    """Every single character and neighbouring pair of the normalised name."""
    plain = normalise(name)
    return set(plain) | {plain[i:i + 2] for i in range(len(plain) - 1)}


def query_tokens(query: str) -> list[str]:
    """The tokens a name containing `query` must have: its pairs (itself when one long)."""
    plain = normalise(query)
    if len(plain) <= 1:
        return [plain] if plain else []
    return sorted({plain[i:i + 2] for i in range(len(plain) - 1)})


def needs_check(query: str) -> bool:
    """Whether holding every token of `query` may not mean containing it (three or more
    characters: its pairs could sit apart), so candidates are opened and checked."""
    return len(normalise(query)) > 2


def contains(name: str | None, query: str) -> bool:
    return name is not None and normalise(query) in normalise(name)


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


class SearchKey:
    """The index key: turns a token of a kind into its keyed hash (hex)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("an index key has at least 32 bytes")
        self._key = key

    def digest(self, kind: str, token: str) -> str:
        mac = hmac.new(self._key, f"{kind}:{token}".encode(), hashlib.sha256)
        return mac.digest()[:DIGEST_BYTES].hex()

    def name_digests(self, name: str) -> set[str]:
        return {self.digest(NAME, t) for t in name_tokens(name)}

    def query_digests(self, query: str) -> list[str]:
        return [self.digest(NAME, t) for t in query_tokens(query)]
