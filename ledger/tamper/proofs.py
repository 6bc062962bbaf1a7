"""Proofs about the log that can be checked offline with only the ledger's public key.

- An inclusion proof shows that the event whose chain hash is `event_hash` is leaf
  `leaf_index` of the tree a signed checkpoint commits to. The chain hash itself is recomputed
  from the event's stored bytes and the hash before it (`ledger.tamper.chain.link`), so the
  proof binds the event's exact content and position.
- A consistency proof shows that a later checkpoint's tree extends an earlier one's: nothing
  the earlier checkpoint covered was changed, removed or reordered.

`inclusion_proof` and `consistency_proof` read the database; the `verify_*` functions do not.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.errors import Invalid, NotFound
from ledger.tamper.log_tree import LogTree
from ledger.tamper.merkle import (
    consistency_path,
    inclusion_path,
    verify_consistency_path,
    verify_inclusion_path,
)
from ledger.tamper.signing import Checkpoint, verify_checkpoint


@dataclass(frozen=True)
class InclusionProof:
    position: int
    leaf_index: int
    tree_size: int
    event_hash: str
    path: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> InclusionProof:
        try:
            return cls(int(data["position"]), int(data["leaf_index"]), int(data["tree_size"]),
                       str(data["event_hash"]), [str(p) for p in data["path"]])
        except (KeyError, TypeError, ValueError) as error:
            raise Invalid(f"not an inclusion proof: {error}", field="proof") from None


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    path: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> ConsistencyProof:
        try:
            return cls(int(data["old_size"]), int(data["new_size"]),
                       [str(p) for p in data["path"]])
        except (KeyError, TypeError, ValueError) as error:
            raise Invalid(f"not a consistency proof: {error}", field="proof") from None


def inclusion_proof(
    recorder: Any, position: int, checkpoint: Checkpoint | int
) -> InclusionProof:
    """Prove that the event at `position` is in the log as of `checkpoint` (or a tree size)."""
    tree_size = checkpoint.tree_size if isinstance(checkpoint, Checkpoint) else checkpoint
    tree = LogTree(recorder)
    tree.sync()
    index = tree.size_at(position) - 1
    if index < 0 or tree.leaf(index)[0] != position:
        raise NotFound(f"no event at position {position}", field="position")
    if index >= tree_size:
        raise Invalid(f"position {position} is not in a tree of {tree_size} events",
                      field="position")
    if tree.size_at(2**62) < tree_size:
        raise NotFound(f"the log has fewer than {tree_size} events", field="tree_size")
    event_hash = tree.leaf(index)[1]
    path = inclusion_path(index, tree_size, tree.subtree)
    return InclusionProof(position, index, tree_size, event_hash.hex(), [p.hex() for p in path])


def consistency_proof(
    recorder: Any, old: Checkpoint | int, new: Checkpoint | int
) -> ConsistencyProof:
    """Prove that the tree of `new` (a checkpoint or a tree size) extends the tree of `old`."""
    old_size = old.tree_size if isinstance(old, Checkpoint) else old
    new_size = new.tree_size if isinstance(new, Checkpoint) else new
    if not 0 <= old_size <= new_size:
        raise Invalid(f"tree size {old_size} cannot precede tree size {new_size}", field="old")
    tree = LogTree(recorder)
    tree.sync()
    if tree.size_at(2**62) < new_size:
        raise NotFound(f"the log has fewer than {new_size} events", field="new")
    path = consistency_path(old_size, new_size, tree.subtree)
    return ConsistencyProof(old_size, new_size, [p.hex() for p in path])


def verify_inclusion(
    proof: InclusionProof, checkpoint: Checkpoint, public_key: Ed25519PublicKey,
    event_hash: str | None = None,
) -> bool:
    """Whether the proof puts the event under the checkpoint's root and the key signed it.

    Pass `event_hash` as recomputed from the event's bytes to bind the proof to that event."""
    if event_hash is not None and event_hash != proof.event_hash:
        return False
    try:
        leaf = bytes.fromhex(proof.event_hash)
        path = [bytes.fromhex(p) for p in proof.path]
        root = bytes.fromhex(checkpoint.root)
    except ValueError:
        return False
    return (
        proof.tree_size == checkpoint.tree_size
        and proof.position <= checkpoint.position
        and verify_checkpoint(checkpoint, public_key)
        and verify_inclusion_path(proof.leaf_index, proof.tree_size, leaf, path, root)
    )


def verify_consistency(
    proof: ConsistencyProof, old: Checkpoint, new: Checkpoint, public_key: Ed25519PublicKey
) -> bool:
    """Whether both checkpoints are signed and the later one's log extends the earlier's."""
    try:
        path = [bytes.fromhex(p) for p in proof.path]
        old_root, new_root = bytes.fromhex(old.root), bytes.fromhex(new.root)
    except ValueError:
        return False
    return (
        proof.old_size == old.tree_size
        and proof.new_size == new.tree_size
        and old.position <= new.position
        and verify_checkpoint(old, public_key)
        and verify_checkpoint(new, public_key)
        and verify_consistency_path(old.tree_size, new.tree_size, old_root, new_root, path)
    )
