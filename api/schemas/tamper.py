"""Arguments and answers of tamper evidence: verification, checkpoints, Merkle proofs."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.answer import Answer, flag, hex_digest, many, moment, one, text, texts, whole
from api.schemas.fields import Count


class ListArgsSchema(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class InclusionArgsSchema(Schema):
    position = Count(1, required=True)
    tree_size = Count(1, metadata={
        "description": "tree size of a checkpoint you hold (default: the latest checkpoint)"})


class ConsistencyArgsSchema(Schema):
    old = Count(required=True)
    new = Count(metadata={
        "description": "default: the tree size of the latest checkpoint"})


class HeadSchema(Answer):
    position = whole()
    hash = hex_digest()


class VerificationSchema(Answer):
    ok = flag()
    checked = whole("events checked")
    head = one(HeadSchema, nullable=True)
    first_bad_position = whole(nullable=True)
    problem = text(nullable=True)
    checkpoints_checked = whole()


class CheckpointSchema(Answer):
    tree_size = whole()
    position = whole()
    hash = hex_digest()
    root = hex_digest("the Merkle tree root")
    signed_at = moment()
    key_id = text()
    signature = text("Ed25519, base64")


class CheckpointListSchema(Answer):
    enabled = flag("whether the service has a signing key")
    key_id = text(nullable=True)
    public_key = text("PEM", nullable=True)
    checkpoints = many(CheckpointSchema)


class InclusionProofSchema(Answer):
    position = whole()
    leaf_index = whole()
    tree_size = whole()
    event_hash = hex_digest()
    path = texts("sibling hashes, hex, from the leaf up")


class ConsistencyProofSchema(Answer):
    old_size = whole()
    new_size = whole()
    path = texts("hashes, hex")


class InclusionAnswerSchema(Answer):
    proof = one(InclusionProofSchema)
    checkpoint = one(CheckpointSchema, "null when you named a tree_size", nullable=True)


class ConsistencyAnswerSchema(Answer):
    proof = one(ConsistencyProofSchema)
    checkpoint = one(CheckpointSchema, "null when you named `new`", nullable=True)
