"""What the ledger records when a dispute overturns a decision: each kind of decision has its
own undoing; any other event is overturned as such (reads then treat it as never recorded)."""
from __future__ import annotations

from typing import Any

from ledger import open_findings
from ledger.domain.base import as_system, event_data
from ledger.domain.registry import Household
from ledger.domain.scoring import Dispute, Score
from ledger.domain.supervision import Finding
from ledger.domain.units import Unit
from ledger.session import Session

SUBJECT_KEYS = (("finding_id", "finding"), ("household_id", "household"), ("unit_id", "unit"),
                ("person_id", "person"), ("round_id", "round"))


def subject_of_event(event: Any) -> tuple[str, str] | None:
    """The subject an event is about: the first of its identifying fields."""
    data = event_data(event)
    if not data.get("finding_id") and data.get("subject_type") and data.get("subject_id"):
        return str(data["subject_type"]), str(data["subject_id"])  # a visit, a responsibility
    for key, kind in SUBJECT_KEYS:
        if data.get(key):
            return kind, str(data[key])
    return None


def reopen_finding(session: Session, contested: Any, event_id: str, reason: str) -> bool:
    if not contested.accepted:
        return False
    finding = session.get(Finding, contested.finding_id, "dispute_id")
    if not finding.reopen(event_id, contested.actor, reason):
        return False
    units = open_findings.concerned(session, finding, finding.responsible_unit_id).values()
    for unit in units:
        unit.count_open_finding(finding.finding_id)
    return True


def relist_unit(session: Session, contested: Any, event_id: str, reason: str) -> bool:
    unit = session.get(Unit, contested.unit_id, "dispute_id")
    levels = [e.level for e in session.history(unit) if isinstance(e, Unit.UnitListed)]  # type: ignore[attr-defined]
    return unit.relist(levels[-1], event_id, contested.actor, reason)


def reopen_measure(session: Session, contested: Any, event_id: str, reason: str) -> bool:
    household = session.get(Household, contested.household_id, "dispute_id")
    return household.reopen_measure(contested.measure_id, event_id, contested.actor, reason)


def resume_monitoring(session: Session, contested: Any, event_id: str, reason: str) -> bool:
    household = session.get(Household, contested.household_id, "dispute_id")
    return household.resume_monitoring(event_id, contested.actor, reason)


def reopen_mismatch(session: Session, contested: Any, event_id: str, reason: str) -> bool:
    household = session.get(Household, contested.household_id, "dispute_id")
    return household.reopen_mismatch(contested.mismatch_event_id, event_id, contested.actor,
                                     reason)


UNDOINGS = {
    Finding.RectificationVerified: reopen_finding,  # type: ignore[attr-defined]
    Unit.UnitDelisted: relist_unit,  # type: ignore[attr-defined]
    Household.MeasureCompleted: reopen_measure,
    Household.RiskEliminated: resume_monitoring,
    Household.MismatchResolved: reopen_mismatch,
}


def undo_decision(session: Session, dispute: Dispute, contested: Any, reason: str) -> None:
    """Undo a decision as of its own date; a score is withdrawn; any other event overturned."""
    event_id = dispute.contested_event_id
    with as_system(contested.occurred_at):
        undo = UNDOINGS.get(type(contested))
        if undo is not None:
            if not undo(session, contested, event_id, reason):
                dispute.overturn(event_id, type(contested).__name__,
                                 subject_of_event(contested), contested.actor, reason)
        elif isinstance(contested, Score.ScoreRecorded):  # type: ignore[attr-defined]
            dispute.withdraw_score(event_id, contested, contested.actor, reason)
        else:
            dispute.overturn(event_id, type(contested).__name__, subject_of_event(contested),
                             contested.actor, reason)
