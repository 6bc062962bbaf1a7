"""Handlers of disputes: opening one, and resolving it with the consequences the ledger records."""
from __future__ import annotations

from ledger.commands.accountability import revoke
from ledger.commands.findings import withdraw
from ledger.commands.guards import Data, Handler, require_within_scope
from ledger.commands.reversals import undo_decision
from ledger.domain.base import as_system
from ledger.domain.registry import Household
from ledger.domain.scoring import Dispute
from ledger.domain.supervision import Finding, Warning
from ledger.domain.units import Unit
from ledger.errors import NotFound
from ledger.identity import Actor
from ledger.privacy.fields import subject_from_data
from ledger.session import Session


def open_dispute(session: Session, actor: Actor, data: Data) -> None:
    if not session.event_exists(data["contested_event_id"]):
        raise NotFound(
            f"event {data['contested_event_id']!r} does not exist",
            field="contested_event_id",
            id=data["contested_event_id"],
        )
    contested = session.recorded_event(data["contested_event_id"])
    require_within_scope(session, actor, contested, "dispute an event")
    dispute = session.create(Dispute, data["dispute_id"], "dispute_id", **data)
    dispute.grounds_subject = subject_from_data(vars(contested))


def resolve_dispute(session: Session, actor: Actor, data: Data) -> None:
    dispute = session.get(Dispute, data["dispute_id"], "dispute_id")
    dispute.resolve(data["outcome"], data["note"])
    if data["outcome"] == "overturned":
        _undo_contested(session, dispute)


def _undo_contested(session: Session, dispute: Dispute) -> None:
    """An overturned warning is revoked, an overturned finding withdrawn, an overturned
    quarterly light withdrawn, by the ledger itself; any other decision is undone as of its
    own date (`ledger.commands.reversals`)."""
    contested = session.recorded_event(dispute.contested_event_id)
    reason = f"overturned by dispute {dispute.dispute_id}"
    with as_system():
        if isinstance(contested, Warning.WarningIssued):  # type: ignore[attr-defined]
            warning = session.get(Warning, contested.warning_id, "dispute_id")
            if not warning.revoked:
                revoke(session, warning, reason, contested.actor)
        elif isinstance(contested, Finding.FindingRaised):  # type: ignore[attr-defined]
            finding = session.get(Finding, contested.finding_id, "dispute_id")
            if finding.is_open:
                withdraw(session, finding, reason, contested.actor)
        elif isinstance(contested, Household.HouseholdExited):
            household = session.get(Household, contested.household_id, "dispute_id")
            household.annul_exit(contested.year, dispute.contested_event_id, reason,
                                 contested.actor)
        elif isinstance(contested, Unit.QuarterlyRatingRecorded):  # type: ignore[attr-defined]
            unit = session.get(Unit, contested.unit_id, "dispute_id")
            unit.withdraw_rating(contested.originator_version, reason, contested.actor)
        elif isinstance(contested, Unit.VillageExitRecorded):
            village = session.get(Unit, contested.village_id, "dispute_id")
            village.annul_village_exit(contested.year, dispute.contested_event_id, reason)
    if not isinstance(contested, UNDONE_HERE):
        undo_decision(session, dispute, contested, reason)


UNDONE_HERE = (Warning.WarningIssued, Finding.FindingRaised, Household.HouseholdExited,  # type: ignore[attr-defined]
               Unit.QuarterlyRatingRecorded, Unit.VillageExitRecorded)  # type: ignore[attr-defined]


HANDLERS: dict[str, Handler] = {
    "DisputeOpened": open_dispute,
    "DisputeResolved": resolve_dispute,
}
