"""A Merkle tree over the log in the Certificate Transparency style (RFC 6962, RFC 9162 §2.1).

Leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right); a tree of n
leaves splits at the largest power of two below n. The leaves are the events' chain hashes in
log order, so leaf i is the hash of the (i+1)-th event.

Proof construction takes `subtree(start, end)`, a function giving the root of leaves
[start, end): an in-memory list or a cached store can serve it. Verification needs only the
proof, the leaf and the root, nothing else.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()

Subtree = Callable[[int, int], bytes]


def leaf_hash(leaf: bytes) -> bytes:
    return sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def split(size: int) -> int:
    """The largest power of two strictly below `size` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root over already-hashed leaves, level by level (an odd last node moves up as is)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class CompactRange:
    """The roots of the complete subtrees covering the leaves seen so far: O(log n) memory.

    Appending a leaf costs one leaf hash and, amortised, one node hash; `root()` folds the
    stack into the RFC 6962 root of everything appended."""

    def __init__(self) -> None:
        self._sizes: list[int] = []
        self._hashes: list[bytes] = []
        self.size = 0

    def append(self, leaf: bytes) -> None:
        self._push(leaf_hash(leaf))

    def _push(self, hashed: bytes) -> None:
        sizes, hashes = self._sizes, self._hashes
        sizes.append(1)
        hashes.append(hashed)
        while len(sizes) > 1 and sizes[-1] == sizes[-2]:
            right = hashes.pop()
            sizes.pop()
            hashes[-1] = node_hash(hashes[-1], right)
            sizes[-1] *= 2
        self.size += 1

    def root(self) -> bytes:
        if not self._hashes:
            return EMPTY_ROOT
        root = self._hashes[-1]
        for left in reversed(self._hashes[:-1]):
            root = node_hash(left, root)
        return root


def inclusion_path(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]): sibling roots from the leaf up to the root."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(old_size: int, new_size: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 PROOF(old_size, D[0:new_size]); empty when there is nothing to prove."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"a tree of {old_size} cannot be a prefix of one of {new_size}")
    if old_size in (0, new_size):
        return []
    path: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    while True:
        n = end - start
        if m == n:
            if not whole:
                path.append(subtree(start, end))
            break
        k = split(n)
        if m <= k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
            m -= k
            whole = False
    path.reverse()
    return path


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root that `path` proves `leaf` sits under at `index` (RFC 9162 §2.1.3.2), or None."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion_path(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    return root_from_inclusion(index, size, leaf, path) == root


def verify_consistency_path(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """Whether `path` proves the tree of `new_size` extends the one of `old_size`.

    RFC 9162 §2.1.4.2, with the trivial cases (equal sizes, an empty old tree) added."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    nodes = list(path)
    if old_size & (old_size - 1) == 0:
        nodes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
