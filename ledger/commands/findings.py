"""Handlers of inspections and of a finding's life: raise, report, verify, extend, withdraw,
transfer."""
from __future__ import annotations

from ledger import open_findings
from ledger.commands.guards import (
    HELPER_CADRE,
    Data,
    Handler,
    helps_household,
    require_not_before_event_day,
    require_within,
    subject_of,
)
from ledger.domain.registry import Household, Person
from ledger.domain.supervision import Finding, Inspection
from ledger.domain.units import Unit
from ledger.errors import Forbidden
from ledger.identity import Actor
from ledger.session import Session

HELPER_METHODS = ("visit", "phone")


def record_inspection(session: Session, actor: Actor, data: Data) -> None:
    subject = subject_of(session, data)
    if actor.role == "cadre":
        require_helper_visit(actor, subject, data)
    for i, person_id in enumerate(data["inspector_ids"]):
        session.get(Person, person_id, f"inspector_ids.{i}")
    session.create(Inspection, data["inspection_id"], "inspection_id", **data)
    if isinstance(subject, Household):
        subject.note_inspection(data["inspection_id"], data.get("checks"), data.get("income"))


def require_helper_visit(actor: Actor, subject: Unit | Household, data: Data) -> None:
    """A cadre records an inspection only as the household's helper cadre on its date, and
    only a visit or a call (帮扶走访)."""
    if not isinstance(subject, Household) or not helps_household(actor, subject):
        raise Forbidden(
            f"a cadre records an inspection only of a household it holds {HELPER_CADRE} for "
            "on the inspection's date", role=HELPER_CADRE, subject_id=data["subject_id"])
    if data["method"] not in HELPER_METHODS:
        raise Forbidden(
            f"a helper cadre records a {' or '.join(HELPER_METHODS)}, not a {data['method']}",
            field="method", method=data["method"])


def raise_finding(session: Session, actor: Actor, data: Data) -> None:
    require_not_before_event_day(data["due_date"], "due_date")
    subject = subject_of(session, data)
    session.get(Unit, data["responsible_unit_id"], "responsible_unit_id")
    if data.get("inspection_id") is not None:
        session.get(Inspection, data["inspection_id"], "inspection_id")
    if data.get("responsible_person_id") is not None:
        session.get(Person, data["responsible_person_id"], "responsible_person_id")
    finding = session.create(Finding, data["finding_id"], "finding_id", **data)
    open_findings.count_raised(session, finding)
    if isinstance(subject, Household):
        subject.note_finding(data["finding_id"])


def report_rectification(session: Session, actor: Actor, data: Data) -> None:
    finding = session.get(Finding, data["finding_id"], "finding_id")
    require_within(session, actor, finding.responsible_unit_id, "report a rectification")
    finding.report_rectification(data["description"], data.get("evidence") or [])


def verify_rectification(session: Session, actor: Actor, data: Data) -> None:
    finding = session.get(Finding, data["finding_id"], "finding_id")
    finding.verify_rectification(data["accepted"], data["note"])
    if not finding.is_open:
        open_findings.settle(session, finding, "closed")


def extend_deadline(session: Session, actor: Actor, data: Data) -> None:
    require_not_before_event_day(data["new_due_date"], "new_due_date")
    finding = session.get(Finding, data["finding_id"], "finding_id")
    if data.get("approved_by") is not None:
        session.get(Person, data["approved_by"], "approved_by")
    finding.extend_deadline(data["new_due_date"], data["reason"], data.get("approved_by"))


def withdraw_finding(session: Session, actor: Actor, data: Data) -> None:
    withdraw(session, session.get(Finding, data["finding_id"], "finding_id"), data["reason"])


def withdraw(session: Session, finding: Finding, reason: str, decided_by: str | None = None
             ) -> None:
    """`decided_by`: who raised the finding, when a dispute overturned it."""
    finding.withdraw(reason, decided_by)
    open_findings.settle(session, finding, "withdrawn")


def transfer_finding(session: Session, actor: Actor, data: Data) -> None:
    finding = session.get(Finding, data["finding_id"], "finding_id")
    session.get(Unit, data["to_unit_id"], "to_unit_id")
    if data.get("to_person_id") is not None:
        session.get(Person, data["to_person_id"], "to_person_id")
    from_unit_id = finding.responsible_unit_id
    finding.transfer(data["to_unit_id"], data.get("to_person_id"), data["reason"])
    open_findings.transferred(session, finding, from_unit_id, "transferred")


HANDLERS: dict[str, Handler] = {
    "InspectionRecorded": record_inspection,
    "FindingRaised": raise_finding,
    "RectificationReported": report_rectification,
    "RectificationVerified": verify_rectification,
    "DeadlineExtended": extend_deadline,
    "FindingWithdrawn": withdraw_finding,
    "FindingTransferred": transfer_finding,
}
