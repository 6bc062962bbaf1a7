"""The Merkle tree over the stored log, with complete subtree roots cached in the database.

Leaf i is the chain hash of the (i+1)-th event in position order (positions may have gaps on
PostgreSQL, leaf indexes never do). Roots of complete, aligned subtrees of 2**CHUNK_LEVEL
leaves and up are cached in `ledger_merkle_nodes` (insert-only; each node is a pure function
of the chain, so two writers caching the same node agree). With the cache, any root or proof
costs O(log n) cached nodes plus at most two chunks of leaves, whatever the size of the log.

The cache is only an accelerator: a wrong node yields proofs that fail against the signed
checkpoint, and verification recomputes roots from the chain itself.
"""
from __future__ import annotations

from typing import Any

from ledger.tamper.merkle import EMPTY_ROOT, leaf_hash, node_hash, root_of, split

CHUNK_LEVEL = 8
CHUNK = 1 << CHUNK_LEVEL
READ = CHUNK * 64


class LogTree:
    def __init__(self, recorder: Any) -> None:
        self._store = recorder

    # Cache ------------------------------------------------------------------------------
    def sync(self) -> None:
        """Cache the roots of every complete chunk of the chain, and of their ancestors."""
        last = self._store.merkle_node_through(CHUNK_LEVEL, 2**62)
        idx, after = (last[0] + 1, last[2]) if last else (0, 0)
        while True:
            rows = self._store.chain_hashes(after, READ)
            chunks = len(rows) // CHUNK
            if not chunks:
                break
            nodes = []
            for i in range(chunks):
                chunk = rows[i * CHUNK : (i + 1) * CHUNK]
                nodes.append((idx, root_of([leaf_hash(bytes(h)) for _, h in chunk]), chunk[-1][0]))
                idx += 1
            self._store.insert_merkle_nodes(CHUNK_LEVEL, nodes)
            after = nodes[-1][2]
            if len(rows) < READ:
                break
        self._sync_upper_levels()

    def _sync_upper_levels(self) -> None:
        level = CHUNK_LEVEL
        below = self._store.merkle_width(level)
        while below >= 2:
            above = self._store.merkle_width(level + 1)
            if below // 2 > above:
                children = self._store.merkle_nodes(level, 2 * above, 2 * (below // 2 - above))
                pairs = zip(children[0::2], children[1::2], strict=True)
                parents = [
                    (above + i, node_hash(bytes(left[1]), bytes(right[1])), right[2])
                    for i, (left, right) in enumerate(pairs)
                ]
                self._store.insert_merkle_nodes(level + 1, parents)
                above += len(parents)
            level, below = level + 1, above

    # Reading ----------------------------------------------------------------------------
    def size_at(self, position: int) -> int:
        """How many events sit at or before `position` (the tree size a checkpoint there has)."""
        chunk = self._store.merkle_node_through(CHUNK_LEVEL, position)
        base, after = ((chunk[0] + 1) * CHUNK, chunk[2]) if chunk else (0, 0)
        while True:
            rows = self._store.chain_hashes(after, READ, stop=position)
            base += len(rows)
            if len(rows) < READ:
                return base
            after = rows[-1][0]

    def leaf(self, index: int) -> tuple[int, bytes]:
        """(position, chain hash) of leaf `index`."""
        return self._leaves(index, index + 1)[0]

    def root(self, size: int) -> bytes:
        return self.subtree(0, size) if size else EMPTY_ROOT

    def subtree(self, start: int, end: int) -> bytes:
        """The root over leaves [start, end), from cached nodes where the range allows."""
        size = end - start
        if size >= CHUNK and size & (size - 1) == 0:
            level = size.bit_length() - 1
            cached = self._store.merkle_nodes(level, start >> level, 1)
            if cached and cached[0][0] == start >> level:
                return bytes(cached[0][1])
        if size <= CHUNK:
            return root_of([leaf_hash(h) for _, h in self._leaves(start, end)])
        k = split(size)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def _leaves(self, start: int, end: int) -> list[tuple[int, bytes]]:
        chunk = start // CHUNK
        after = 0
        if chunk:
            cached = self._store.merkle_nodes(CHUNK_LEVEL, chunk - 1, 1)
            if not cached or cached[0][0] != chunk - 1:
                raise LookupError("the Merkle cache is behind the log: sync it first")
            after = cached[0][2]
        skip = start - chunk * CHUNK
        rows = self._store.chain_hashes(after, skip + end - start)
        if len(rows) < skip + end - start:
            raise LookupError(f"the log has fewer than {end} events")
        return [(p, bytes(h)) for p, h in rows[skip:]]

