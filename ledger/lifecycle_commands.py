"""Handlers of the household lifecycle: the exit procedure and return-to-poverty monitoring.

Every decision reads the write model only: the household aggregate (its record by business
time and the findings raised on it), those findings, and the rulebook. Cadres act only for
households of their own unit.
"""
from __future__ import annotations

from ledger.commands import Data, _require_own_unit, handles
from ledger.domain import rulebook
from ledger.domain.base import occurring_at
from ledger.domain.registry import Household
from ledger.domain.rulebook import BOOK, Rulebook
from ledger.domain.supervision import Finding
from ledger.domain.timeline import business_day
from ledger.identity import Actor
from ledger.session import Session


def _household(session: Session, actor: Actor, data: Data, what: str) -> Household:
    household = session.get(Household, data["household_id"], "household_id")
    _require_own_unit(actor, household.village_id, what)
    return household


def _open_findings(session: Session, household: Household) -> list[str]:
    """The findings on the household open on the command's business day, as known now."""
    day = business_day(occurring_at())
    raised = household.findings_raised_by(day)
    session.prefetch((Finding, finding_id) for finding_id in raised)
    return [f for f in raised if session.get(Finding, f, "household_id").is_open_on(day)]


def _rule(session: Session, parameter: str, year: int | None = None) -> float:
    return rulebook.value(session.find(Rulebook, BOOK), parameter, year)


# Exit procedure -----------------------------------------------------------------------
@handles("ExitAppraised")
def appraise_exit(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "appraise an exit")
    household.appraise_exit(data["year"], data["votes_for"], data["votes_total"],
                            data.get("note"))


@handles("ExitVerified")
def verify_exit(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "verify an exit")
    passed = data["passed"]
    household.verify_exit(
        data["year"], passed, data["note"],
        standard=_rule(session, "income_standard", data["year"]) if passed else 0,
        open_finding_ids=_open_findings(session, household) if passed else [])


@handles("ExitAcknowledged")
def acknowledge_exit(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "record an acknowledgement")
    household.acknowledge_exit(data["year"], data.get("note"))


@handles("ExitPublicized")
def publicize_exit(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "publicize an exit")
    household.publicize_exit(data["year"], data["from"], data["to"],
                             int(_rule(session, "exit_notice_days")))


@handles("ExitObjectionRaised")
def raise_exit_objection(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "record an objection")
    household.raise_exit_objection(data["year"], data["note"])


@handles("ExitObjectionSettled")
def settle_exit_objection(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "settle an objection")
    household.settle_exit_objection(data["year"], data["upheld"], data["note"])


@handles("HouseholdExited")
def record_exit(session: Session, actor: Actor, data: Data) -> None:
    _household(session, actor, data, "announce an exit").record_exit(data["year"])


# Monitoring ---------------------------------------------------------------------------
@handles("MonitoringStarted")
def start_monitoring(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "start monitoring")
    household.start_monitoring(data["monitoring_type"], data["risks"], data["note"])


@handles("RiskEliminated")
def eliminate_risk(session: Session, actor: Actor, data: Data) -> None:
    household = _household(session, actor, data, "remove a risk")
    year = int(business_day(occurring_at())[:4])
    household.eliminate_risk(data["note"], _rule(session, "edge_line", year),
                             _open_findings(session, household))
