"""Query arguments and answers of the read endpoints (views, replay, read-your-writes)."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.schemas.envelope import LoggedEventSchema
from api.schemas.fields import Identifier

FINDING_STATUSES = ("open", "rectification_reported", "closed", "withdrawn")


class ReadArgsSchema(Schema):
    """Every read: read-your-writes, and replay where the view supports it."""

    class Meta:
        unknown = RAISE

    min_position = fields.Integer(
        validate=validate.Range(min=0),
        metadata={"description": "answer only once the views include this log position"},
    )


class ReplayArgsSchema(ReadArgsSchema):
    as_of = fields.AwareDateTime(
        metadata={"description": "what the ledger knew at this moment (recorded_at <= as_of)"}
    )
    valid_at = fields.Date(
        metadata={"description": "the world on this date as known now (occurred on or before)"}
    )


class HistoryArgsSchema(ReplayArgsSchema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


class FindingFilterArgsSchema(ReplayArgsSchema):
    unit_id = Identifier()
    subject_type = fields.String(validate=validate.OneOf(("household", "unit")))
    subject_id = Identifier()
    person_id = Identifier()
    category = fields.String(validate=validate.Length(min=1, max=200))
    status = fields.String(validate=validate.OneOf(FINDING_STATUSES))
    overdue = fields.Boolean()
    due_from = fields.Date()
    due_to = fields.Date()

    @validates_schema
    def replay_needs_a_scope(self, args: dict[str, Any], **_: Any) -> None:
        replaying = "as_of" in args or "valid_at" in args
        if replaying and not any(args.get(k) for k in ("unit_id", "subject_id", "person_id")):
            name = "as_of" if "as_of" in args else "valid_at"
            raise ValidationError(
                "a replayed findings ledger needs unit_id, subject_id or person_id", name
            )


class FindingsArgsSchema(FindingFilterArgsSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ExportArgsSchema(FindingFilterArgsSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class FindingSummarySchema(Schema):
    finding_id = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    category = fields.String()
    description = fields.String()
    responsible_unit_id = fields.String()
    responsible_person_id = fields.String(allow_none=True)
    raised_on = fields.String()
    due_date = fields.String()
    status = fields.String(metadata={"enum": list(FINDING_STATUSES)})
    overdue = fields.Boolean()
    closed_on = fields.String(allow_none=True)
    raised_event = fields.String()
    closing_event = fields.String(allow_none=True)


class FindingDetailSchema(FindingSummarySchema):
    inspection_id = fields.String(allow_none=True)
    rejections = fields.List(fields.Dict())
    trail = fields.List(fields.Dict(), metadata={"description": "every event of the finding"})


class UnitCountSchema(Schema):
    unit_id = fields.String()
    total = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    closed = fields.Integer()


class FindingsPageSchema(Schema):
    as_of_date = fields.String()
    findings = fields.List(fields.Nested(FindingSummarySchema))
    counts_by_unit = fields.List(fields.Nested(UnitCountSchema))
    limit = fields.Integer()
    offset = fields.Integer()


class CriterionSchema(Schema):
    number = fields.Integer()
    name = fields.String()
    holds = fields.Boolean(allow_none=True, metadata={"description": "null: facts not recorded"})
    facts = fields.Dict()
    event_ids = fields.List(fields.String())


class HouseholdStatusSchema(Schema):
    household_id = fields.String()
    village_id = fields.String()
    head_name = fields.String()
    size = fields.Integer()
    category = fields.String()
    as_of_date = fields.String(metadata={"description": "the business date rules were judged on"})
    key_household = fields.Boolean()
    criteria = fields.List(fields.Nested(CriterionSchema))
    guarantees = fields.Dict()
    income = fields.Dict()
    exit_class = fields.String(allow_none=True, metadata={"enum": ["A", "B", "C"]})
    pre_exit = fields.Boolean()
    open_findings = fields.List(fields.Nested(FindingSummarySchema))
    overdue_findings = fields.List(fields.String())
    last_visit = fields.Dict(allow_none=True)
    responsible = fields.List(fields.Dict())


class HistorySchema(Schema):
    household_id = fields.String()
    events = fields.List(fields.Nested(LoggedEventSchema))
    next_after = fields.Integer()


class UnitBoardSchema(Schema):
    unit_id = fields.String()
    name = fields.String()
    kind = fields.String()
    parent_id = fields.String(allow_none=True)
    as_of_date = fields.String()
    listed = fields.Boolean()
    listing = fields.Dict(allow_none=True)
    listing_history = fields.List(fields.Dict())
    current_period = fields.String()
    warnings_by_period = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()))
    interviews = fields.List(fields.Dict())
    findings = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    delisting_allowed = fields.Boolean()
    responsible = fields.List(fields.Dict())


class AccountabilitySchema(Schema):
    person_id = fields.String()
    name = fields.String()
    unit_id = fields.String()
    as_of_date = fields.String()
    responsibilities = fields.List(fields.Dict())
    unvisited_households = fields.List(fields.Dict())
    overdue_findings = fields.List(fields.Dict())
    rejected_rectifications = fields.List(fields.Dict())
    warnings_of_units_headed = fields.List(fields.Dict())
    interviews_required = fields.List(fields.Dict())
    interviews_held = fields.List(fields.Dict())
    measures = fields.List(fields.Dict())


class ScoringSchema(Schema):
    round_id = fields.String()
    villages = fields.List(fields.Dict())
    top = fields.List(fields.Dict(), metadata={"description": "rewards 5000/3000/2000 yuan"})
    bottom = fields.List(fields.Dict(), metadata={"description": "deductions 5000/3000/2000"})
