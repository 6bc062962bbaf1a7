"""Handlers of return-to-poverty monitoring."""
from __future__ import annotations

from ledger.commands.guards import Data, Handler, open_findings_on_day, own_household, rule
from ledger.domain.base import occurring_at
from ledger.domain.timeline import business_day
from ledger.identity import Actor
from ledger.session import Session


def start_monitoring(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "start monitoring")
    household.start_monitoring(data["monitoring_type"], data["risks"], data["note"])


def eliminate_risk(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "remove a risk")
    year = int(business_day(occurring_at())[:4])
    household.eliminate_risk(data["note"], rule(session, "edge_line", year),
                             open_findings_on_day(session, household))


HANDLERS: dict[str, Handler] = {
    "MonitoringStarted": start_monitoring,
    "RiskEliminated": eliminate_risk,
}
