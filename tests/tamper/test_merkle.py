"""The Merkle functions agree with RFC 6962's recursive definitions and reject altered proofs."""
from __future__ import annotations

from hashlib import sha256

import pytest

from ledger.tamper import merkle

LEAVES = [sha256(str(i).encode()).digest() for i in range(40)]


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, written as the RFC writes it (recursively)."""
    if not leaves:
        return sha256(b"").digest()
    if len(leaves) == 1:
        return sha256(b"\x00" + leaves[0]).digest()
    k = merkle.split(len(leaves))
    return sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = merkle.split(len(leaves))
    if m < k:
        return rfc_path(m, leaves[:k]) + [mth(leaves[k:])]
    return rfc_path(m - k, leaves[k:]) + [mth(leaves[:k])]


def rfc_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = merkle.split(n)
    if m <= k:
        return rfc_subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return rfc_subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def subtree_of(leaves: list[bytes]):  # type: ignore[no-untyped-def]
    return lambda start, end: mth(leaves[start:end])


def test_root_and_compact_range_match_the_recursive_definition() -> None:
    compact = merkle.CompactRange()
    assert compact.root() == mth([]) == merkle.EMPTY_ROOT
    for n in range(1, len(LEAVES) + 1):
        compact.append(LEAVES[n - 1])
        expected = mth(LEAVES[:n])
        assert merkle.root_of([merkle.leaf_hash(x) for x in LEAVES[:n]]) == expected
        assert compact.root() == expected


@pytest.mark.parametrize("size", range(1, 34))
def test_every_inclusion_proof_matches_the_rfc_and_verifies(size: int) -> None:
    leaves = LEAVES[:size]
    root = mth(leaves)
    for index in range(size):
        path = merkle.inclusion_path(index, size, subtree_of(leaves))
        assert path == rfc_path(index, leaves)
        assert len(path) <= (size - 1).bit_length()
        assert merkle.verify_inclusion_path(index, size, leaves[index], path, root)
        assert not merkle.verify_inclusion_path(index, size, flip(leaves[index]), path, root)
        if size > 1:
            wrong = (index + 1) % size
            assert not merkle.verify_inclusion_path(wrong, size, leaves[index], path, root)
            bent = [flip(path[0])] + path[1:]
            assert not merkle.verify_inclusion_path(index, size, leaves[index], bent, root)


@pytest.mark.parametrize("new", range(1, 34))
def test_every_consistency_proof_matches_the_rfc_and_verifies(new: int) -> None:
    leaves = LEAVES[:new]
    new_root = mth(leaves)
    for old in range(1, new + 1):
        path = merkle.consistency_path(old, new, subtree_of(leaves))
        expected = [] if old == new else rfc_subproof(old, leaves, True)
        assert path == expected
        old_root = mth(leaves[:old])
        assert merkle.verify_consistency_path(old, new, old_root, new_root, path)
        forked = mth(LEAVES[1 : old + 1])
        assert not merkle.verify_consistency_path(old, new, forked, new_root, path)
        if path:
            bent = path[:-1] + [sha256(path[-1]).digest()]
            assert not merkle.verify_consistency_path(old, new, old_root, new_root, bent)


def test_out_of_range_requests_are_refused() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_path(5, 5, subtree_of(LEAVES))
    with pytest.raises(ValueError):
        merkle.consistency_path(6, 5, subtree_of(LEAVES))
    assert merkle.root_from_inclusion(3, 3, LEAVES[0], []) is None
