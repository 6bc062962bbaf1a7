"""Who holds which role for a household or a unit, and since when: one mixin for both.

`responsible` keeps the current holders (role -> {person id: effective_from}, in the order they
were assigned); `responsibility_spells` keeps every spell ("role:person" -> [[from, to], ...],
`to` None while it runs), so a write can ask who held a role on its own date. Plain dicts of
text, so snapshots store them as they are.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.base import LedgerAggregate
from ledger.errors import Conflict, Invalid

Holders = dict[str, dict[str, str]]
Spells = dict[str, list[list[str | None]]]


def require_may_assign(holders: Holders, person_id: str, role: str, subject: str) -> None:
    if person_id in holders.get(role, {}):
        raise Conflict(
            f"{person_id} already holds {role} for {subject}", person_id=person_id, role=role
        )


def require_may_end(
    holders: Holders, person_id: str, role: str, effective_to: str, subject: str
) -> None:
    """Only a held role can end, and not before it began (ISO dates compare as text)."""
    effective_from = holders.get(role, {}).get(person_id)
    if effective_from is None:
        raise Conflict(
            f"{person_id} does not hold {role} for {subject}", person_id=person_id, role=role
        )
    if effective_to < effective_from:
        raise Invalid(
            f"effective_to {effective_to} is before effective_from {effective_from}",
            field="effective_to",
        )


def _spells(subject: Any) -> Spells:
    # Snapshots taken before spells were kept have none: they start from the current holders.
    found: Spells | None = subject.__dict__.get("responsibility_spells")
    if found is None:
        found = {f"{role}:{person}": [[since, None]]
                 for role, held in subject.responsible.items() for person, since in held.items()}
        subject.__dict__["responsibility_spells"] = found
    return found


class Responsibility:
    """A mixin of `Household` and `Unit`: assigning and ending roles for the subject."""

    responsible: Holders
    trigger_event: Any

    def responsibility_subject(self) -> tuple[str, str]:
        raise NotImplementedError

    class ResponsibilityAssigned(LedgerAggregate.Event):
        person_id: str
        role: str
        subject_type: str
        subject_id: str
        effective_from: str

        def apply(self, subject: Any) -> None:
            spells = _spells(subject)  # before the holders change: they may seed it
            subject.responsible.setdefault(self.role, {})[self.person_id] = self.effective_from
            spells.setdefault(f"{self.role}:{self.person_id}", []).append(
                [self.effective_from, None])

    class ResponsibilityEnded(LedgerAggregate.Event):
        person_id: str
        role: str
        subject_type: str
        subject_id: str
        effective_to: str

        def apply(self, subject: Any) -> None:
            spells = _spells(subject)
            del subject.responsible[self.role][self.person_id]
            held = spells.get(f"{self.role}:{self.person_id}")
            if held:
                held[-1][1] = self.effective_to

    def assign(self, person_id: str, role: str, effective_from: str) -> None:
        subject_type, subject_id = self.responsibility_subject()
        require_may_assign(self.responsible, person_id, role, f"{subject_type} {subject_id}")
        self.trigger_event(self.ResponsibilityAssigned, person_id=person_id, role=role,
                           subject_type=subject_type, subject_id=subject_id,
                           effective_from=effective_from)

    def end_assignment(self, person_id: str, role: str, effective_to: str) -> None:
        subject_type, subject_id = self.responsibility_subject()
        require_may_end(self.responsible, person_id, role, effective_to,
                        f"{subject_type} {subject_id}")
        self.trigger_event(self.ResponsibilityEnded, person_id=person_id, role=role,
                           subject_type=subject_type, subject_id=subject_id,
                           effective_to=effective_to)

    def holds_on(self, person_id: str, role: str, day: str) -> bool:
        """Whether `person_id` held `role` for the subject on business day `day` (an ended
        spell covers its `effective_to` day)."""
        return any(since is not None and since <= day and (until is None or day <= until)
                   for since, until in _spells(self).get(f"{role}:{person_id}", []))
