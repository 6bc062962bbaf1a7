"""The answer parts of help plans and cross-checks: the status's `plan` and `mismatches`, and
the overdue help measures of an accountability trail."""
from __future__ import annotations

from marshmallow import fields

from api.schemas.answer import Answer, day, event_ids, flag, many, text, texts, whole
from ledger.domain.crosscheck import COMPARED_FIELDS, RECORD_FIELDS
from ledger.domain.plans import MEASURE_KINDS, POVERTY_CAUSES

MEASURE_STATUSES = ("open", "done", "overdue")
TRAIL_MEASURE_STATUSES = (*MEASURE_STATUSES, "overdue_before_replacement")

class PlannedMeasureSchema(Answer):
    measure_id = text()
    kind = text(choices=MEASURE_KINDS)
    description = text()
    due_date = day()
    person_id = text(nullable=True)
    status = text("overdue: not done by the day after its due date", choices=MEASURE_STATUSES)
    completed_on = day(nullable=True)
    completed_event = text("the MeasureCompleted", nullable=True)


class LapsedMeasureSchema(Answer):
    measure_id = text()
    kind = text(choices=MEASURE_KINDS)
    description = text()
    due_date = day()
    person_id = text(nullable=True)
    overdue_on = day("the day after its due date: it lapsed before its plan was replaced")
    plan_event = text("the HelpPlanRecorded it was planned in")
    replaced_by = text("the HelpPlanRecorded that replaced that plan")


class PlanSchema(Answer):
    year = whole()
    causes = texts(f"of {', '.join(POVERTY_CAUSES)}")
    event_id = text("the HelpPlanRecorded that stands for the year")
    on = day()
    measures = many(PlannedMeasureSchema)
    overdue_before_replacement = many(
        LapsedMeasureSchema, "measures of replaced plans that had lapsed before the "
                             "replacement (a lapse is kept)")


class MismatchSchema(Answer):
    event_id = text("the DataMismatchFound; name it in MismatchResolved")
    field = text(choices=COMPARED_FIELDS)
    system_value = fields.Raw(required=True, metadata={"description": "the system's value"})
    ledger_value = fields.Raw(required=True, allow_none=True, metadata={
        "description": "what the ledger knew valid on `as_of_date`; null: nothing"})
    source = text(nullable=True)
    as_of_date = day(nullable=True)
    compared_event_id = text("the SystemRecordCompared")
    on = day()
    due_date = day("the comparison's date + mismatch_days (null: found before deadlines)",
                   nullable=True)
    responsible_person_ids = texts("the household's helper cadres on the comparison's date")
    overdue = flag("unresolved after its due date")
    overdue_on = day("the day it went overdue", nullable=True)


class OverdueHelpMeasureSchema(Answer):
    household_id = text()
    year = whole()
    measure_id = text()
    due_date = day()
    overdue_on = day("the day after its due date")
    status = text(choices=TRAIL_MEASURE_STATUSES)
    completed_on = day(nullable=True)
    event_ids = event_ids()


class OverdueMismatchSchema(Answer):
    household_id = text()
    mismatch_event_id = text("the DataMismatchFound")
    field = text(choices=RECORD_FIELDS)
    due_date = day()
    overdue_on = day("the day after its due date: the lapse, kept once resolved")
    resolved_on = day(nullable=True)
    event_ids = event_ids()
