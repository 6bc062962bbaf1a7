"""Recompute the hash chain over the log and find the first position that disagrees.

The walk goes over the chain table joined to the events (so an event row deleted behind the
ledger's back shows at its own position) and also looks for event rows that have no chain row
(an insertion). A log cut short or rewritten end to end with a recomputed chain verifies on its
own; checkpoints held outside catch it: at each checkpoint's position the recomputed chain hash,
the number of events and the Merkle root must be those the checkpoint signed.

`first_bad_position` is exact for a break in the chain. Against a checkpoint it is the
checkpoint's position (the change lies at or before it, after the last checkpoint that holds),
and for a log cut short it is the position after the last event left.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.chain import GENESIS, link
from ledger.checkpoints import Checkpoint, verify_checkpoint
from ledger.merkle import CompactRange

PAGE = 10_000


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    checked: int
    head_position: int | None
    head_hash: str | None
    first_bad_position: int | None
    problem: str | None = None
    checkpoints_checked: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The shape CONTRACT.md fixes, plus what went wrong and how many checkpoints held."""
        head = None
        if self.head_position is not None:
            head = {"position": self.head_position, "hash": self.head_hash}
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head": head,
            "first_bad_position": self.first_bad_position,
            "problem": self.problem,
            "checkpoints_checked": self.checkpoints_checked,
        }


class _Walk:
    """State of one pass over the log; `fail` keeps the earliest failure."""

    def __init__(self, checked: int, previous: bytes, position: int | None) -> None:
        self.checked = checked
        self.previous = previous
        self.position = position
        self.bad: int | None = None
        self.problem: str | None = None
        self.checkpoints_ok = 0

    def fail(self, position: int, problem: str) -> None:
        if self.bad is None or position < self.bad:
            self.bad, self.problem = position, problem

    def report(self) -> VerificationReport:
        head_hash = self.previous.hex() if self.position is not None else None
        return VerificationReport(self.bad is None, self.checked, self.position, head_hash,
                                  self.bad, self.problem, self.checkpoints_ok)


def verify_chain(
    recorder: Any,
    checkpoints: Sequence[Checkpoint] = (),
    public_key: Ed25519PublicKey | None = None,
    start: Checkpoint | None = None,
) -> VerificationReport:
    """Walk the log in order; every stored hash must equal the one recomputed from the rows.

    `checkpoints` (stored or held outside) are checked against the recomputed log, and their
    signatures against `public_key` when one is given. `start`, a checkpoint already trusted,
    lets the walk begin after it (the ledger does this before signing a new checkpoint)."""
    walk = _Walk(0, GENESIS, None)
    after = 0
    if start is not None and checkpoints:
        raise ValueError("checkpoints are checked on a walk from the start of the log")
    if start is not None:
        walk = _Walk(start.tree_size, bytes.fromhex(start.hash), start.position)
        after = start.position
        found = recorder.chain_hashes(after - 1, 1)
        if not found or found[0][0] != after or bytes(found[0][1]).hex() != start.hash:
            walk.fail(after, "the chain no longer holds the hash of the last checkpoint")
            return walk.report()
    pending = _check_signatures(walk, checkpoints, public_key)
    stop = max(recorder.log_bounds())
    unchained = recorder.first_unchained_position(after, stop)
    if unchained is not None:
        walk.fail(unchained, "an event row has no chain hash (inserted behind the ledger)")
    unreached = _walk_chain(recorder, walk, after, min(stop, walk.bad or stop), pending)
    if unreached and walk.bad is None:
        walk.fail((walk.position or 0) + 1,
                  f"the log ends before the checkpoint at position {unreached[0].position}: "
                  f"it was cut short")
    return walk.report()


def _check_signatures(
    walk: _Walk, checkpoints: Sequence[Checkpoint], public_key: Ed25519PublicKey | None
) -> list[Checkpoint]:
    pending = sorted((c for c in checkpoints if c.position > (walk.position or 0)),
                     key=lambda c: c.position)
    if public_key is not None:
        for checkpoint in pending:
            if not verify_checkpoint(checkpoint, public_key):
                walk.fail(checkpoint.position,
                          f"checkpoint at position {checkpoint.position} has a bad signature")
    return pending


def _walk_chain(
    recorder: Any, walk: _Walk, after: int, stop: int, pending: list[Checkpoint]
) -> list[Checkpoint]:
    """Recompute the chain over (after, stop]; the checkpoints the walk did not reach."""
    tree = CompactRange() if pending else None
    due = list(pending)
    next_due = due[0].position if due else -1
    previous, checked, position = walk.previous, walk.checked, walk.position
    while True:
        rows = recorder.chain_rows(after, stop, PAGE)
        if not rows:
            break
        for pos, oid, version, topic, state, stored in rows:
            if oid is None:
                walk.fail(pos, "the event row is missing")
                break
            expected = link(previous, pos, oid, version, topic, state)
            if expected != stored:
                walk.fail(pos, "the stored hash does not match the event")
                break
            previous, checked, position = expected, checked + 1, pos
            if tree is not None:
                tree.append(expected)
                if pos >= next_due:
                    _check_due(walk, due, pos, checked, previous, tree)
                    if walk.bad is not None:
                        break
                    next_due = due[0].position if due else -1
                    tree = tree if due else None
        else:
            after = rows[-1][0]
            continue
        break
    walk.previous, walk.checked, walk.position = previous, checked, position
    return due


def _check_due(
    walk: _Walk, due: list[Checkpoint], pos: int, checked: int, previous: bytes,
    tree: CompactRange,
) -> None:
    """Check every checkpoint whose position the walk has now reached."""
    while due and due[0].position <= pos:
        checkpoint = due.pop(0)
        if checkpoint.position != pos:
            walk.fail(checkpoint.position,
                      f"the event at checkpoint position {checkpoint.position} is gone")
        elif checkpoint.tree_size != checked:
            walk.fail(pos, f"checkpoint says {checkpoint.tree_size} events up to position "
                           f"{pos}, the log has {checked}")
        elif checkpoint.hash != previous.hex():
            walk.fail(pos, f"the log at position {pos} differs from the signed checkpoint")
        elif checkpoint.root != tree.root().hex():
            walk.fail(pos, f"the Merkle root at position {pos} differs from the signed one")
        else:
            walk.checkpoints_ok += 1
        if walk.bad is not None:
            return
