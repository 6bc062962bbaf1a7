"""The committee's list of flags (`GET /api/v1/late-entries`): its arguments and its page."""
from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.answer import Answer, many, moment, text, whole
from api.schemas.fields import Choice, Identifier
from api.schemas.reads import ReadArgsSchema

FLAG_KINDS = ("late_entry", "contradiction")


class FlagSchema(Answer):
    kind = text(choices=FLAG_KINDS)
    event_id = text("the flag event")
    position = whole()
    recorded_at = moment()
    unit_ids = fields.List(fields.String(), required=True)
    data = fields.Dict(required=True, metadata={
        "description": "the LateEntryFlagged or DecisionContradicted data"})


class FlagsPageSchema(Answer):
    items = many(FlagSchema)
    next = text("give as `after` for the next page", nullable=True)


class FlagsArgsSchema(ReadArgsSchema):
    kind = Choice(FLAG_KINDS)
    unit_id = Identifier()
    after = fields.String(validate=validate.Regexp(r"^\d{1,15}$"))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
