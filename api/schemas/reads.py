"""Query arguments of the read endpoints (views, replay, read-your-writes)."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.schemas.fields import BoundedDate, BoundedMoment, Count, Identifier
from api.schemas.views import FINDING_STATUSES
from ledger.domain.supervision import FINDING_SECTORS, FINDING_SOURCES
from ledger.domain.units import UNIT_KINDS

REPLAY_SCOPES = ("unit_id", "subject_id", "person_id", "township_id", "county_id")


class ReadArgsSchema(Schema):
    """Every read: read-your-writes, and replay where the view supports it."""

    class Meta:
        unknown = RAISE

    min_position = Count(metadata={
        "description": "answer only once the views include this log position (503 with "
                       "Retry-After if they do not within a bounded wait)"})


class ReplayArgsSchema(ReadArgsSchema):
    as_of = BoundedMoment(
        metadata={"description": "what the ledger knew at this moment (recorded_at <= as_of)"}
    )
    valid_at = BoundedDate(
        metadata={"description": "the world on this date as known now (occurred on or before)"}
    )


class HistoryArgsSchema(ReplayArgsSchema):
    after = Count(load_default=0)
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


class FindingFilterArgsSchema(ReplayArgsSchema):
    """Filters of the findings ledger; replaying it (`as_of`, `valid_at`) needs a scope."""

    # Documented as one query object, so that the rule across its parameters can be stated.
    QUERY_OBJECT = "filters"

    unit_id = Identifier()
    subject_type = fields.String(validate=validate.OneOf(("household", "unit")))
    subject_id = Identifier()
    person_id = Identifier()
    category = fields.String(validate=validate.Length(min=1, max=200))
    status = fields.String(validate=validate.OneOf(FINDING_STATUSES))
    overdue = fields.Boolean()
    due_from = BoundedDate()
    due_to = BoundedDate()
    source = fields.String(validate=validate.OneOf(FINDING_SOURCES))
    sector = fields.String(validate=validate.OneOf(FINDING_SECTORS))
    township_id = Identifier(metadata={
        "description": "findings in the unit's subtree: subject or responsible unit the unit, "
                       "a unit below it, or a household in one"})
    county_id = Identifier(metadata={"description": "as township_id"})
    closed_late = fields.Boolean(metadata={
        "description": "closed only after it had lapsed (逾期整改)"})

    @classmethod
    def openapi(cls, converter: Any, generated: dict[str, Any]) -> dict[str, Any]:
        not_replaying = {"not": {"anyOf": [{"required": ["as_of"]}, {"required": ["valid_at"]}]}}
        return {**generated, "anyOf": [not_replaying] + [
            {"required": [scope]} for scope in REPLAY_SCOPES]}

    @validates_schema
    def replay_needs_a_scope(self, args: dict[str, Any], **_: Any) -> None:
        replaying = "as_of" in args or "valid_at" in args
        if replaying and not any(args.get(k) for k in REPLAY_SCOPES):
            name = "as_of" if "as_of" in args else "valid_at"
            raise ValidationError(
                "a replayed findings ledger needs unit_id, subject_id or person_id", name
            )


class FindingsArgsSchema(FindingFilterArgsSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = Count(load_default=0)


class ExportArgsSchema(FindingFilterArgsSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class RatingsArgsSchema(ReplayArgsSchema):
    kind = fields.String(validate=validate.OneOf(UNIT_KINDS),
                         metadata={"description": "only units of this kind"})
