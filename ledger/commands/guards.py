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
from ledger.errors import Forbidden, NotFound
from ledger.identity import Actor
from ledger.session import Session

Data = dict[str, Any]
Handler = Callable[[Session, Actor, Data], None]


def registration_event_id(household_id: str) -> str:
    """The event id of a household's registration: the first event of its aggregate."""
    return f"{Household.id_for(household_id)}:1"


def subject_of(session: Session, data: Data) -> Unit | Household:
    kind = data["subject_type"]
    if kind == "household":
        return session.get(Household, data["subject_id"], "subject_id")
    return session.get(Unit, data["subject_id"], "subject_id")


def require_own_unit(actor: Actor, unit_id: str, what: str) -> None:
    # A refusal names no unit: neither the token's nor the subject's (CONTRACT.md).
    if actor.role == "cadre" and actor.unit_id != unit_id:
        raise Forbidden(f"a cadre may {what} only within its own unit")


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


def own_household(session: Session, actor: Actor, data: Data, what: str) -> Household:
    household = session.get(Household, data["household_id"], "household_id")
    require_own_unit(actor, household.village_id, what)
    return household


def open_findings_on_day(session: Session, household: Household) -> list[str]:
    """The findings on the household open on the command's business day, as known now."""
    day = business_day(occurring_at())
    raised = household.findings_raised_by(day)
    session.prefetch((Finding, finding_id) for finding_id in raised)
    return [f for f in raised if session.get(Finding, f, "household_id").is_open_on(day)]


def rule(session: Session, parameter: str, year: int | None = None) -> float:
    return rulebook.value(session.find(Rulebook, BOOK), parameter, year)
