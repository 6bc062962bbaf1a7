"""Guards and lookups shared by the handlers: public, so each procedure's module can use them."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.domain import rulebook
from ledger.domain.base import occurring_at
from ledger.domain.registry import Household, Person
from ledger.domain.rulebook import BOOK, Rulebook
from ledger.domain.subjects import event_subject
from ledger.domain.supervision import Finding
from ledger.domain.timeline import business_day
from ledger.domain.units import Unit
from ledger.errors import Forbidden, Invalid, NotFound
from ledger.identity import Actor
from ledger.session import Session

Data = dict[str, Any]
HELPER_CADRE = "helper_cadre"
# A guard against a parent chain that loops (the registry never makes one).
MAX_DEPTH = 16
Handler = Callable[[Session, Actor, Data], None]


def registration_event_id(household_id: str) -> str:
    """The event id of a household's registration: the first event of its aggregate."""
    return f"{Household.id_for(household_id)}:1"


def subject_of(session: Session, data: Data) -> Unit | Household:
    kind = data["subject_type"]
    if kind == "household":
        return session.get(Household, data["subject_id"], "subject_id")
    return session.get(Unit, data["subject_id"], "subject_id")


def unit_of_subject(session: Session, kind: str, natural_id: str) -> str | None:
    """The unit a subject belongs to: a household's village, a finding's responsible unit, a
    person's unit, or the unit itself."""
    found: Any = session.find({"household": Household, "finding": Finding, "person": Person,
                               "unit": Unit}[kind], natural_id)
    if found is None:
        return None
    return natural_id if kind == "unit" else getattr(
        found, {"household": "village_id", "finding": "responsible_unit_id",
                "person": "unit_id"}[kind])


def require_within_scope(session: Session, actor: Actor, event: Any, what: str) -> None:
    """A cadre acts on an event's subject only within its token unit and the units below it
    (the read scope); an event naming no subject is outside every cadre's scope."""
    if actor.role != "cadre":
        return
    named = event_subject(vars(event))
    unit_id = None if named is None else unit_of_subject(session, *named)
    seen: set[str] = set()
    while unit_id is not None and unit_id not in seen:
        if unit_id == actor.unit_id:
            return
        seen.add(unit_id)
        unit = session.find(Unit, unit_id)
        unit_id = None if unit is None else unit.parent_id
    raise Forbidden(f"a cadre may {what} only within its own unit")


def require_events(session: Session, event_ids: list[str], field: str) -> None:
    for i, event_id in enumerate(event_ids):
        if not session.event_exists(event_id):
            raise NotFound(f"event {event_id!r} does not exist", field=f"{field}.{i}", id=event_id)


def units_up(session: Session, unit_id: str) -> list[Unit]:
    """The unit and every unit above it, the unit first."""
    chain: list[Unit] = []
    next_id: str | None = unit_id
    while next_id is not None and len(chain) < MAX_DEPTH:
        unit = session.get(Unit, next_id, "unit_id")
        chain.append(unit)
        next_id = unit.parent_id
    return chain


def require_within(session: Session, actor: Actor, unit_id: str, what: str) -> None:
    """A cadre records only for units in its token unit's subtree (a township's cadre for
    its villages); other roles are not bound to a unit here."""
    if actor.role != "cadre" or actor.unit_id == unit_id:
        return
    if actor.unit_id not in [u.unit_id for u in units_up(session, unit_id)]:
        # A refusal names no unit: neither the token's nor the subject's (CONTRACT.md).
        raise Forbidden(f"a cadre may {what} only within its own unit")


def own_household(session: Session, actor: Actor, data: Data, what: str) -> Household:
    household = session.get(Household, data["household_id"], "household_id")
    require_within(session, actor, household.village_id, what)
    return household


def helps_household(actor: Actor, household: Household) -> bool:
    """Whether the token's actor holds helper_cadre for the household on the command's date."""
    day = business_day(occurring_at())
    return actor.role == "cadre" and household.holds_on(actor.id, HELPER_CADRE, day)


def require_helper_or_within(session: Session, actor: Actor, household: Household,
                             what: str) -> None:
    """A cadre records about a household it helps on the command's date, whatever its token's
    unit, or one within its token unit's subtree; refused naming the role it lacks."""
    if actor.role != "cadre" or helps_household(actor, household):
        return
    if actor.unit_id == household.village_id or actor.unit_id in [
            u.unit_id for u in units_up(session, household.village_id)]:
        return
    day = business_day(occurring_at())
    raise Forbidden(
        f"{actor.id} does not hold {HELPER_CADRE} for household {household.household_id} on "
        f"{day}, and the household is not within the token's unit: cannot {what}",
        role=HELPER_CADRE, household_id=household.household_id, on=day)


def require_county_level(session: Session, actor: Actor, household: Household,
                         what: str) -> None:
    """County-level decisions: an admin, or a cadre of the county containing the household."""
    if actor.role != "cadre":
        return
    counties = [u.unit_id for u in units_up(session, household.village_id)
                if u.kind == "county"]
    if actor.unit_id not in counties:
        raise Forbidden(
            f"only an admin or a cadre of the county containing household "
            f"{household.household_id} may {what}", role="cadre", level="county",
            household_id=household.household_id)


def open_findings_on_day(session: Session, household: Household) -> list[str]:
    """The findings on the household open on the command's business day, as known now."""
    day = business_day(occurring_at())
    raised = household.findings_raised_by(day)
    session.prefetch((Finding, finding_id) for finding_id in raised)
    return [f for f in raised if session.get(Finding, f, "household_id").is_open_on(day)]


def require_not_before_event_day(due_date: str | None, field: str) -> None:
    """A due date earlier than the event's own business day cannot be (422 naming it)."""
    day = business_day(occurring_at())
    if due_date is not None and due_date < day:
        raise Invalid(f"{field} {due_date} is earlier than the event's own date {day}",
                      field=field, on=day)


def rule(session: Session, parameter: str, year: int | None = None) -> float:
    return rulebook.value(session.find(Rulebook, BOOK), parameter, year)
