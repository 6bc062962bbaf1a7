"""Handlers of a poor village's exit (贫困村出列), recorded at county level: by an admin, or a
cadre of the county the village is in."""
from __future__ import annotations

from ledger.commands.guards import Data, Handler
from ledger.domain.base import occurring_at
from ledger.domain.registry import Household
from ledger.domain.rulebook import BOOK, Rulebook, unit_value
from ledger.domain.timeline import business_day
from ledger.domain.units import Unit
from ledger.errors import Forbidden
from ledger.identity import Actor
from ledger.session import Session


def county_of(session: Session, unit: Unit) -> str | None:
    """The county above (or at) a unit, walking up its parents."""
    seen: set[str] = set()
    current: Unit | None = unit
    while current is not None and current.unit_id not in seen:
        if current.kind == "county":
            return current.unit_id
        seen.add(current.unit_id)
        parent = current.parent_id
        current = session.get(Unit, parent, "village_id") if parent else None
    return None


def county_village(session: Session, actor: Actor, data: Data, what: str
                   ) -> tuple[Unit, str | None]:
    """The village named by the data, and its county, which must be the cadre's own unit."""
    village = session.get(Unit, data["village_id"], "village_id")
    village.require_village("village_id")
    county = county_of(session, village)
    if actor.role == "cadre" and (county is None or actor.unit_id != county):
        raise Forbidden(f"only the county's cadres {what}", field="village_id",
                        missing="cadre of the county containing the village")
    return village, county


def record_population(session: Session, actor: Actor, data: Data) -> None:
    village, _ = county_village(session, actor, data, "record a village's population")
    village.record_population(data["year"], data["population"])


def record_village_exit(session: Session, actor: Actor, data: Data) -> None:
    village, county = county_village(session, actor, data, "record a village's exit")
    session.prefetch((Household, h) for h in village.village_households)
    records = [session.get(Household, h, "village_id").record for h in village.village_households]
    threshold = unit_value(session.find(Rulebook, BOOK), "village_exit_incidence", county)
    village.record_village_exit(data["year"], business_day(occurring_at()), records, threshold)


HANDLERS: dict[str, Handler] = {
    "VillagePopulationRecorded": record_population,
    "VillageExitRecorded": record_village_exit,
}
