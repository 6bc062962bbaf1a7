"""Evidence files: the subject a stored file is about, and what the store answers."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.reads import ReadArgsSchema

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="a SHA-256 in lowercase hex (64 characters)")
FILE_SUBJECT_TYPES = ("household", "person", "unit")


class EvidenceHashSchema(Schema):
    sha256 = fields.String(required=True, validate=SHA256)


class EvidenceSubjectSchema(ReadArgsSchema):
    subject_type = fields.String(required=True, validate=validate.OneOf(FILE_SUBJECT_TYPES),
                                 metadata={"description": "what the file is about"})
    subject_id = fields.String(required=True, validate=validate.Length(min=1, max=100))


class StoredEvidenceSchema(Schema):
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    media_type = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.String(required=True)
    stored = fields.Boolean(required=True, metadata={
        "description": "true when this upload stored the file; false when it was kept already"})
