"""Handlers of warnings, interviews and accountability measures."""
from __future__ import annotations

from ledger.commands.guards import Data, Handler, require_events
from ledger.domain.registry import Person
from ledger.domain.supervision import Finding, Warning
from ledger.domain.units import Unit
from ledger.identity import Actor
from ledger.session import Session


def issue_warning(session: Session, actor: Actor, data: Data) -> None:
    unit = session.get(Unit, data["unit_id"], "unit_id")
    for i, finding_id in enumerate(data.get("finding_ids") or []):
        session.get(Finding, finding_id, f"finding_ids.{i}")
    session.create(Warning, data["warning_id"], "warning_id", **data)
    unit.note_warning(data["warning_id"], data["color"], data["period"])


def revoke_warning(session: Session, actor: Actor, data: Data) -> None:
    revoke(session, session.get(Warning, data["warning_id"], "warning_id"), data["reason"])


def revoke(session: Session, warning: Warning, reason: str, decided_by: str | None = None
           ) -> None:
    """`decided_by`: who issued the warning, when a dispute overturned it."""
    warning.revoke(reason, decided_by)
    unit = session.get(Unit, warning.unit_id, "warning_id")
    unit.withdraw_yellow_card(warning.warning_id, reason)


def hold_interview(session: Session, actor: Actor, data: Data) -> None:
    unit = session.get(Unit, data["unit_id"], "unit_id")
    session.get(Person, data["person_id"], "person_id")
    unit.hold_interview(data["person_id"], data["note"])


def take_measure(session: Session, actor: Actor, data: Data) -> None:
    person = session.get(Person, data["person_id"], "person_id")
    require_events(session, data["basis"], "basis")
    person.take_measure(data["measure"], data["basis"], data["note"])


HANDLERS: dict[str, Handler] = {
    "WarningIssued": issue_warning,
    "WarningRevoked": revoke_warning,
    "InterviewHeld": hold_interview,
    "AccountabilityMeasureTaken": take_measure,
}
