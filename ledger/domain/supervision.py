"""Inspections, findings and their rectification, warnings."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.errors import Invalid, InvalidTransition

INSPECTION_METHODS = ("visit", "phone", "unannounced", "self_check", "cross_check")
CHECK_NAMES = ("food", "clothing", "education", "medical", "housing", "water")
CHECK_VALUES = ("met", "unmet", "na")
INCOME_SOURCES = ("wage", "business", "transfer", "property")
WARNING_COLORS = ("yellow", "red")

OPEN = "open"
RECTIFICATION_REPORTED = "rectification_reported"
CLOSED = "closed"
WITHDRAWN = "withdrawn"


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


class Finding(LedgerAggregate):
    """A problem in the findings ledger: open → rectification reported → closed or open again."""

    KIND = "finding"

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
    ) -> None:
        self.finding_id = finding_id
        self.subject_type = subject_type
        self.subject_id = subject_id
        self.responsible_unit_id = responsible_unit_id
        self.due_date = due_date
        self.status = OPEN

    def personal_subject(self) -> str | None:
        """Reports, verifications and reasons about a household's finding are about the
        household (snapshots from before the subject was kept name none)."""
        if getattr(self, "subject_type", None) == "household":
            return f"household:{self.subject_id}"
        return None

    @property
    def is_open(self) -> bool:
        return self.status in (OPEN, RECTIFICATION_REPORTED)

    def _require(self, *statuses: str, action: str) -> None:
        if self.status not in statuses:
            raise InvalidTransition(
                f"cannot {action}: finding {self.finding_id} is {self.status}",
                finding_id=self.finding_id,
                status=self.status,
            )

    def report_rectification(self, description: str, evidence: list[dict[str, Any]]) -> None:
        self._require(OPEN, action="report a rectification")
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
        self._rectification_verified(finding_id=self.finding_id, accepted=accepted, note=note)

    @event("RectificationVerified")
    def _rectification_verified(self, finding_id: str, accepted: bool, note: str) -> None:
        self.status = CLOSED if accepted else OPEN

    def extend_deadline(self, new_due_date: str, reason: str, approved_by: str | None) -> None:
        self._require(OPEN, RECTIFICATION_REPORTED, action="extend the deadline")
        if new_due_date <= self.due_date:
            raise Invalid(
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

    def withdraw(self, reason: str) -> None:
        self._require(OPEN, RECTIFICATION_REPORTED, action="withdraw")
        self._withdrawn(finding_id=self.finding_id, reason=reason)

    @event("FindingWithdrawn")
    def _withdrawn(self, finding_id: str, reason: str) -> None:
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

    def revoke(self, reason: str) -> None:
        if self.revoked:
            raise InvalidTransition(
                f"warning {self.warning_id} is already revoked", warning_id=self.warning_id
            )
        self._revoked(warning_id=self.warning_id, reason=reason)

    @event("WarningRevoked")
    def _revoked(self, warning_id: str, reason: str) -> None:
        self.revoked = True
