"""Tamper evidence over HTTP: verification, signed checkpoints and Merkle proofs."""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.auth import require_actor
from ledger.tamper.signing import Checkpoint, public_pem
from ledger.tamper.checkpoints import Checkpoints
from ledger.errors import Forbidden, NotFound
from ledger.tamper.proofs import consistency_proof, inclusion_proof
from ledger.tamper.verification import verify_chain

blp = Blueprint("ledger", __name__, url_prefix="/api/v1/ledger",
                description="Verification, signed checkpoints and proofs")
blp.before_request(require_actor)

ALL_STORED = 10**9


class HeadSchema(Schema):
    position = fields.Integer()
    hash = fields.String()


class VerificationSchema(Schema):
    ok = fields.Boolean()
    checked = fields.Integer()
    head = fields.Nested(HeadSchema, allow_none=True)
    first_bad_position = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)
    checkpoints_checked = fields.Integer()


class CheckpointSchema(Schema):
    tree_size = fields.Integer()
    position = fields.Integer()
    hash = fields.String()
    root = fields.String()
    signed_at = fields.String()
    key_id = fields.String()
    signature = fields.String(metadata={"description": "Ed25519, base64"})


class CheckpointListSchema(Schema):
    enabled = fields.Boolean()
    key_id = fields.String(allow_none=True)
    public_key = fields.String(allow_none=True, metadata={"description": "PEM"})
    checkpoints = fields.List(fields.Nested(CheckpointSchema))


class ListArgsSchema(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class InclusionArgsSchema(Schema):
    position = fields.Integer(required=True, validate=validate.Range(min=1))
    tree_size = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "tree size of a checkpoint you hold (default: the latest checkpoint)"})


class ConsistencyArgsSchema(Schema):
    old = fields.Integer(required=True, validate=validate.Range(min=0))
    new = fields.Integer(validate=validate.Range(min=0), metadata={
        "description": "default: the tree size of the latest checkpoint"})


class InclusionProofSchema(Schema):
    position = fields.Integer()
    leaf_index = fields.Integer()
    tree_size = fields.Integer()
    event_hash = fields.String()
    path = fields.List(fields.String())


class ConsistencyProofSchema(Schema):
    old_size = fields.Integer()
    new_size = fields.Integer()
    path = fields.List(fields.String())


class InclusionAnswerSchema(Schema):
    proof = fields.Nested(InclusionProofSchema)
    checkpoint = fields.Nested(CheckpointSchema, allow_none=True)


class ConsistencyAnswerSchema(Schema):
    proof = fields.Nested(ConsistencyProofSchema)
    checkpoint = fields.Nested(CheckpointSchema, allow_none=True)


def _checkpoints() -> Checkpoints:
    return current_app.extensions["checkpoints"]


def _recorder():  # type: ignore[no-untyped-def]
    return current_app.extensions["ledger"].recorder


@blp.get("/verify")
@blp.response(200, VerificationSchema)
def verify():  # type: ignore[no-untyped-def]
    """Recompute the chain over the whole log and check the stored checkpoints against it."""
    checkpoints = _checkpoints()
    stored = checkpoints.listing(ALL_STORED, newest_first=False)
    key = current_app.extensions["verifying_key"]
    return verify_chain(_recorder(), stored, key).to_dict()


@blp.get("/checkpoints")
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, CheckpointListSchema)
def list_checkpoints(args: dict):  # type: ignore[no-untyped-def]
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
def make_checkpoint():  # type: ignore[no-untyped-def]
    """Verify the log since the last checkpoint, then sign its head (admin only)."""
    if g.actor.role != "admin":
        raise Forbidden("only an admin may sign a checkpoint", role=g.actor.role)
    return _checkpoints().make().to_dict()


@blp.get("/proofs/inclusion")
@blp.arguments(InclusionArgsSchema, location="query")
@blp.response(200, InclusionAnswerSchema)
def prove_inclusion(args: dict):  # type: ignore[no-untyped-def]
    """A Merkle proof that the event at `position` is in the tree of a checkpoint."""
    latest = _latest_unless(args.get("tree_size"))
    tree_size = latest.tree_size if latest is not None else args["tree_size"]
    proof = inclusion_proof(_recorder(), args["position"], tree_size)
    return {"proof": proof.to_dict(), "checkpoint": latest.to_dict() if latest else None}


@blp.get("/proofs/consistency")
@blp.arguments(ConsistencyArgsSchema, location="query")
@blp.response(200, ConsistencyAnswerSchema)
def prove_consistency(args: dict):  # type: ignore[no-untyped-def]
    """A Merkle proof that the tree of size `new` extends the tree of size `old`."""
    latest = _latest_unless(args.get("new"))
    new = latest.tree_size if latest is not None else args["new"]
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
