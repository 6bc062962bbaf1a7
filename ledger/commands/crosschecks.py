"""Handlers of cross-checks against the national system (ledger.domain.crosscheck)."""
from __future__ import annotations

from ledger.commands import members
from ledger.commands.guards import Data, Handler, registration_event_id, rule
from ledger.domain.registry import Household
from ledger.identity import Actor
from ledger.session import Session


def compare_system_record(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    registered = session.recorded_event(registration_event_id(data["household_id"]))  # head's name
    # Stored sealed: opened here, or None once the household's personal data was erased.
    head_name = session.reveal({"head_name": registered.head_name})["head_name"] \
        if registered else ""
    # The open mismatches' values were stored sealed too; a repeat is judged on what they say.
    household.open_mismatches = session.reveal(household.open_mismatches)
    opened = ({"id_numbers": members.id_numbers_on(session, household, data["as_of_date"])}
              if "id_numbers" in data["record"] else None)
    household.compare_system_record(data["source"], data["as_of_date"], data["record"],
                                    head_name, int(rule(session, "mismatch_days")), opened)


def resolve_mismatch(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    household.resolve_mismatch(data["mismatch_event_id"], data["resolution"], data["note"])


HANDLERS: dict[str, Handler] = {
    "SystemRecordCompared": compare_system_record,
    "MismatchResolved": resolve_mismatch,
}
