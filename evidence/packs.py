"""Evidence packs: one subject's events at a moment, provable offline with the public key.

A pack is one canonical JSON file (sorted keys, no spaces, ASCII, one trailing newline) holding
the subject's stored rows exactly as chained (so `ledger.tamper.chain.link` recomputes each
hash from the row and the hash before it), a Merkle inclusion proof of each against one signed
checkpoint, that checkpoint, and the replayed view of the subject at the moment. Its `digest`
is SHA-256 over the canonical content without `digest` and `signature`, and `signature` is the
ledger's Ed25519 signature over the digest, so neither the view nor any other byte can be changed
without the private key. `verify_pack` needs no database and no server.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from evidence.files import referenced
from ledger.errors import Invalid, NotFound
from ledger.tamper.chain import link
from ledger.tamper.checkpoints import Checkpoints, CheckpointsDisabled
from ledger.tamper.log_tree import LogTree
from ledger.tamper.merkle import inclusion_path
from ledger.tamper.proofs import InclusionProof, verify_inclusion
from ledger.tamper.signing import Checkpoint, key_id, verify_checkpoint
from ledger.tamper.verification import stored_hash_through
from projections.events import microseconds
from projections.replay import Cut
from projections.routing import subject

FORMAT = "supervision-ledger evidence pack v1"
SIGNED_HEADER = b"supervision-ledger evidence pack v1\ndigest "
SUBJECT_TYPES = ("household", "finding", "unit", "person")


def canonical(value: Any) -> bytes:
    """The one byte form of a pack: any other spelling of the same JSON is rejected."""
    return (json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                       allow_nan=False) + "\n").encode()


def _digest(pack: dict[str, Any]) -> str:
    body = {k: v for k, v in pack.items() if k not in ("digest", "signature")}
    return sha256(canonical(body)).hexdigest()


def plain(value: Any) -> Any:
    """A view as JSON values (dates and moments as ISO text)."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat()
                                 if hasattr(v, "isoformat") else str(v)))


def render_view(views: Any, subject_type: str, subject_id: str, as_of: datetime) -> Any:
    """The subject's replayed view at `as_of`, as the read API gives it."""
    cut = Cut(as_of=as_of)
    render = {"household": views.household, "finding": views.finding, "unit": views.unit,
              "person": views.accountability}[subject_type]
    return plain(render(subject_id, cut))


class _MemoTree(LogTree):
    """The log's Merkle tree with subtree roots remembered for one pack: a subject's proofs
    share most of their sibling roots."""

    def __init__(self, recorder: Any) -> None:
        super().__init__(recorder)
        self._roots: dict[tuple[int, int], bytes] = {}

    def subtree(self, start: int, end: int) -> bytes:
        if (start, end) not in self._roots:
            self._roots[start, end] = super().subtree(start, end)
        return self._roots[start, end]


def _proof(tree: _MemoTree, position: int, chain_hash: bytes, tree_size: int) -> InclusionProof:
    index = tree.size_at(position) - 1
    if index < 0 or tree.leaf(index) != (position, chain_hash):
        raise LookupError(f"the Merkle tree disagrees with the chain at position {position}")
    path = inclusion_path(index, tree_size, tree.subtree)
    return InclusionProof(position, index, tree_size, chain_hash.hex(), [p.hex() for p in path])


def _covering_checkpoint(checkpoints: Checkpoints, position: int) -> Checkpoint:
    latest = checkpoints.latest()
    if latest is not None and latest.position >= position:
        return latest
    return checkpoints.make()


def build_pack(
    recorder: Any, checkpoints: Checkpoints, views: Any, subject_type: str, subject_id: str,
    as_of: datetime | None = None, files: Callable[[str], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The evidence pack of a subject as of `as_of` (default now), signed by the ledger.
    With `files` (`evidence.files.pack_entries`), it carries the evidence files its events
    name, under the signature like the rest.

    Reads the subject index of the views, so the views must have folded the log up to the
    moment asked about."""
    if subject_type not in SUBJECT_TYPES:
        raise Invalid(f"subject_type must be one of {', '.join(SUBJECT_TYPES)}",
                      field="subject_type")
    signer = checkpoints.signer
    if signer is None:
        raise CheckpointsDisabled(
            "evidence packs need a signing key: set LEDGER_SIGNING_KEY_FILE to an Ed25519 key")
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        raise Invalid("as_of needs a time zone", field="as_of")
    store = views.store
    rows = store.subject_log(subject(subject_type, subject_id), microseconds(as_of), None,
                             hashes=True)
    if not rows:
        raise NotFound(
            f"{subject_type} {subject_id!r} has no events recorded by {as_of.isoformat()}",
            id=subject_id)
    checkpoint = _covering_checkpoint(checkpoints, rows[-1][0].position)
    tree = _MemoTree(recorder)
    tree.sync()
    events = []
    for raw, chain_hash in rows:
        originator = UUID(str(raw.originator_id))
        proof = _proof(tree, raw.position, chain_hash or b"", checkpoint.tree_size)
        events.append({
            "position": raw.position,
            "event_id": f"{originator}:{raw.originator_version}",
            "type": raw.topic.rsplit(".", 1)[-1],
            "originator_id": originator.hex,
            "originator_version": raw.originator_version,
            "topic": raw.topic,
            "state": base64.b64encode(raw.state).decode(),
            "previous_hash": stored_hash_through(recorder, raw.position - 1).hex(),
            "hash": proof.event_hash,
            "proof": proof.to_dict(),
        })
    pack: dict[str, Any] = {
        "format": FORMAT,
        "subject": {"type": subject_type, "id": subject_id},
        "as_of": as_of.astimezone(UTC).isoformat(),
        "key_id": signer.key_id,
        "checkpoint": checkpoint.to_dict(),
        "events": events,
        "view": render_view(views, subject_type, subject_id, as_of),
    }
    if files is not None:
        pack["files"] = [files(sha) for sha in referenced(raw.state for raw, _ in rows)]
    pack["digest"] = _digest(pack)
    pack["signature"] = base64.b64encode(
        signer.sign_bytes(SIGNED_HEADER + pack["digest"].encode())).decode()
    return pack


def pack_bytes(pack: dict[str, Any]) -> bytes:
    return canonical(pack)


@dataclass
class PackReport:
    ok: bool
    events: int = 0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "problems": self.problems}


def verify_pack(data: bytes, public_key: Ed25519PublicKey) -> PackReport:
    """Check a pack offline: its bytes, its signature, its checkpoint, every hash and proof."""
    try:
        pack = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as error:
        return PackReport(False, problems=[f"not a pack: {error}"])
    if not isinstance(pack, dict) or pack.get("format") != FORMAT:
        return PackReport(False, problems=["not a pack: unknown format"])
    try:
        return _check(pack, data, public_key)
    except (KeyError, TypeError, ValueError, AttributeError, Invalid) as error:
        return PackReport(False, problems=[f"malformed pack: {error!r}"])


def _check(pack: dict[str, Any], data: bytes, public_key: Ed25519PublicKey) -> PackReport:
    problems = []
    if canonical(pack) != data:
        problems.append("the file is not in canonical form: bytes were changed")
    if _digest(pack) != pack["digest"]:
        problems.append("the digest does not match the content")
    if pack["key_id"] != key_id(public_key):
        problems.append(f"signed by key {pack['key_id']}, not the key given")
    try:
        public_key.verify(base64.b64decode(pack["signature"], validate=True),
                          SIGNED_HEADER + str(pack["digest"]).encode())
    except (InvalidSignature, ValueError):
        problems.append("the pack signature does not verify")
    checkpoint = Checkpoint.from_dict(pack["checkpoint"])
    if not verify_checkpoint(checkpoint, public_key):
        problems.append("the checkpoint signature does not verify")
    events = pack["events"]
    if not events:
        problems.append("the pack holds no events")
    last = 0
    for event in events:
        problems.extend(_check_event(event, checkpoint, public_key, last))
        last = int(event["position"])
    for entry in pack.get("files", []):
        if "content" in entry and sha256(base64.b64decode(entry["content"], validate=True)
                                         ).hexdigest() != entry["sha256"]:
            problems.append(f"evidence file {entry['sha256']}: its bytes do not match its hash")
    return PackReport(not problems, len(events), problems)


def _check_event(event: dict[str, Any], checkpoint: Checkpoint, public_key: Ed25519PublicKey,
                 last: int) -> list[str]:
    position = int(event["position"])
    problems = []
    if position <= last:
        problems.append(f"event at position {position} is out of log order")
    originator = UUID(hex=event["originator_id"])
    version = int(event["originator_version"])
    recomputed = link(bytes.fromhex(event["previous_hash"]), position, originator, version,
                      event["topic"], base64.b64decode(event["state"], validate=True)).hex()
    if recomputed != event["hash"]:
        problems.append(f"event at position {position}: its hash does not recompute")
    if event["event_id"] != f"{originator}:{version}" or \
            event["type"] != event["topic"].rsplit(".", 1)[-1]:
        problems.append(f"event at position {position}: id or type does not match its row")
    proof = InclusionProof.from_dict(event["proof"])
    if proof.position != position or \
            not verify_inclusion(proof, checkpoint, public_key, recomputed):
        problems.append(f"event at position {position}: its inclusion proof does not verify")
    return problems


# Disputes ---------------------------------------------------------------------------------
