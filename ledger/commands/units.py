"""Handlers of a unit's supervision: listing, delisting and quarterly lights."""
from __future__ import annotations

from ledger import open_findings
from ledger.commands.guards import Data, Handler
from ledger.domain.units import Unit
from ledger.identity import Actor
from ledger.session import Session


def list_unit(session: Session, actor: Actor, data: Data) -> None:
    unit = session.get(Unit, data["unit_id"], "unit_id")
    if data.get("supervising_unit_id") is not None:
        session.get(Unit, data["supervising_unit_id"], "supervising_unit_id")
    unit.list_for_supervision(
        data["level"], data.get("supervising_unit_id"), data.get("due_date"))


def delist_unit(session: Session, actor: Actor, data: Data) -> None:
    """Decided on the unit's tally of open findings in its subtree (see `Unit`)."""
    unit = session.get(Unit, data["unit_id"], "unit_id")
    unit.delist(lambda: open_findings.read_back_open(session, unit))


def rate_quarter(session: Session, actor: Actor, data: Data) -> None:
    """A quarterly light; a unit's record apart from its yellow cards, so it makes no
    interview due."""
    session.get(Unit, data["unit_id"], "unit_id").rate_quarter(
        data["period"], data["light"], data.get("score"), data.get("note"))


HANDLERS: dict[str, Handler] = {
    "UnitListed": list_unit,
    "UnitDelisted": delist_unit,
    "QuarterlyRatingRecorded": rate_quarter,
}
