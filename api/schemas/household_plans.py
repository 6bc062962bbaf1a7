"""The answer parts of help plans and cross-checks: the status's `plan` and `mismatches`, and
the overdue help measures of an accountability trail."""
from __future__ import annotations

from marshmallow import fields

from api.schemas.answer import Answer, day, event_ids, many, text, texts, whole
from ledger.domain.crosscheck import COMPARED_FIELDS
from ledger.domain.plans import MEASURE_KINDS, POVERTY_CAUSES

MEASURE_STATUSES = ("open", "done", "overdue")

class PlannedMeasureSchema(Answer):
    measure_id = text()
    kind = text(choices=MEASURE_KINDS)
    description = text()
    due_date = day()
    person_id = text(nullable=True)
    status = text("overdue: not done by the day after its due date", choices=MEASURE_STATUSES)
    completed_on = day(nullable=True)
    completed_event = text("the MeasureCompleted", nullable=True)


class PlanSchema(Answer):
    year = whole()
    causes = texts(f"of {', '.join(POVERTY_CAUSES)}")
    event_id = text("the HelpPlanRecorded that stands for the year")
    on = day()
    measures = many(PlannedMeasureSchema)


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


class OverdueHelpMeasureSchema(Answer):
    household_id = text()
    year = whole()
    measure_id = text()
    due_date = day()
    status = text(choices=MEASURE_STATUSES)
    completed_on = day(nullable=True)
    event_ids = event_ids()
