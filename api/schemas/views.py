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
from api.schemas.flags import (
    ContradictedDecisionSchema,
    LateEntrySchema,
    OverturnedDecisionSchema,
)
from api.schemas.household_plans import (
    MismatchSchema,
    OverdueHelpMeasureSchema,
    OverdueMismatchSchema,
    PlanSchema,
)
from api.schemas.rollups import RollupSchema
from ledger.domain.adjustment import RECLASSIFICATIONS
from ledger.domain.members import LEAVING_REASONS
from ledger.domain.monitoring import MONITORING_TYPES
from ledger.domain.registry import HOUSEHOLD_CATEGORIES, MEASURES
from ledger.domain.supervision import (
    CHECK_NAMES,
    CHECK_VALUES,
    FINDING_SECTORS,
    FINDING_SOURCES,
    INCOME_SOURCES,
    INSPECTION_METHODS,
    WARNING_COLORS,
)
from ledger.domain.units import LIGHTS, LISTING_LEVELS, UNIT_KINDS

FINDING_STATUSES = ("open", "rectification_reported", "closed", "withdrawn")


# Findings ---------------------------------------------------------------------------------
class FindingSummarySchema(Answer):
    finding_id = text()
    subject_type = text(choices=SUBJECT_TYPES)
    subject_id = text()
    category = text()
    source = text("where it came from", nullable=True, choices=FINDING_SOURCES)
    sector = text("its sector ledger (行业台账)", nullable=True, choices=FINDING_SECTORS)
    description = personal()
    responsible_unit_id = text()
    responsible_person_id = text(nullable=True)
    raised_on = day()
    due_date = day()
    original_due_date = day("the due date it was raised with")
    status = text(choices=FINDING_STATUSES)
    overdue = flag("open after its due date, on `as_of_date`")
    overdue_on = day("the day after the due date in force on which it lapsed; null: it never "
                     "lapsed (a lapse stays whatever follows it)", nullable=True)
    closed_late = flag("closed after it had lapsed (逾期整改)")
    closed_on = day(nullable=True)
    raised_event = text()
    closing_event = text(nullable=True)
    closed_late = flag("closed only after it had lapsed (逾期整改)")


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


class HolderSchema(Answer):
    unit_id = text()
    person_id = text(nullable=True)
    from_ = day("answers for the finding from this day", key="from")
    event_id = text("the FindingRaised or FindingTransferred")


class TransferSchema(Answer):
    from_unit_id = text()
    to_unit_id = text()
    on = day()
    overdue = flag("it had gone overdue before: that stays with the unit it left")
    reason = text()
    event_id = text()


class ExtensionSchema(Answer):
    from_due_date = day("the due date in force before it")
    new_due_date = day()
    on = day()
    in_time = flag("dated on or before the due date in force: granted before any lapse")
    reason = personal()
    event_id = text()


class FindingDetailSchema(FindingSummarySchema):
    inspection_id = text(nullable=True)
    extensions = many(ExtensionSchema, "every DeadlineExtended, by business time")
    responsibility_history = many(HolderSchema, "who answered for it, from when, in order")
    transfers = many(TransferSchema)
    rejections = many(RejectionSchema)
    trail = many(TrailStepSchema, "every event of the finding, in order")


class UnitCountSchema(Answer):
    unit_id = text()
    total = whole()
    open = whole()
    overdue = whole()
    closed = whole()


class NamedFindingSchema(FindingSummarySchema):
    responsible_unit_name = text(nullable=True)
    responsible_person_name = personal("null once erased")


class FindingsPageSchema(Answer):
    as_of_date = day("the business date statuses were judged on")
    findings = many(NamedFindingSchema)
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
    from_members = fields.Boolean(metadata={
        "description": "true: judged from the members present (complete), not the household's "
                       "recorded facts"})


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


class ExitStepSchema(Answer):
    type = text()
    event_id = text()
    on = day()


class NoticeSchema(Answer):
    from_ = day(key="from")
    to = day()


class ExitProcedureSchema(Answer):
    year = whole("the year of the exit")
    steps = many(ExitStepSchema, "the steps of the latest attempt, in order")
    next_step = text("the step to record next; null once exited", nullable=True)
    outcome = text("null while under way", nullable=True,
                   choices=("exited", "ended", "annulled"))
    objections_open = whole()
    notice = one(NoticeSchema, "the notice period; null until publicized", nullable=True)


class MonitoringSchema(Answer):
    type = text(choices=MONITORING_TYPES)
    since = day()
    risks = texts()
    event_ids = event_ids()


class MemberFactSchema(Answer):
    value = fields.Raw(required=True, allow_none=True, metadata={
        "description": "name, birth_date, id_number and health are personal: null once erased"})
    event_id = text()


class DepartureSchema(Answer):
    on = day()
    reason = text(choices=LEAVING_REASONS)
    event_id = text()


class MemberSchema(Answer):
    member_id = text()
    registered_on = day()
    present = flag("present on the status's date")
    left = one(DepartureSchema, "null while a member", nullable=True)
    facts = fields.Dict(keys=fields.String(), values=fields.Nested(MemberFactSchema),
                        required=True, metadata={"description": "each fact as last recorded by "
                                                 "business time, with its event"})
    event_ids = event_ids()


class ReclassificationSchema(Answer):
    reason = text(choices=tuple(RECLASSIFICATIONS))
    from_category = fields.String(required=True, data_key="from", attribute="from",
                                  metadata={"enum": list(HOUSEHOLD_CATEGORIES)})
    to = text(choices=HOUSEHOLD_CATEGORIES)
    on = day()
    basis = event_ids("the events it was based on")
    event_id = text()


class HouseholdStatusSchema(Answer):
    household_id = text()
    village_id = text()
    head_name = personal()
    size = whole("the recorded size while members are incomplete, else the members present")
    members_incomplete = flag("fewer members registered than the recorded size")
    members = many(MemberSchema, "members registered by the status's date (家庭成员)")
    category = text(choices=HOUSEHOLD_CATEGORIES)
    reclassifications = many(ReclassificationSchema, "dynamic adjustments (动态调整), in order")
    earlier_exits = many(ExitProcedureSchema, "exit stories ended by a reclassification (返贫)")
    poverty_status = text(choices=("registered_poor", "exited", "not_registered"))
    exit_year = whole("the year it exited; null unless exited", nullable=True)
    exit = one(ExitProcedureSchema, "the exit procedure; null if never started", nullable=True)
    monitoring = one(MonitoringSchema, "return-to-poverty monitoring; null if none",
                     nullable=True)
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
    plan = one(PlanSchema, "the help plan of the latest year (一户一方案)", nullable=True)
    mismatches = many(MismatchSchema, "open mismatches with the information system")
    contradicted_decisions = many(ContradictedDecisionSchema)


# Units ------------------------------------------------------------------------------------
class ListingSchema(Answer):
    level = text(choices=LISTING_LEVELS)
    since = day()
    event_id = text()
    supervising_unit_id = text(nullable=True)
    due_date = day("the target date for delisting", nullable=True)


class ListingChangeSchema(Answer):
    change = text(choices=("listed", "delisted", "relisted"))
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
    transferred_out = texts("transferred to another unit")
    overdue_before_transfer = texts("transferred away after going overdue: kept with this unit")


class SupervisionSchema(Answer):
    inspection_id = text()
    method = text(choices=INSPECTION_METHODS)
    on = day()
    inspector_ids = texts()
    event_id = text()


class SupervisionGapSchema(Answer):
    from_ = day(key="from")
    to = day("the last day of the period")
    days = whole()


class BoardLightSchema(Answer):
    light = text(choices=LIGHTS)
    score = number(nullable=True)
    note = text(nullable=True)
    on = day()
    event_id = text()
    withdrawn_event = text("the QuarterlyRatingWithdrawn", nullable=True)
    withdrawn = flag()


class VillageExitSchema(Answer):
    year = whole()
    on = day()
    event_id = text("the VillageExitRecorded")


class UnitBoardSchema(Answer):
    unit_id = text()
    name = text()
    kind = text(choices=UNIT_KINDS)
    parent_id = text(nullable=True)
    as_of_date = day()
    listed = flag()
    listing = one(ListingSchema, nullable=True)
    listing_history = many(ListingChangeSchema)
    contradicted_decisions = many(ContradictedDecisionSchema)
    current_period = text()
    warnings_by_period = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(BoardWarningSchema)),
        required=True)
    interviews = many(InterviewSchema)
    findings = one(UnitFindingsSchema)
    delisting_allowed = flag()
    responsible = many(ResponsibleSchema)
    supervising_unit_id = text("of the current listing", nullable=True)
    due_date = day("the current listing's target date for delisting", nullable=True)
    supervision_inspections = many(SupervisionSchema, "supervision-type inspections of the unit")
    supervision_period_days = one(RuleValueSchema)
    supervision_gaps = many(SupervisionGapSchema,
                            "periods since listing with no supervision-type inspection")
    lights_by_quarter = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(BoardLightSchema)),
        required=True, metadata={"description": "quarterly lights, withdrawn ones marked"})
    open_findings_in_subtree = whole(
        "findings open on the unit, the units below it and their households (by subject or "
        "responsible unit): what a delisting waits for")
    rollup = one(RollupSchema, "the unit and every unit below it, added up")
    poor_village = flag("registered as a poor village (贫困村)")
    populations = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                              metadata={"description": "the village's population by year"})
    incidence = number("poverty incidence of the unit's subtree (see rollup)", nullable=True)
    exit_year = whole("the year the poor village exited (贫困村出列), if it stands",
                      nullable=True)
    village_exit = one(VillageExitSchema, nullable=True)


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


class ReachSchema(Answer):
    as_ = fields.String(required=True, attribute="as", data_key="as", metadata={
        "description": "why it reaches the person on the day it went overdue",
        "enum": ["responsible_person", "helper_cadre", "subject_unit", "responsible_unit"]})
    role = text("the role held then; null when named on the finding", nullable=True,
                choices=RESPONSIBILITY_ROLES)
    subject_id = text("the household or unit held, or the finding")
    event_id = text("the ResponsibilityAssigned (or the event that named the person)")


class OverdueFindingSchema(Answer):
    finding_id = text()
    due_date = day()
    original_due_date = day()
    overdue_on = day("the day after the due date in force: responsibility is judged on it")
    closed_late = flag("closed after it lapsed")
    status = text(choices=FINDING_STATUSES)
    closed_on = day(nullable=True)
    subject_type = text(choices=SUBJECT_TYPES)
    subject_id = text()
    responsible_unit_id = text("the unit responsible on `overdue_on`")
    reached_as = many(ReachSchema)
    event_ids = event_ids("the finding's events and the assignments that reach the person")


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
    overdue_help_measures = many(OverdueHelpMeasureSchema,
                                 "help-plan measures naming the person that went overdue")
    overdue_mismatches = many(OverdueMismatchSchema,
                              "mismatches with the information system that went overdue on a "
                              "household the person was helper cadre of that day")
    overturned_decisions = many(OverturnedDecisionSchema, "decisions of theirs a dispute undid")
    late_entries = many(LateEntrySchema, "events they recorded late that changed an outcome")
    contradicted_decisions = many(ContradictedDecisionSchema,
                                  "decisions of theirs later evidence contradicts")


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
    missing = texts("the sections not scored")
    rank = whole()


class RewardSchema(Answer):
    village_id = text()
    total = number()
    place = whole("1 to 3 among the complete villages; a tie shares its first place")
    reward = number("yuan; null when the place is tied (see `ties`)", nullable=True)
    tied = flag()


class DeductionSchema(Answer):
    village_id = text()
    total = number()
    place = whole("1 (last) to 3 from the bottom among the complete villages")
    deduction = number("yuan; null when the place is tied (see `ties`)", nullable=True)
    tied = flag()


class TieSchema(Answer):
    cut = text(choices=("reward", "deduction"))
    place = whole()
    total = number()
    village_ids = texts()
    amounts = fields.List(fields.Float(), required=True,
                          metadata={"description": "the amounts of the places the tie spans"})


class IncompleteSchema(Answer):
    village_id = text()
    missing = texts()


class ScoringSchema(Answer):
    round_id = text()
    month = text("the month the round scores, as stated by its scores", nullable=True)
    villages = many(VillageScoreSchema)
    top = many(RewardSchema, "rewards 5000/3000/2000 yuan")
    bottom = many(DeductionSchema, "deductions 5000/3000/2000 yuan")
    ties = many(TieSchema, "ties on a paid place: reported, not broken")
    incomplete = many(IncompleteSchema, "villages missing a section: not ranked for money")


class RoundTotalSchema(Answer):
    round_id = text()
    month = text()
    total = number()
    complete = flag()


class VillageYearSchema(Answer):
    village_id = text()
    total = number("the sum of its round totals in the year")
    rounds = many(RoundTotalSchema)
    incomplete_rounds = whole()
    rank = whole()


class RoundMonthSchema(Answer):
    round_id = text()
    month = text()


class ScoringYearSchema(Answer):
    year = whole()
    rounds = many(RoundMonthSchema, "the rounds whose month is in the year")
    rounds_without_month = texts("rounds that state no month, so count in no year")
    villages = many(VillageYearSchema)


# Quarterly lights ---------------------------------------------------------------------------
class RatedUnitSchema(Answer):
    unit_id = text()
    name = text(nullable=True)
    kind = text(choices=UNIT_KINDS, nullable=True)
    light = text(choices=LIGHTS)
    score = number(nullable=True)
    note = text(nullable=True)
    on = day()
    event_id = text()
    rank = whole("by score, ties sharing; null without a score", nullable=True)


LightCountsSchema = Answer.from_dict({light: whole() for light in LIGHTS},
                                     name="LightCountsSchema")


class RatingsSchema(Answer):
    period = text()
    kind = text("the kind filtered on", nullable=True, choices=UNIT_KINDS)
    units = many(RatedUnitSchema)
    counts = one(LightCountsSchema)


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
