"""Checkpoints of a live log: verify from the last good one, sign the head, store, list.

The signing key is configured by the composition root (`LEDGER_SIGNING_KEY_FILE`, made with
`ledger keygen`). There is no default key: without one, checkpoints are disabled.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.errors import Conflict, Invalid
from ledger.tamper.log_tree import LogTree
from ledger.tamper.signing import Checkpoint, Signer, verify_checkpoint
from ledger.tamper.verification import verify_chain

DEFAULT_INTERVAL_SECONDS = 600.0
# How many of the newest stored checkpoints `latest()` looks through for one this ledger
# signed: anyone who may insert a row (the service role) can add forged ones on top.
LATEST_SCAN = 1000

log = logging.getLogger(__name__)


class CheckpointsDisabled(Conflict):
    code = "checkpoints_disabled"


class LogNotVerified(Conflict):
    """The log does not verify, so the ledger refuses to sign it."""

    code = "log_not_verified"


class Checkpoints:
    """Makes, stores and lists checkpoints of one ledger's log."""

    def __init__(self, recorder: Any, signer: Signer | None,
                 public_key: Ed25519PublicKey | None = None) -> None:
        """`public_key`: the ledger's, for a verifier without the signing key."""
        self._recorder = recorder
        self.signer = signer
        self.public_key = signer.public_key if signer else public_key
        self.tree = LogTree(recorder)

    @property
    def enabled(self) -> bool:
        return self.signer is not None

    def make(self) -> Checkpoint:
        """Verify the log from the last good checkpoint on, then sign and store its head."""
        if self.signer is None:
            raise CheckpointsDisabled(
                "checkpoints are disabled: set LEDGER_SIGNING_KEY_FILE to an Ed25519 key"
            )
        last = self.latest()
        report = verify_chain(self._recorder, start=last, public_key=self.signer.public_key)
        if not report.ok:
            raise LogNotVerified(
                f"the log does not verify ({report.problem}); refusing to sign it",
                first_bad_position=report.first_bad_position,
            )
        if report.head_position is None:
            raise Invalid("the log is empty: there is nothing to sign yet")
        self.tree.sync()
        tree_size = self.tree.size_at(report.head_position)
        checkpoint = self.signer.sign(
            tree_size, report.head_position, report.head_hash or "",
            self.tree.root(tree_size).hex(),
        )
        self._recorder.insert_checkpoint(checkpoint.to_dict())
        return checkpoint

    def make_if_moved(self) -> Checkpoint | None:
        last = self.latest()
        head = self._recorder.chain_head()
        if head is None or (last is not None and last.position == head[0]):
            return None
        return self.make()

    def latest(self) -> Checkpoint | None:
        """The newest stored checkpoint that this ledger's key really signed (without a key
        to check with, the newest stored)."""
        for row in self._recorder.select_checkpoints(LATEST_SCAN):
            checkpoint = Checkpoint.from_dict(row)
            if self.public_key is None or verify_checkpoint(checkpoint, self.public_key):
                return checkpoint
        return None

    def listing(self, limit: int, newest_first: bool = True) -> list[Checkpoint]:
        return [Checkpoint.from_dict(r)
                for r in self._recorder.select_checkpoints(limit, newest_first)]


class PeriodicCheckpoints(threading.Thread):
    """Checkpoints the head every `interval` seconds when the log has moved since the last."""

    def __init__(self, checkpoints: Checkpoints, interval: float) -> None:
        super().__init__(name="ledger-checkpoints", daemon=True)
        self._checkpoints = checkpoints
        self._interval = interval
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._checkpoints.make_if_moved()
            except Exception:  # noqa: BLE001 - a failed checkpoint must not stop the server
                log.exception("periodic checkpoint failed")

    def stop(self) -> None:
        self._stopped.set()
