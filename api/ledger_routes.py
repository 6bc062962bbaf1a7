"""Tamper evidence over HTTP: verification, signed checkpoints and Merkle proofs."""
from __future__ import annotations

from flask import current_app, g
from marshmallow import RAISE

from api.auth import require_actor
from api.openapi import LedgerBlueprint
from api.schemas.tamper import (
    CheckpointListSchema,
    CheckpointSchema,
    ConsistencyAnswerSchema,
    ConsistencyArgsSchema,
    InclusionAnswerSchema,
    InclusionArgsSchema,
    ListArgsSchema,
    VerificationSchema,
)
from ledger.errors import Forbidden, Invalid, NotFound
from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.proofs import consistency_proof, inclusion_proof
from ledger.tamper.signing import Checkpoint, public_pem
from ledger.tamper.verification import verify_chain

blp = LedgerBlueprint("ledger", __name__, url_prefix="/api/v1/ledger",
                      description="Verification, signed checkpoints and proofs")
blp.before_request(require_actor)

ALL_STORED = 10**9


def _checkpoints() -> Checkpoints:
    return current_app.extensions["checkpoints"]


def _recorder():
    return current_app.extensions["ledger"].recorder


@blp.get("/verify")
@blp.response(200, VerificationSchema)
@blp.errors(401)
def verify():
    """Recompute the chain over the whole log and check the stored checkpoints against it."""
    checkpoints = _checkpoints()
    stored = checkpoints.listing(ALL_STORED, newest_first=False)
    key = current_app.extensions["verifying_key"]
    return verify_chain(_recorder(), stored, key).to_dict()


@blp.get("/checkpoints")
@blp.arguments(ListArgsSchema, location="query", unknown=RAISE)
@blp.response(200, CheckpointListSchema)
@blp.errors(401)
def list_checkpoints(args: dict):
    """Signed checkpoints, newest first, with the public key that checks them."""
    checkpoints = _checkpoints()
    signer = checkpoints.signer
    return {
        "enabled": checkpoints.enabled,
        "key_id": signer.key_id if signer else None,
        "public_key": public_pem(signer.public_key) if signer else None,
        "checkpoints": [c.to_dict() for c in checkpoints.listing(args["limit"])],
    }


@blp.post("/checkpoints")
@blp.response(201, CheckpointSchema)
@blp.errors(401, 403, 409, 422)
def make_checkpoint():
    """Verify the log since the last checkpoint, then sign its head (admin only).

    409: no signing key (checkpoints_disabled) or the log does not verify; 422: the log is
    empty."""
    if g.actor.role != "admin":
        raise Forbidden("only an admin may sign a checkpoint", role=g.actor.role)
    return _checkpoints().make().to_dict()


@blp.get("/proofs/inclusion")
@blp.arguments(InclusionArgsSchema, location="query", unknown=RAISE)
@blp.response(200, InclusionAnswerSchema)
@blp.errors(401, 404)
def prove_inclusion(args: dict):
    """A Merkle proof that the event at `position` is in the tree of a checkpoint.

    404: no event at `position`, a log shorter than `tree_size`, the event outside the tree of
    `tree_size`, or no checkpoint yet when `tree_size` is not given."""
    latest = _latest_unless(args.get("tree_size"))
    tree_size = latest.tree_size if latest is not None else args["tree_size"]
    try:
        proof = inclusion_proof(_recorder(), args["position"], tree_size)
    except Invalid as error:  # the event is not in that tree: there is no such proof
        raise NotFound(error.message, **error.details) from None
    return {"proof": proof.to_dict(), "checkpoint": latest.to_dict() if latest else None}


@blp.get("/proofs/consistency")
@blp.arguments(ConsistencyArgsSchema, location="query", unknown=RAISE)
@blp.response(200, ConsistencyAnswerSchema)
@blp.errors(401, 404)
def prove_consistency(args: dict):
    """A Merkle proof that the tree of size `new` extends the tree of size `old`.

    404: a log shorter than `new`, `old` larger than `new` (no tree extends a larger one), or
    no checkpoint yet when `new` is not given."""
    latest = _latest_unless(args.get("new"))
    new = latest.tree_size if latest is not None else args["new"]
    if args["old"] > new:
        raise NotFound(f"tree size {args['old']} cannot precede tree size {new}", field="old")
    proof = consistency_proof(_recorder(), args["old"], new)
    return {"proof": proof.to_dict(), "checkpoint": latest.to_dict() if latest else None}


def _latest_unless(tree_size: int | None) -> Checkpoint | None:
    """The latest checkpoint, needed when the client names no tree size of its own."""
    if tree_size is not None:
        return None
    latest = _checkpoints().latest()
    if latest is None:
        raise NotFound("no checkpoint yet: name a tree_size or make a checkpoint first")
    return latest
