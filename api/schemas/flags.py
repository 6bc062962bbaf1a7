"""The committee's reads of flags: late entries and contradicted or overturned decisions."""
from __future__ import annotations

from marshmallow import fields

from api.schemas.answer import Answer, day, event_ids, many, text, whole


class ChangeSchema(Answer):
    subject_type = text()
    subject_id = text()
    field = text()
    before = fields.Raw(required=True, allow_none=True)
    after = fields.Raw(required=True, allow_none=True)
    from_ = day("first business date it read differently", key="from")
    to = day("last business date it read differently")


class ContradictedDecisionSchema(Answer):
    event_id = text("the decision")
    type = text()
    on = day("the decision's date")
    decided_by = text()
    evidence = event_ids("the later-recorded events that contradict it")
    reasons = fields.List(fields.Dict(), required=True,
                          metadata={"description": "each condition unmet on its date"})
    flag_event = text("the DecisionContradicted")


class OverturnedDecisionSchema(Answer):
    type = text("what the ledger recorded to undo it")
    event_id = text("the overturned decision (null for a finding or warning: see its id)",
                    nullable=True)
    finding_id = text("the withdrawn or reopened finding", nullable=True)
    warning_id = text("the revoked warning", nullable=True)
    on = day()
    event_ids = event_ids()


class LateEntrySchema(Answer):
    event_id = text("the late entry")
    type = text()
    days_late = whole()
    changes = many(ChangeSchema)
    event_ids = event_ids()
