"""Handlers of a household's members (ledger.domain.members): registered, their facts, leaving.

Recorded by cadres of a unit containing the household, or an admin. An id number is claimed in
its uniqueness index (ledger.domain.id_numbers) in the same write, and released when its member
leaves or is given another.
"""
from __future__ import annotations

from ledger.commands.guards import Data, Handler, own_household
from ledger.domain.base import as_system
from ledger.domain.id_numbers import IdNumberClaim
from ledger.domain.members import PRESENT, id_number_problem, member_key, members_of
from ledger.domain.registry import Household
from ledger.domain.timeline import on
from ledger.errors import Invalid
from ledger.identity import Actor
from ledger.session import Session

ID_NUMBER = "id_number"


def register_member(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "register a member")
    if data.get(ID_NUMBER) is not None:
        _require_valid(data[ID_NUMBER], data["birth_date"])
    fields = {k: v for k, v in data.items() if k != "household_id"}
    household.register_member(**fields)
    if data.get(ID_NUMBER) is not None:
        _claim(session, household, data["member_id"], data[ID_NUMBER])


def record_member_facts(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "record a member's facts")
    member = household.present_member(data["member_id"])
    number = data.get(ID_NUMBER)
    if number is not None:
        registered = _opened(session, household, member["registered_version"])
        _require_valid(number, registered.get("birth_date"))
        earlier = _id_number_of(session, household, member)
        if earlier != number:
            _claim(session, household, data["member_id"], number)
            if earlier is not None:
                _release(session, household, data["member_id"], earlier)
    facts = {k: v for k, v in data.items() if k not in ("household_id", "member_id")}
    household.record_member_facts(data["member_id"], facts)


def member_leaves(session: Session, actor: Actor, data: Data) -> None:
    household = own_household(session, actor, data, "record a member leaving")
    member = household.present_member(data["member_id"])
    number = _id_number_of(session, household, member)
    household.member_leaves(data["member_id"], data["reason"])
    if number is not None:
        _release(session, household, data["member_id"], number)


def _require_valid(number: str, birth_date: str | None) -> None:
    """GB 11643: the check character, and digits 7-14 the birth date (when still known)."""
    problem = id_number_problem(number, birth_date)
    if problem is not None:
        raise Invalid(f"id_number {problem}", field=ID_NUMBER)


def _opened(session: Session, household: Household, version: int) -> Data:
    """The member event of the household at `version`, its sealed fields opened (None once
    the household's personal data was erased)."""
    event = session.recorded_event(f"{household.id}:{version}")
    if event is None:  # registered in this very request
        event = next(e for e in household.pending_events if e.originator_version == version)
    return dict(session.reveal({k: getattr(event, k, None)
                                for k in ("birth_date", ID_NUMBER)}))


def _id_number_of(session: Session, household: Household, member: Data) -> str | None:
    version = member.get("id_version")
    return None if version is None else _opened(session, household, version).get(ID_NUMBER)


def id_numbers_on(session: Session, household: Household, day: str) -> list[str]:
    """The id numbers of the household's members present on `day` (as known now), opened from
    their events; a member without one, or erased, gives none."""
    found = []
    for member_id, member in members_of(household).items():
        if on(household.record, member_key(member_id), day) == PRESENT:
            number = _id_number_of(session, household, member)
            if number is not None:
                found.append(number)
    return sorted(found)


def _claim(session: Session, household: Household, member_id: str, number: str) -> None:
    fingerprint = session.fingerprint(ID_NUMBER, number)
    claim = session.find(IdNumberClaim, fingerprint)
    with as_system():
        if claim is None:
            session.create(IdNumberClaim, fingerprint, ID_NUMBER, fingerprint=fingerprint,
                           household_id=household.household_id, member_id=member_id)
        else:
            claim.claim(household.household_id, member_id, ID_NUMBER)


def _release(session: Session, household: Household, member_id: str, number: str) -> None:
    claim = session.find(IdNumberClaim, session.fingerprint(ID_NUMBER, number))
    if claim is not None:
        with as_system():
            claim.release(household.household_id, member_id)


HANDLERS: dict[str, Handler] = {
    "MemberRegistered": register_member,
    "MemberFactsRecorded": record_member_facts,
    "MemberLeft": member_leaves,
}
