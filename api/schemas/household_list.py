"""The household list (分类台账): its filters and its answer."""
from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.answer import Answer, day, flag, many, personal, text, whole
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
    q = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "the head's or a member's name or a part of it, a household or member "
                       "id, or a 身份证号"})
    mismatch_overdue = fields.Boolean(metadata={
        "description": "with a mismatch with the information system unresolved after its due "
                       "date (true), or none (false)"})


class HouseholdListArgsSchema(HouseholdFilterArgsSchema):
    after = Identifier(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class HelperCadreSchema(Answer):
    person_id = text()
    name = personal("null once erased")


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
    mismatch_due = day("the earliest due date of its open mismatches", nullable=True)
    head_name = personal("the head's name; null once erased")
    village_name = text(nullable=True)
    township_name = text(nullable=True)
    helper_cadres = many(HelperCadreSchema, "its helper cadres (帮扶干部) today")


class HouseholdListSchema(Answer):
    items = many(HouseholdItemSchema, "in household_id order")
    next = text("pass as `after` for the following page; null on the last page",
                nullable=True)
    total = whole("the number of households matching every filter")
