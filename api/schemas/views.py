"""The answers of the view reads: household status, findings, unit boards, accountability
trails and competition rounds, each as `projections` renders it."""
from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.answer import (
    Answer,
    day,
    event_ids,
    flag,
    hex_digest,
    many,
    moment,
    number,
    one,
    personal,
    text,
    texts,
    whole,
)
from api.schemas.envelope import LoggedEventSchema, TypedData
from api.schemas.event_data import RESPONSIBILITY_ROLES, SUBJECT_TYPES
from ledger.domain.registry import HOUSEHOLD_CATEGORIES, MEASURES
from ledger.domain.supervision import CHECK_NAMES, CHECK_VALUES, INCOME_SOURCES, WARNING_COLORS
from ledger.domain.units import LISTING_LEVELS, UNIT_KINDS

FINDING_STATUSES = ("open", "rectification_reported", "closed", "withdrawn")


# Findings ---------------------------------------------------------------------------------
class FindingSummarySchema(Answer):
    finding_id = text()
    subject_type = text(choices=SUBJECT_TYPES)
    subject_id = text()
    category = text()
    description = personal()
    responsible_unit_id = text()
    responsible_person_id = text(nullable=True)
    raised_on = day()
    due_date = day()
    status = text(choices=FINDING_STATUSES)
    overdue = flag("open after its due date, on `as_of_date`")
    closed_on = day(nullable=True)
    raised_event = text()
    closing_event = text(nullable=True)


class ReportSchema(Answer):
    event_id = text()
    actor = text()


class RejectionSchema(Answer):
    event_id = text("the RectificationVerified that rejected it")
    on = day()
    note = personal()
    report = one(ReportSchema, "the rejected report", nullable=True)


class TrailStepSchema(TypedData, Answer):
    event_id = text()
    type = text()
    position = whole()
    occurred_at = moment()
    recorded_at = moment()
    actor = text()
    data = fields.Dict(required=True)


class FindingDetailSchema(FindingSummarySchema):
    inspection_id = text(nullable=True)
    rejections = many(RejectionSchema)
    trail = many(TrailStepSchema, "every event of the finding, in order")


class UnitCountSchema(Answer):
    unit_id = text()
    total = whole()
    open = whole()
    overdue = whole()
    closed = whole()


class FindingsPageSchema(Answer):
    as_of_date = day("the business date statuses were judged on")
    findings = many(FindingSummarySchema)
    counts_by_unit = many(UnitCountSchema)
    limit = whole()
    offset = whole()


# Households -------------------------------------------------------------------------------
class HistoryEventSchema(LoggedEventSchema):
    hash = hex_digest("the chain hash; null while the chain has not reached it", nullable=True)


class HistorySchema(Answer):
    household_id = text()
    events = many(HistoryEventSchema)
    next_after = whole("pass as `after` for the next page")


class CriterionSchema(Answer):
    number = whole()
    name = text()
    holds = flag("null: facts not recorded", nullable=True)
    facts = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True,
                        metadata={"description": "the facts it was judged on"})
    event_ids = event_ids()


class GuaranteeSchema(Answer):
    value = text(choices=(*CHECK_VALUES, "unknown"))
    event_id = text(nullable=True)
    on = day(nullable=True)


GuaranteesSchema = Answer.from_dict(
    {name: one(GuaranteeSchema) for name in CHECK_NAMES}, name="GuaranteesSchema")
IncomeSourcesSchema = Answer.from_dict(
    {name: number() for name in INCOME_SOURCES}, name="IncomeSourcesSchema")


class RuleValueSchema(Answer):
    value = number()
    event_id = text("the RuleParameterSet in force; null for the default", nullable=True)
    default = fields.String(metadata={"description": "where the default comes from"})


class IncomeStatusSchema(Answer):
    sources = one(IncomeSourcesSchema, nullable=True)
    total = number(nullable=True)
    size = whole()
    per_capita = number(nullable=True)
    event_id = text(nullable=True)
    year = whole()
    standard = one(RuleValueSchema, "the income standard of `year`")
    meets_standard = flag(nullable=True)
    edge_line = one(RuleValueSchema)
    below_edge_line = flag(nullable=True)


class LastVisitSchema(Answer):
    inspection_id = text()
    on = day()
    occurred_at = moment()
    inspector_ids = texts()
    event_id = text()


class ResponsibleSchema(Answer):
    person_id = text()
    role = text(choices=RESPONSIBILITY_ROLES)
    from_ = day(key="from")
    to = day("the day it ended (exclusive)", nullable=True)
    assigned_event = text()


class HouseholdStatusSchema(Answer):
    household_id = text()
    village_id = text()
    head_name = personal()
    size = whole()
    category = text(choices=HOUSEHOLD_CATEGORIES)
    as_of_date = day("the business date rules were judged on")
    key_household = flag()
    criteria = many(CriterionSchema, "the ten key-household criteria")
    guarantees = one(GuaranteesSchema)
    income = one(IncomeStatusSchema)
    exit_class = text(nullable=True, choices=("A", "B", "C"))
    pre_exit = flag()
    open_findings = many(FindingSummarySchema)
    overdue_findings = texts()
    last_visit = one(LastVisitSchema, nullable=True)
    responsible = many(ResponsibleSchema)


# Units ------------------------------------------------------------------------------------
class ListingSchema(Answer):
    level = text(choices=LISTING_LEVELS)
    since = day()
    event_id = text()


class ListingChangeSchema(Answer):
    change = text(choices=("listed", "delisted"))
    level = fields.String(metadata={"enum": list(LISTING_LEVELS), "description": "when listed"})
    on = day()
    event_id = text()


class BoardWarningSchema(Answer):
    warning_id = text()
    color = text(choices=WARNING_COLORS)
    period = text()
    reason = text()
    finding_ids = texts()
    issued_on = day()
    event_id = text()
    revoked_event = text(nullable=True)
    revoked = flag()


class InterviewSchema(Answer):
    person_id = text("the unit's main responsible person then", nullable=True)
    periods = texts()
    warning_ids = texts()
    on = day()
    event_id = text("the InterviewRequired")
    voided_event = text(nullable=True)
    held_event = text(nullable=True)
    status = text(choices=("due", "held", "voided"))


class UnitFindingsSchema(Answer):
    open = texts()
    closed = texts()
    overdue = texts()
    withdrawn = texts()


class UnitBoardSchema(Answer):
    unit_id = text()
    name = text()
    kind = text(choices=UNIT_KINDS)
    parent_id = text(nullable=True)
    as_of_date = day()
    listed = flag()
    listing = one(ListingSchema, nullable=True)
    listing_history = many(ListingChangeSchema)
    current_period = text()
    warnings_by_period = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(BoardWarningSchema)),
        required=True)
    interviews = many(InterviewSchema)
    findings = one(UnitFindingsSchema)
    delisting_allowed = flag()
    responsible = many(ResponsibleSchema)


# People -----------------------------------------------------------------------------------
class AssignmentSchema(ResponsibleSchema):
    subject_type = text(choices=SUBJECT_TYPES)
    subject_id = text()
    ended_event = text(nullable=True)


class LapseSchema(Answer):
    household_id = text()
    from_ = day(key="from")
    until = day()
    days = whole()
    visited_at_end = flag()
    event_ids = event_ids()


class OverdueFindingSchema(Answer):
    finding_id = text()
    due_date = day()
    status = text(choices=FINDING_STATUSES)
    closed_on = day(nullable=True)
    event_ids = event_ids()


class RejectedRectificationSchema(Answer):
    finding_id = text()
    note = personal()
    on = day()
    event_ids = event_ids()


class HeadedUnitWarningSchema(Answer):
    unit_id = text()
    role = text(choices=RESPONSIBILITY_ROLES)
    warning_id = text()
    color = text(choices=WARNING_COLORS)
    period = text()
    issued_on = day()
    revoked = flag()
    event_ids = event_ids()


class InterviewDueSchema(Answer):
    unit_id = text()
    periods = texts()
    warning_ids = texts()
    on = day()
    event_id = text()
    voided_event = text(nullable=True)


class HeldInterviewSchema(Answer):
    unit_id = text()
    note = personal()
    on = day()
    event_id = text()


class MeasureSchema(Answer):
    measure = text(choices=MEASURES)
    basis = event_ids("the events it was taken on")
    note = personal()
    on = day()
    event_id = text()


class AccountabilitySchema(Answer):
    person_id = text()
    name = personal()
    unit_id = text()
    as_of_date = day()
    responsibilities = many(AssignmentSchema)
    unvisited_households = many(LapseSchema, "stretches longer than the visit period")
    overdue_findings = many(OverdueFindingSchema)
    rejected_rectifications = many(RejectedRectificationSchema)
    warnings_of_units_headed = many(HeadedUnitWarningSchema)
    interviews_required = many(InterviewDueSchema)
    interviews_held = many(HeldInterviewSchema)
    measures = many(MeasureSchema)


# Scoring ----------------------------------------------------------------------------------
class SectionScoreSchema(Answer):
    points = number()
    event_id = text()


class VillageScoreSchema(Answer):
    village_id = text()
    sections = fields.Dict(keys=fields.String(), values=fields.Nested(SectionScoreSchema),
                           required=True)
    total = number()
    out_of = number()
    complete = flag("every section scored")
    rank = whole()


class RewardSchema(Answer):
    village_id = text()
    total = number()
    reward = number("yuan")


class DeductionSchema(Answer):
    village_id = text()
    total = number()
    deduction = number("yuan")


class ScoringSchema(Answer):
    round_id = text()
    villages = many(VillageScoreSchema)
    top = many(RewardSchema, "rewards 5000/3000/2000 yuan")
    bottom = many(DeductionSchema, "deductions 5000/3000/2000 yuan")


class ViewsPositionSchema(Answer):
    position = whole("the last log position the views include")
    head = whole("the last position of the log")
    lag = whole("how many positions the views are behind")


VIEW_SCHEMAS: dict[str, type[Schema]] = {
    "household": HouseholdStatusSchema,
    "finding": FindingDetailSchema,
    "unit": UnitBoardSchema,
    "person": AccountabilitySchema,
}
