"""Who may read what: the one access policy every door asks (API routes, console pages,
spreadsheets and CSV, evidence packs, disputes, the global log).

Scope is by subtree. Units form a tree (county > township > village > group); a household
belongs to its village, a finding to its responsible unit, a person to the unit they were
registered in, a dispute to the subject of the event it contests. A `cadre` or `viewer` token
reads its own unit and every unit below it; `admin`, `inspector` and `discipline` read every
unit. The global log is for `admin` and `discipline` only, or for a token with the `replicate`
scope, which gets personal fields sealed: such a token is given nothing opened anywhere (every
subject refused, every list empty), whatever its role.

A refusal is `Forbidden` naming no unit and no data of the subject: that the subject exists is
all its status tells (an unknown subject is `NotFound`, whoever asks).

Cost: a unit's parent never changes once it is registered, so `projections.unit_tree` reads
each unit's parent once per process; an `Access` (one per request) also remembers each unit it
judged. A list's scope (`Access.units`) reads the unit keys once per request, never a row's
ancestry.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ledger.domain.subjects import event_subject
from ledger.errors import Forbidden, NotFound
from ledger.identity import REPLICATE, Actor
from projections import responsibility
from projections.events import today
from projections.household_list import UNIT_COLUMNS

if TYPE_CHECKING:
    from projections.views import Views

SCOPED_ROLES = ("viewer", "cadre")
LOG_READERS = ("admin", "discipline")
AUDITORS = ("discipline", "admin")
TOKEN_TYPES = ("TokenIssued", "TokenRevoked")
HELPER_CADRE = "helper_cadre"


def refusal(actor: Actor) -> Forbidden:
    """The one refusal of a read outside a token's scope: no unit, no subject data."""
    return Forbidden(f"outside this token's scope: a {actor.role} reads only within its own "
                     "unit and the units below it", role=actor.role)


class Access:
    """One request's decisions for one token; remembers each unit it judged."""

    def __init__(self, views: Views, actor: Actor) -> None:
        self.views = views
        self.actor = actor
        self._within: dict[str, bool] = {}
        self._units: frozenset[str] | None = None

    @property
    def sealed_only(self) -> bool:
        """A `replicate` token: personal fields sealed only, so no subject's read at all."""
        return REPLICATE in self.actor.scopes

    @property
    def scoped(self) -> bool:
        """True when the token reads only its own unit's subtree (or nothing of any unit)."""
        return self.actor.role in SCOPED_ROLES or self.sealed_only

    # Single subjects ------------------------------------------------------------------
    def within(self, unit_id: str | None) -> bool:
        """May this token read what belongs to `unit_id`?"""
        if not self.scoped:
            return True
        own = self.actor.unit_id
        if unit_id is None or own is None or self.sealed_only:
            return False
        if unit_id not in self._within:
            chain = self.views.units_tree.ancestry(unit_id) or ()
            self._within[unit_id] = own in chain
        return self._within[unit_id]

    def require_unit(self, unit_id: str | None) -> None:
        if not self.within(unit_id):
            raise refusal(self.actor)

    def unit_of(self, subject_type: str, subject_id: str) -> str:
        """The unit a subject belongs to; NotFound for an unknown subject or subject type."""
        views = self.views
        locate: dict[str, Callable[[str], str | None]] = {
            "household": views.household_village, "finding": views.finding_unit,
            "person": views.person_unit,
            "unit": lambda u: u if views.units_tree.ancestry(u) is not None else None}
        if subject_type not in locate:
            raise NotFound(f"no subject type {subject_type!r}", id=subject_type)
        unit_id = locate[subject_type](subject_id)
        if unit_id is None:
            raise NotFound(f"{subject_type} {subject_id!r} does not exist", id=subject_id)
        return unit_id

    def require(self, subject_type: str, subject_id: str) -> None:
        """404 for an unknown subject, 403 for one outside the token's scope (a household its
        cadre helps today is within it, whatever the token's unit)."""
        unit_id = self.unit_of(subject_type, subject_id)
        if subject_type == "household" and not self.within(unit_id) \
                and self.helps(subject_id):
            return
        self.require_unit(unit_id)

    def helps(self, household_id: str) -> bool:
        """Whether the token is a cadre's whose actor holds helper_cadre for the household
        today (CONTRACT: "Who may record what")."""
        if self.actor.role != "cadre" or self.sealed_only:
            return False
        state = self.views.store.load_one("household", household_id)
        day = today().isoformat()
        return state is not None and any(
            held["role"] == HELPER_CADRE and held["person_id"] == self.actor.id
            and responsibility.holds_on(held, day)
            for held in state.get("responsibilities", []))

    def require_named(self, subject_type: str, subject_id: str) -> None:
        """A filter naming a subject: a scoped token is refused one outside its scope, or one
        that does not exist (the list would be empty; the refusal tells nothing more)."""
        if not self.scoped:
            return
        try:
            self.require(subject_type, subject_id)
        except NotFound:
            raise refusal(self.actor) from None

    def require_event(self, type_name: str, data: dict[str, Any]) -> tuple[str, str] | None:
        """An event (a contested one, one shown by itself) is read within the scope of the
        subject it names; one naming no subject (or a token's, which is about no unit's
        world) only by the roles that read everything. Answers the subject."""
        subject = None if type_name in TOKEN_TYPES else event_subject(data)
        if subject is None:
            if self.scoped:
                raise refusal(self.actor)
            return None
        try:
            self.require(*subject)
        except NotFound:
            # The subject an event names exists once recorded; a missing view of it (the
            # projections behind) must not open the event to everyone.
            if self.scoped:
                raise refusal(self.actor) from None
        return subject

    # Lists ----------------------------------------------------------------------------
    def units(self) -> frozenset[str] | None:
        """The units a list may show for this token: None for every unit."""
        if not self.scoped:
            return None
        if self._units is None:
            own = self.actor.unit_id
            self._units = frozenset() if own is None or self.sealed_only \
                else self.views.units_tree.subtree(own)
        return self._units

    def households(self) -> tuple[str, str] | None:
        """The household list's scope as (column, unit), None for every household. A token
        whose unit is no village, township or county (or that has none) sees no household."""
        if not self.scoped:
            return None
        own = None if self.sealed_only else self.actor.unit_id
        kind = self.views.unit_kind(own) if own else None
        return UNIT_COLUMNS.get(kind or "", "village_id"), own or ""

    # Role-only doors ------------------------------------------------------------------
    def log(self) -> bool:
        """May this token read the global log? Answers True when it gets personal fields
        sealed only (the `replicate` scope), False when opened; Forbidden otherwise."""
        if REPLICATE in self.actor.scopes:
            return True
        if self.actor.role in LOG_READERS:
            return False
        raise Forbidden("the global log is read by the discipline committee and admins only, "
                        "or with a replicate token", role=self.actor.role)

    def require_auditor(self) -> None:
        if self.actor.role not in AUDITORS:
            raise Forbidden("only the discipline committee and admins read the read audit",
                            role=self.actor.role)

