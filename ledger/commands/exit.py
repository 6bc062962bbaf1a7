"""Handlers of the exit procedure.

Every decision reads the write model only: the household aggregate (its record by business
time and the findings raised on it), those findings, and the rulebook. Cadres act only for
households of their own unit."""
from __future__ import annotations

from ledger.commands.guards import Data, Handler, open_findings_on_day, own_household, rule
from ledger.identity import Actor
from ledger.session import Session


def appraise_exit(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "appraise an exit")
    household.appraise_exit(data["year"], data["votes_for"], data["votes_total"],
                            data.get("note"))


def verify_exit(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "verify an exit")
    passed = data["passed"]
    household.verify_exit(
        data["year"], passed, data["note"],
        standard=rule(session, "income_standard", data["year"]) if passed else 0,
        open_finding_ids=open_findings_on_day(session, household) if passed else [])


def acknowledge_exit(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "record an acknowledgement")
    household.acknowledge_exit(data["year"], data.get("note"))


def publicize_exit(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "publicize an exit")
    household.publicize_exit(data["year"], data["from"], data["to"],
                             int(rule(session, "exit_notice_days")))


def raise_exit_objection(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "record an objection")
    household.raise_exit_objection(data["year"], data["note"])


def settle_exit_objection(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "settle an objection")
    household.settle_exit_objection(data["year"], data["upheld"], data["note"])


def record_exit(session: Session, actor: Actor, data: Data) -> None:
    own_household(session, actor, data, "announce an exit").record_exit(data["year"])


HANDLERS: dict[str, Handler] = {
    "ExitAppraised": appraise_exit,
    "ExitVerified": verify_exit,
    "ExitAcknowledged": acknowledge_exit,
    "ExitPublicized": publicize_exit,
    "ExitObjectionRaised": raise_exit_objection,
    "ExitObjectionSettled": settle_exit_objection,
    "HouseholdExited": record_exit,
}
