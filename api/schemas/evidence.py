"""Answers of evidence packs and disputes."""
from __future__ import annotations

from marshmallow import fields

from api.schemas.answer import Answer, hex_digest, many, moment, one, personal, text, whole
from api.schemas.envelope import LoggedEventSchema
from api.schemas.fields import Alternatives, BoundedMoment
from api.schemas.reads import ReadArgsSchema
from api.schemas.tamper import CheckpointSchema, InclusionProofSchema
from api.schemas.views import VIEW_SCHEMAS
from ledger.domain.scoring import DISPUTE_OUTCOMES

SUBJECT_TYPES = tuple(VIEW_SCHEMAS)


def _view(description: str) -> Alternatives:
    return Alternatives(*VIEW_SCHEMAS.values(), required=True, allow_none=True,
                        metadata={"description": description})


class EvidenceArgsSchema(ReadArgsSchema):
    as_of = BoundedMoment(metadata={"description": "the moment (default: now)"})


class SubjectSchema(Answer):
    type = text(choices=SUBJECT_TYPES)
    id = text()


class PackEventSchema(Answer):
    position = whole()
    event_id = text()
    type = text()
    originator_id = text("the aggregate's UUID, hex")
    originator_version = whole()
    topic = text()
    state = fields.String(required=True, metadata={
        "format": "byte", "description": "the stored event, base64, as hashed"})
    previous_hash = hex_digest()
    hash = hex_digest()
    proof = one(InclusionProofSchema, "inclusion in the pack's checkpoint")


class PackFileSchema(Answer):
    sha256 = hex_digest()
    status = text("included, erased (its subject's key is gone), withheld (outside the "
                  "reader's scope) or not_stored", choices=("included", "erased", "withheld",
                                                            "not_stored"))
    media_type = fields.String()
    size = fields.Integer()
    subject = fields.Nested(SubjectSchema)
    content = fields.String(metadata={"format": "byte",
                                      "description": "the file's bytes (when included)"})


class EvidencePackSchema(Answer):
    format = text()
    subject = one(SubjectSchema)
    as_of = moment()
    key_id = text()
    checkpoint = one(CheckpointSchema)
    events = many(PackEventSchema)
    view = _view("the subject's view as of `as_of`, as the read API gives it")
    digest = hex_digest("SHA-256 over the pack without digest and signature")
    signature = text("Ed25519 over the digest, base64")
    files = fields.List(fields.Nested(PackFileSchema), metadata={
        "description": "the evidence files the events name by hash"})


class DisputedEventSchema(LoggedEventSchema):
    consequences = fields.List(fields.Nested(lambda: DisputedEventSchema()), required=True,
                               metadata={"description": "what the ledger recorded because of it"})


class DisputeSchema(Answer):
    dispute_id = text()
    status = text(choices=("open", "resolved"))
    grounds = personal()
    outcome = text(nullable=True, choices=DISPUTE_OUTCOMES)
    opened = one(DisputedEventSchema, "the DisputeOpened")
    resolved = one(DisputedEventSchema, "the DisputeResolved, with what the ledger undid",
                   nullable=True)
    contested = one(DisputedEventSchema, nullable=True)
    consequences = many(DisputedEventSchema, "what the ledger recorded to undo an overturned "
                        "decision (empty while open or upheld)")
    subject = one(SubjectSchema, "what the contested event is about", nullable=True)
    view_when_recorded = _view("the subject replayed as of when the contested event was "
                               "recorded")
    evidence_pack = text("its URL", nullable=True)
