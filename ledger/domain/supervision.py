"""Inspections, findings and their rectification, warnings."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.domain.order import Mark, later, mark_of, require_not_before
from ledger.domain.reversals import FindingReversals
from ledger.domain.timeline import business_day
from ledger.errors import Conflict, InvalidTransition

INSPECTION_METHODS = ("visit", "phone", "unannounced", "self_check", "cross_check",
                      "supervision", "roving", "special", "observation", "exposure",
                      "interactive")
FINDING_SOURCES = ("inspection", "patrol_review", "assessment", "supervision", "audit",
                   "complaint", "self_check", "cross_check")
FINDING_SECTORS = ("education", "health", "housing", "water", "industry", "employment",
                   "social_security", "relocation", "data", "other")
CHECK_NAMES = ("food", "clothing", "education", "medical", "housing", "water")
CHECK_VALUES = ("met", "unmet", "na")
INCOME_SOURCES = ("wage", "business", "transfer", "property")
WARNING_COLORS = ("yellow", "red")

OPEN = "open"
RECTIFICATION_REPORTED = "rectification_reported"
CLOSED = "closed"
WITHDRAWN = "withdrawn"
# The steps of a finding a later step must not precede in business time, by event type.
MARKED_STEPS = {"FindingRaised": "raised", "RectificationReported": "reported",
                "RectificationVerified": "verified", "DeadlineExtended": "extended",
                "FindingTransferred": "transferred"}


class Inspection(LedgerAggregate):
    KIND = "inspection"

    @staticmethod
    def create_id(inspection_id: str):
        return Inspection.id_for(inspection_id)

    @event("InspectionRecorded")
    def __init__(
        self,
        inspection_id: str,
        subject_type: str,
        subject_id: str,
        method: str,
        inspector_ids: list[str],
        checks: dict[str, str] | None = None,
        income: dict[str, float] | None = None,
    ) -> None:
        self.inspection_id = inspection_id
        self.subject_type = subject_type
        self.subject_id = subject_id

    def personal_subject(self) -> str | None:
        return f"household:{self.subject_id}" if self.subject_type == "household" else None


class Finding(FindingReversals, LedgerAggregate):
    """A problem in the findings ledger: open → rectification reported → closed or open again."""

    KIND = "finding"
    class_version = 2

    class Event(LedgerAggregate.Event):
        def apply(self, finding: Any) -> None:
            """Keep the business day a finding was closed, so a decision dated earlier still
            sees it open (an exit verified while it was open)."""
            super().apply(finding)
            if not finding.is_open and getattr(finding, "settled_on", None) is None:
                finding.settled_on = business_day(self.occurred_at)
            step = MARKED_STEPS.get(type(self).__name__)
            if step is not None:
                marks = finding.__dict__.setdefault("marks", {})
                marks[step] = later(marks.get(step), mark_of(self))

    @staticmethod
    def create_id(finding_id: str):
        return Finding.id_for(finding_id)

    @event("FindingRaised")
    def __init__(
        self,
        finding_id: str,
        subject_type: str,
        subject_id: str,
        category: str,
        description: str,
        responsible_unit_id: str,
        due_date: str,
        inspection_id: str | None = None,
        responsible_person_id: str | None = None,
        source: str | None = None,
        sector: str | None = None,
    ) -> None:
        self.finding_id = finding_id
        self.subject_type = subject_type
        self.subject_id = subject_id
        self.responsible_unit_id = responsible_unit_id
        self.due_date = due_date
        self.status = OPEN

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken before findings kept their subject: unknown to them (the tallies of
        open findings began after them)."""
        state.setdefault("subject_type", None)
        state.setdefault("subject_id", None)

    def personal_subject(self) -> str | None:
        """Reports, verifications and reasons about a household's finding are about the
        household."""
        if self.subject_type == "household":
            return f"household:{self.subject_id}"
        return None

    @property
    def is_open(self) -> bool:
        return self.status in (OPEN, RECTIFICATION_REPORTED)

    def is_open_on(self, day: str) -> bool:
        """Open on business day `day` as known now, if it was raised by then. A withdrawn
        finding never stood; one closed before closing days were kept (an older snapshot)
        counts as closed long ago."""
        if self.status == WITHDRAWN:
            return False
        return self.is_open or getattr(self, "settled_on", day) > day

    def raised_on(self) -> str | None:
        """The business day it was raised (None for a finding from an older snapshot)."""
        raised = getattr(self, "marks", {}).get("raised")
        return business_day(datetime.fromisoformat(raised[0])) if raised else None

    def _not_before(self, *steps: str) -> None:
        """Refuse a command dated before the latest of these steps (OutOfOrder naming it)."""
        marks: dict[str, Mark] = getattr(self, "marks", {})
        for step in steps:
            require_not_before(marks.get(step), f"the finding was {step}",
                               finding_id=self.finding_id)

    def _require(self, *statuses: str, action: str) -> None:
        if self.status not in statuses:
            raise InvalidTransition(
                f"cannot {action}: finding {self.finding_id} is {self.status}",
                finding_id=self.finding_id,
                status=self.status,
            )

    def report_rectification(self, description: str, evidence: list[dict[str, Any]]) -> None:
        self._require(OPEN, action="report a rectification")
        self._not_before("raised", "verified")
        self._rectification_reported(
            finding_id=self.finding_id, description=description, evidence=evidence
        )

    @event("RectificationReported")
    def _rectification_reported(
        self, finding_id: str, description: str, evidence: list[dict[str, Any]]
    ) -> None:
        self.status = RECTIFICATION_REPORTED

    def verify_rectification(self, accepted: bool, note: str) -> None:
        self._require(RECTIFICATION_REPORTED, action="verify a rectification")
        self._not_before("reported")
        self._rectification_verified(finding_id=self.finding_id, accepted=accepted, note=note)

    @event("RectificationVerified")
    def _rectification_verified(self, finding_id: str, accepted: bool, note: str) -> None:
        self.status = CLOSED if accepted else OPEN

    def extend_deadline(self, new_due_date: str, reason: str, approved_by: str | None) -> None:
        self._require(OPEN, RECTIFICATION_REPORTED, action="extend the deadline")
        self._not_before("raised", "extended")
        if new_due_date <= self.due_date:
            raise Conflict(
                f"new_due_date must be after the current due date {self.due_date}",
                field="new_due_date",
            )
        self._deadline_extended(
            finding_id=self.finding_id,
            new_due_date=new_due_date,
            reason=reason,
            approved_by=approved_by,
        )

    @event("DeadlineExtended")
    def _deadline_extended(
        self, finding_id: str, new_due_date: str, reason: str, approved_by: str | None
    ) -> None:
        self.due_date = new_due_date

    def transfer(self, to_unit_id: str, to_person_id: str | None, reason: str) -> None:
        """Hand an open finding to another unit (村级解决不了的由镇级统筹)."""
        self._require(OPEN, RECTIFICATION_REPORTED, action="transfer")
        self._not_before("raised", "transferred")
        if to_unit_id == self.responsible_unit_id:
            raise InvalidTransition(
                f"finding {self.finding_id} is already unit {to_unit_id}'s",
                finding_id=self.finding_id, field="to_unit_id",
            )
        self._transferred(finding_id=self.finding_id, to_unit_id=to_unit_id,
                          to_person_id=to_person_id, reason=reason)

    @event("FindingTransferred")
    def _transferred(self, finding_id: str, to_unit_id: str, to_person_id: str | None,
                     reason: str) -> None:
        self.responsible_unit_id = to_unit_id

    def withdraw(self, reason: str, decided_by: str | None = None) -> None:
        self._require(OPEN, RECTIFICATION_REPORTED, action="withdraw")
        self._not_before("raised", "reported", "verified")
        self._withdrawn(finding_id=self.finding_id, reason=reason, decided_by=decided_by)

    @event("FindingWithdrawn")
    def _withdrawn(self, finding_id: str, reason: str, decided_by: str | None = None) -> None:
        self.status = WITHDRAWN


class Warning(LedgerAggregate):  # noqa: A001 - the domain's word
    KIND = "warning"

    @staticmethod
    def create_id(warning_id: str):
        return Warning.id_for(warning_id)

    @event("WarningIssued")
    def __init__(
        self,
        warning_id: str,
        unit_id: str,
        color: str,
        period: str,
        reason: str,
        finding_ids: list[str] | None = None,
    ) -> None:
        self.warning_id = warning_id
        self.unit_id = unit_id
        self.color = color
        self.period = period
        self.revoked = False

    def revoke(self, reason: str, decided_by: str | None = None) -> None:
        if self.revoked:
            raise InvalidTransition(
                f"warning {self.warning_id} is already revoked", warning_id=self.warning_id
            )
        self._revoked(warning_id=self.warning_id, reason=reason, decided_by=decided_by)

    @event("WarningRevoked")
    def _revoked(self, warning_id: str, reason: str, decided_by: str | None = None) -> None:
        self.revoked = True
