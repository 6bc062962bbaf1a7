"""The read audit over HTTP: which reads of a subject's personal data were answered."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from api.schemas.answer import Answer, many, moment, text, whole
from api.schemas.fields import Choice, Count, Identifier
from ledger.read_audit import SUBJECT_TYPES


class ReadsArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    subject_type = Choice(SUBJECT_TYPES, required=True)
    subject_id = Identifier(required=True)
    after = Count(load_default=0, metadata={"description": "the `id` of the last read seen"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class RecordedReadSchema(Answer):
    id = whole("the read's place in the audit (increasing)")
    read_at = moment("when it was answered")
    actor = text("who read")
    role = text("the reader's role then")
    subject_type = text(choices=SUBJECT_TYPES)
    subject_id = text()
    route = text("what was read (the route's template)")
    request_id = text("the request's X-Request-Id, as in the logs")


class ReadsPageSchema(Answer):
    subject_type = text(choices=SUBJECT_TYPES)
    subject_id = text()
    reads = many(RecordedReadSchema, "oldest first")
    next_after = whole("pass as `after` for the next page")
