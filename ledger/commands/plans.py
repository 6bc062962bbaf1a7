"""Handlers of help plans and their measures (ledger.domain.plans)."""
from __future__ import annotations

from ledger.commands.guards import (
    Data,
    Handler,
    require_not_before_event_day,
    require_within,
)
from ledger.domain.registry import Household, Person
from ledger.identity import Actor
from ledger.session import Session


def record_help_plan(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    require_within(session, actor, household.village_id, "record a help plan")
    for i, measure in enumerate(data["measures"]):
        require_not_before_event_day(measure["due_date"], f"measures.{i}.due_date")
        if measure.get("person_id") is not None:
            session.get(Person, measure["person_id"], f"measures.{i}.person_id")
        if measure.get("member_id") is not None:
            household.present_member(measure["member_id"], f"measures.{i}.member_id")
    household.record_help_plan(data["year"], data["causes"], data["measures"])


def complete_measure(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    require_within(session, actor, household.village_id, "complete a measure")
    household.complete_measure(data["measure_id"], data["note"])


HANDLERS: dict[str, Handler] = {
    "HelpPlanRecorded": record_help_plan,
    "MeasureCompleted": complete_measure,
}
