"""Handler of dynamic adjustment (ledger.domain.adjustment): recorded at county level."""
from __future__ import annotations

from ledger.commands.guards import Data, Handler, require_county_level, require_events
from ledger.domain.registry import Household
from ledger.identity import Actor
from ledger.session import Session


def reclassify_household(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    require_county_level(session, actor, household, "reclassify a household")
    require_events(session, data["basis"], "basis")
    household.reclassify(data["to"], data["reason"], data["basis"], data["note"])


HANDLERS: dict[str, Handler] = {"HouseholdReclassified": reclassify_household}
