"""Recompute the hash chain over the log and find the first position that disagrees.

The walk goes over the chain table joined to the events (so an event row deleted behind the
ledger's back shows at its own position) and also looks for event rows that have no chain row
(an insertion). A log cut short or rewritten end to end with a recomputed chain verifies on its
own; checkpoints held outside catch it: at each checkpoint's position the recomputed chain hash,
the number of events and the Merkle root must be those the checkpoint signed.

Two passes: the chain first (each stored hash must equal the hash recomputed from the row and
the stored hash before it, so ranges of the log can be checked by separate processes), then
the checkpoints, over the chain hashes the first pass has just vouched for.

`first_bad_position` is exact for a break in the chain. Against a checkpoint it is the
checkpoint's position (the change lies at or before it, after the last checkpoint that holds),
and for a log cut short it is the position after the last event left.
"""
from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.tamper.chain import GENESIS
from ledger.tamper.merkle import CompactRange
from ledger.tamper.signing import Checkpoint, verify_checkpoint

# Opens a recorder of the same log in a worker process; must pickle.
RecorderOpener = Callable[[], AbstractContextManager[Any]]
PAGE = 10_000
_HEAD = struct.Struct(">QI").pack  # position, then the length of the originator id


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
    open_recorder: RecorderOpener | None = None,
    workers: int = 1,
) -> VerificationReport:
    """Check every stored hash against the one recomputed from the rows, then the checkpoints.

    `checkpoints` (stored or held outside) are checked against the log, and their signatures
    against `public_key` when one is given. `start`, a checkpoint already trusted, lets the walk
    begin after it (the ledger does this before signing a new checkpoint). With `workers` > 1
    and `open_recorder` (a picklable callable giving a context manager over a recorder of the
    same log, for each worker process), ranges of the chain are checked by that many processes."""
    if start is not None and checkpoints:
        raise ValueError("checkpoints are checked on a walk from the start of the log")
    walk, after = _Walk(0, GENESIS, None), 0
    if start is not None:
        walk = _Walk(start.tree_size, bytes.fromhex(start.hash), start.position)
        after = start.position
        found = recorder.chain_hashes(after - 1, 1)
        if not found or found[0][0] != after or bytes(found[0][1]).hex() != start.hash:
            walk.fail(after, "the chain no longer holds the hash of the last checkpoint")
            return walk.report()
    stop = max(recorder.log_bounds())
    unchained = recorder.first_unchained_position(after, stop)
    if unchained is not None:
        walk.fail(unchained, "an event row has no chain hash (inserted behind the ledger)")
    stop = min(stop, walk.bad or stop)
    if workers > 1 and open_recorder is not None and stop - after > 4 * PAGE:
        _walk_in_processes(recorder, walk, after, stop, open_recorder, workers)
    else:
        _walk_chain(recorder, walk, after, stop)
    _check_checkpoints(recorder, walk, checkpoints, public_key)
    return walk.report()


def _walk_chain(recorder: Any, walk: _Walk, after: int, stop: int) -> None:
    """Recompute the chain over (after, stop] from `walk.previous` on."""
    previous, checked, position = walk.previous, walk.checked, walk.position
    topics: dict[str, bytes] = {}
    for rows in _windows(recorder.chain_rows, recorder, after, stop):
        for pos, oid, version, topic, state, stored in rows:
            if oid is None:
                walk.fail(pos, "the event row is missing")
                break
            field = topics.get(topic)
            if field is None:
                encoded = topic.encode()
                field = topics[topic] = len(encoded).to_bytes(4, "big") + encoded
            # ledger.tamper.chain.link, inlined: the same bytes, a third of the time
            expected = sha256(b"".join((
                previous, _HEAD(pos, len(oid)), oid, version.to_bytes(8, "big"), field,
                len(state).to_bytes(4, "big"), state,
            ))).digest()
            if expected != stored:
                walk.fail(pos, "the stored hash does not match the event")
                break
            previous, checked, position = expected, checked + 1, pos
        else:
            continue
        break
    walk.previous, walk.checked, walk.position = previous, checked, position


def _windows(
    fetch: Callable[[int, int, int], list[tuple]], recorder: Any, after: int, stop: int
) -> Iterator[list[tuple]]:
    """Rows in (after, stop], a window of PAGE positions at a time: each query names its whole
    range, so no database sorts or skips what lies beyond it (PostgreSQL without statistics
    on a freshly loaded table otherwise sorts the whole rest of the log for every page)."""
    while after < stop:
        high = min(stop, after + PAGE)
        rows = fetch(after, high, PAGE)
        if rows:
            yield rows
            after = high
            continue
        following = recorder.chain_hashes(high, 1, stop=stop)  # jump over a wide gap
        if not following:
            return
        after = following[0][0] - 1


def _walk_in_processes(
    recorder: Any, walk: _Walk, after: int, stop: int, open_recorder: RecorderOpener,
    workers: int,
) -> None:
    """Split (after, stop] into ranges; each starts from the stored hash before it."""
    step = -(-(stop - after) // workers)
    bounds = [(lo, min(lo + step, stop)) for lo in range(after, stop, step)]
    starts = [walk.previous] + [stored_hash_through(recorder, lo) for lo, _ in bounds[1:]]
    with ProcessPoolExecutor(len(bounds)) as pool:
        parts = list(pool.map(_walk_range, [open_recorder] * len(bounds), bounds, starts))
    for bad, problem, checked, position, previous in parts:
        walk.checked += checked
        if position is not None:
            walk.position, walk.previous = position, previous
        if bad is not None:
            walk.fail(bad, problem or "the chain breaks here")
            return


def stored_hash_through(recorder: Any, position: int) -> bytes:
    """The stored chain hash of the last chain row at or before `position` (GENESIS before
    the first)."""
    window = PAGE
    while True:
        rows = recorder.chain_hashes(max(position - window, 0), window, stop=position)
        if rows or window > position:
            return bytes(rows[-1][1]) if rows else GENESIS
        window *= 16


def _walk_range(
    open_recorder: RecorderOpener, bounds: tuple[int, int], previous: bytes
) -> tuple[int | None, str | None, int, int | None, bytes]:
    with open_recorder() as recorder:
        walk = _Walk(0, previous, None)
        _walk_chain(recorder, walk, *bounds)
        return walk.bad, walk.problem, walk.checked, walk.position, walk.previous


def _check_checkpoints(
    recorder: Any, walk: _Walk, checkpoints: Sequence[Checkpoint],
    public_key: Ed25519PublicKey | None,
) -> None:
    """Each checkpoint must be signed by the key and match the log the chain pass vouched for:
    the chain hash at its position, the number of events and the Merkle root."""
    due = sorted(checkpoints, key=lambda c: c.position)
    if public_key is not None:
        for checkpoint in due:
            if not verify_checkpoint(checkpoint, public_key):
                walk.fail(checkpoint.position,
                          f"checkpoint at position {checkpoint.position} has a bad signature")
    verified = walk.position or 0
    beyond = [c for c in due if c.position > verified]
    if beyond and walk.bad is None:
        walk.fail(verified + 1, f"the log ends before the checkpoint at position "
                                f"{beyond[0].position}: it was cut short")
    due = [c for c in due if c.position <= verified and c.position < (walk.bad or verified + 1)]
    tree = CompactRange()

    def hashes(low: int, high: int, limit: int) -> list[tuple]:
        return recorder.chain_hashes(low, limit, stop=high)

    for rows in _windows(hashes, recorder, 0, due[-1].position if due else 0):
        for position, stored in rows:
            tree.append(bytes(stored))
            while due and due[0].position <= position:
                _check_one(walk, due.pop(0), position, tree, bytes(stored))


def _check_one(
    walk: _Walk, checkpoint: Checkpoint, position: int, tree: CompactRange, stored: bytes
) -> None:
    if checkpoint.position != position:
        walk.fail(checkpoint.position,
                  f"the event at checkpoint position {checkpoint.position} is gone")
    elif checkpoint.tree_size != tree.size:
        walk.fail(position, f"checkpoint says {checkpoint.tree_size} events up to position "
                            f"{position}, the log has {tree.size}")
    elif checkpoint.hash != stored.hex():
        walk.fail(position, f"the log at position {position} differs from the signed checkpoint")
    elif checkpoint.root != tree.root().hex():
        walk.fail(position, f"the Merkle root at position {position} differs from the signed one")
    else:
        walk.checkpoints_ok += 1
