"""The `data` of events the ledger records itself, for the documentation only: never loaded
from a client (event_data.py holds the types clients may submit)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from api.schemas.fields import Choice, Identifier, IdentifierList, IsoDate
from ledger.identity import ROLES, SCOPES


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
    since = IsoDate(metadata={"description": "the business day it stops counting from, when "
                                             "not the event's own (withdrawn: its raise day)"})


class QuarterlyRatingWithdrawn(Logged):
    unit_id = Identifier(required=True)
    period = fields.String(required=True)
    rating_version = fields.Integer(
        required=True, metadata={"description": "the unit's event that recorded the light"})
    reason = fields.String(required=True)
    decided_by = fields.String(metadata={"description": "who recorded the light"})


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
    due_date = fields.String(metadata={
        "description": "the comparison's date + mismatch_days; overdue the day after"})
    responsible_person_ids = IdentifierList(metadata={
        "description": "the household's helper cadres on the comparison's date"})


class ExitAnnulled(Logged):
    household_id = Identifier(required=True)
    year = fields.Integer(required=True)
    exited_event_id = fields.String(required=True, metadata={
        "description": "the HouseholdExited a dispute overturned"})
    reason = fields.String(required=True)
    decided_by = fields.String(metadata={"description": "who recorded the exit"})


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
    scopes = fields.List(Choice(tuple(SCOPES)), metadata={
        "description": "scopes beside the role (`replicate`: the global log, sealed)"})


class TokenRevoked(Logged):
    reason = fields.String(required=True)



class PoorVillageHouseholdNoted(Logged):
    village_id = Identifier(required=True)
    household_id = Identifier(required=True)


class VillageExitAnnulled(Logged):
    village_id = Identifier(required=True)
    year = fields.Integer(required=True)
    exit_event_id = fields.String(required=True, metadata={
        "description": "the VillageExitRecorded a dispute overturned"})
    reason = fields.String(required=True)


class RuleParameterNotedForUnit(Logged):
    parameter = fields.String(required=True)
    value = fields.Float(required=True)
    unit_id = Identifier(required=True)
class FindingReopened(Logged):
    finding_id = Identifier(required=True)
    verification_event_id = fields.String(required=True, metadata={
        "description": "the accepted RectificationVerified a dispute overturned"})
    decided_by = fields.String(required=True, metadata={"description": "who recorded it"})
    reason = fields.String(required=True)


class UnitRelisted(Logged):
    unit_id = Identifier(required=True)
    level = fields.String(required=True)
    delisted_event_id = fields.String(required=True)
    decided_by = fields.String(required=True)
    reason = fields.String(required=True)


class MeasureReopened(Logged):
    household_id = Identifier(required=True)
    measure_id = Identifier(required=True)
    completed_event_id = fields.String(required=True)
    decided_by = fields.String(required=True)
    reason = fields.String(required=True)


class MonitoringResumed(Logged):
    household_id = Identifier(required=True)
    eliminated_event_id = fields.String(required=True)
    decided_by = fields.String(required=True)
    reason = fields.String(required=True)


class MismatchReopened(Logged):
    household_id = Identifier(required=True)
    mismatch_event_id = fields.String(required=True)
    resolved_event_id = fields.String(required=True)
    decided_by = fields.String(required=True)
    reason = fields.String(required=True)


class ScoreWithdrawn(Logged):
    dispute_id = Identifier(required=True)
    score_event_id = fields.String(required=True)
    round_id = Identifier(required=True)
    village_id = Identifier(required=True)
    section = fields.String(required=True)
    decided_by = fields.String(required=True)
    reason = fields.String(required=True)


class EventOverturned(Logged):
    dispute_id = Identifier(required=True)
    event_id = fields.String(required=True, metadata={"description": "the overturned event"})
    type = fields.String(required=True)
    subject_type = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    decided_by = fields.String(required=True)
    reason = fields.String(required=True)


class Change(Schema):
    subject_type = fields.String(required=True)
    subject_id = fields.String(required=True)
    field = fields.String(required=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)


class LateEntryFlagged(Logged):
    event_id = fields.String(required=True, metadata={"description": "the late entry"})
    type = fields.String(required=True)
    recorded_by = fields.String(required=True)
    days_late = fields.Integer(required=True)
    changes = fields.List(fields.Nested(Change), required=True)
    unit_ids = fields.List(fields.String(), required=True, metadata={
        "description": "the units whose subtrees the changed subjects are in"})


class DecisionContradicted(Logged):
    event_id = fields.String(required=True, metadata={"description": "the decision"})
    type = fields.String(required=True)
    decided_by = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.String(required=True)
    on = fields.String(required=True, metadata={"description": "the decision's date"})
    evidence = fields.List(fields.String(), required=True)
    reasons = fields.List(fields.Dict(), required=True, metadata={
        "description": "each unmet condition, as a refusal names it"})
    unit_ids = fields.List(fields.String(), required=True)


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
