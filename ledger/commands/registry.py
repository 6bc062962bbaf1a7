"""Handlers of the registry: units, people, households, responsibilities, erasure."""
from __future__ import annotations

from ledger.commands.guards import Data, Handler, require_helper_or_within, subject_of
from ledger.domain.registry import Household, Person
from ledger.domain.units import Unit
from ledger.errors import Invalid
from ledger.identity import Actor
from ledger.session import Session


def register_unit(session: Session, actor: Actor, data: Data) -> None:
    if data.get("parent_id") is not None:
        session.get(Unit, data["parent_id"], "parent_id")
    if data.get("poor_village") and data["kind"] != "village":
        raise Invalid(f"a {data['kind']} cannot be a poor village", field="poor_village")
    session.create(Unit, data["unit_id"], "unit_id", **data)


def register_person(session: Session, actor: Actor, data: Data) -> None:
    session.get(Unit, data["unit_id"], "unit_id")
    session.create(Person, data["person_id"], "person_id", **data)


def register_household(session: Session, actor: Actor, data: Data) -> None:
    village = session.get(Unit, data["village_id"], "village_id")
    if village.kind != "village":
        raise Invalid(
            f"unit {village.unit_id} is a {village.kind}, not a village", field="village_id"
        )
    if data["category"] == "exited" and data.get("exit_year") is None:
        raise Invalid("a household registered as exited needs its exit_year", field="exit_year")
    session.create(Household, data["household_id"], "household_id", **data)
    village.note_household(data["household_id"])


def record_household_facts(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    require_helper_or_within(session, actor, household, "record facts")
    household.record_facts({k: v for k, v in data.items() if k != "household_id"})


def assign_responsibility(session: Session, actor: Actor, data: Data) -> None:
    session.get(Person, data["person_id"], "person_id")
    subject_of(session, data).assign(data["person_id"], data["role"], data["effective_from"])


def end_responsibility(session: Session, actor: Actor, data: Data) -> None:
    session.get(Person, data["person_id"], "person_id")
    subject_of(session, data).end_assignment(data["person_id"], data["role"], data["effective_to"])


def erase_personal_data(session: Session, actor: Actor, data: Data) -> None:
    """The erasure itself is recorded here; the application destroys the subject's key once
    the event is saved."""
    subject_cls: type[Household | Person] = (
        Household if data["subject_type"] == "household" else Person)
    subject = session.get(subject_cls, data["subject_id"], "subject_id")
    subject.erase_personal_data(data["basis"])


HANDLERS: dict[str, Handler] = {
    "UnitRegistered": register_unit,
    "PersonRegistered": register_person,
    "HouseholdRegistered": register_household,
    "HouseholdFactsRecorded": record_household_facts,
    "ResponsibilityAssigned": assign_responsibility,
    "ResponsibilityEnded": end_responsibility,
    "PersonalDataErased": erase_personal_data,
}
