"""The list of units: its filters and its answer."""
from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.answer import Answer, day, flag, many, text
from api.schemas.fields import Identifier
from api.schemas.reads import ReadArgsSchema
from ledger.domain.units import LISTING_LEVELS, UNIT_KINDS


class UnitListArgsSchema(ReadArgsSchema):
    supervising_unit_id = Identifier(metadata={
        "description": "units listed under this supervising unit (督战单位)"})
    listed = fields.Boolean(metadata={"description": "listed for supervision (挂牌) or not"})
    past_due = fields.Boolean(metadata={
        "description": "listed with its delisting (摘牌) target date passed"})
    after = Identifier(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class UnitItemSchema(Answer):
    unit_id = text()
    name = text()
    kind = text(choices=UNIT_KINDS)
    parent_id = text(nullable=True)
    listed = flag()
    level = text(nullable=True, choices=LISTING_LEVELS)
    listed_since = day(nullable=True)
    supervising_unit_id = text(nullable=True)
    supervising_unit_name = text(nullable=True)
    due_date = day("the delisting (摘牌) target date of the listing", nullable=True)
    past_due = flag("listed and its due date passed")


class UnitListSchema(Answer):
    items = many(UnitItemSchema, "in unit_id order")
    next = text("pass as `after` for the following page; null on the last page",
                nullable=True)
