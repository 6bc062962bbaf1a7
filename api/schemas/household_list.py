"""The household list (分类台账): its filters and its answer."""
from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.answer import Answer, day, flag, many, text, whole
from api.schemas.fields import Identifier
from api.schemas.reads import ReadArgsSchema
from ledger.domain.crosscheck import POVERTY_STATUSES
from ledger.domain.monitoring import MONITORING_TYPES
from ledger.domain.registry import HOUSEHOLD_CATEGORIES

EXIT_CLASSES = ("A", "B", "C")


class HouseholdFilterArgsSchema(ReadArgsSchema):
    """Every filter narrows the list; a cadre or viewer sees only its own unit's households."""

    village_id = Identifier(metadata={"description": "households of this village"})
    township_id = Identifier(metadata={
        "description": "households of every village under this township"})
    category = fields.String(validate=validate.OneOf(HOUSEHOLD_CATEGORIES))
    poverty_status = fields.String(validate=validate.OneOf(POVERTY_STATUSES))
    exit_class = fields.String(validate=validate.OneOf(EXIT_CLASSES))
    key = fields.Boolean(metadata={"description": "key households (重点户) only, or none"})
    monitoring = fields.String(
        validate=validate.OneOf((*MONITORING_TYPES, "any", "none")),
        metadata={"description": "a monitoring type, `any` (monitored) or `none`"})
    unvisited_days = fields.Integer(
        validate=validate.Range(min=1, max=3660),
        metadata={"description": "no visit (visit or unannounced inspection) in the N days up "
                                 "to today"})


class HouseholdListArgsSchema(HouseholdFilterArgsSchema):
    after = Identifier(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class HouseholdItemSchema(Answer):
    household_id = text()
    village_id = text()
    township_id = text(nullable=True)
    county_id = text(nullable=True)
    category = text(choices=HOUSEHOLD_CATEGORIES)
    poverty_status = text(choices=POVERTY_STATUSES)
    exit_class = text(nullable=True, choices=EXIT_CLASSES)
    key_household = flag()
    monitoring = text(nullable=True, choices=MONITORING_TYPES)
    last_visit = day("the latest visit by business date", nullable=True)
    open_findings = whole("findings on the household not closed or withdrawn")
    size = whole(nullable=True)


class HouseholdListSchema(Answer):
    items = many(HouseholdItemSchema, "in household_id order")
    next = text("pass as `after` for the following page; null on the last page",
                nullable=True)
