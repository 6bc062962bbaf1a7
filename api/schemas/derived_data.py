"""The `data` of events the ledger records itself, for the documentation only: never loaded
from a client (event_data.py holds the types clients may submit)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from api.schemas.fields import Choice, Identifier, IdentifierList
from ledger.identity import ROLES


class Logged(Schema):
    class Meta:
        unknown = RAISE


def Periods() -> fields.List:  # noqa: N802 - reads as a field type
    return fields.List(fields.String(), required=True, metadata={"description": "two periods"})


class InterviewRequired(Logged):
    unit_id = Identifier(required=True)
    person_id = Identifier(
        metadata={"description": "the unit's main responsible person then; absent if none"}
    )
    warning_ids = IdentifierList(required=True)
    periods = Periods()


class InterviewVoided(Logged):
    unit_id = Identifier(required=True)
    warning_ids = IdentifierList(required=True)
    periods = Periods()
    reason = fields.String(required=True)


class FindingAttached(Logged):
    unit_id = Identifier(required=True)
    finding_id = Identifier(required=True)


class OpenFindingCounted(Logged):
    unit_id = Identifier(required=True)
    finding_id = Identifier(required=True)


class OpenFindingSettled(Logged):
    unit_id = Identifier(required=True)
    finding_id = Identifier(required=True)
    reason = Choice(("closed", "withdrawn", "transferred"), required=True)


class QuarterlyRatingWithdrawn(Logged):
    unit_id = Identifier(required=True)
    period = fields.String(required=True)
    rating_version = fields.Integer(
        required=True, metadata={"description": "the unit's event that recorded the light"})
    reason = fields.String(required=True)


class YellowCardNoted(Logged):
    unit_id = Identifier(required=True)
    warning_id = Identifier(required=True)
    period = fields.String(required=True)


class YellowCardWithdrawn(Logged):
    unit_id = Identifier(required=True)
    warning_id = Identifier(required=True)


class DataMismatchFound(Logged):
    household_id = Identifier(required=True)
    field = fields.String(required=True, metadata={"description": "the compared field"})
    system_value = fields.Raw(required=True, metadata={"description": "the system's value"})
    ledger_value = fields.Raw(required=True, allow_none=True, metadata={
        "description": "what the ledger knew valid on the record's date; null: nothing"})
    compared_event_id = Identifier(required=True, metadata={
        "description": "the SystemRecordCompared event"})


class ExitAnnulled(Logged):
    household_id = Identifier(required=True)
    year = fields.Integer(required=True)
    exited_event_id = fields.String(required=True, metadata={
        "description": "the HouseholdExited a dispute overturned"})
    reason = fields.String(required=True)


class HouseholdInspectionNoted(Logged):
    household_id = Identifier(required=True)
    inspection_id = Identifier(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
    income = fields.Dict(keys=fields.String(), values=fields.Float())


class HouseholdFindingNoted(Logged):
    household_id = Identifier(required=True)
    finding_id = Identifier(required=True)


class RulebookOpened(Logged):
    pass


class RuleParameterNoted(Logged):
    parameter = fields.String(required=True)
    value = fields.Float(required=True)
    year = fields.Integer()


class TokenIssued(Logged):
    token_sha256 = fields.String(required=True)
    actor_id = fields.String(required=True)
    role = Choice(tuple(ROLES), required=True)
    unit_id = Identifier()
    expires_at = fields.DateTime(
        metadata={"description": "refused from this moment on; absent: it never expires"}
    )


class TokenRevoked(Logged):
    reason = fields.String(required=True)


class IdNumberClaimed(Logged):
    fingerprint = fields.String(required=True, metadata={
        "description": "a keyed hash of the id number (never the number itself)"})
    household_id = Identifier(required=True)
    member_id = Identifier(required=True)


class IdNumberTaken(Logged):
    household_id = Identifier(required=True)
    member_id = Identifier(required=True)


class IdNumberReleased(Logged):
    household_id = Identifier(required=True)
    member_id = Identifier(required=True)


SCHEMAS: tuple[type[Schema], ...] = tuple(Logged.__subclasses__())
