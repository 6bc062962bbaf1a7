"""People and households: who is supervised and who is responsible."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.errors import Conflict, Invalid

HOUSEHOLD_CATEGORIES = ("registered_poor", "edge", "monitored", "other")
HOUSEHOLD_ROLES = ("helper_cadre", "first_secretary", "village_secretary", "resident_leader")
MEASURES = (
    "reminder_talk",
    "admonishment",
    "circulated_criticism",
    "disciplinary_sanction",
    "removal",
)
# Facts behind the ten key-household criteria (DOMAIN.md); all optional on each recording.
HOUSEHOLD_FACTS = (
    "size",
    "category",
    "income",
    "labour_coefficient",
    "has_labour",
    "has_industry_or_employment",
    "seriously_ill_members",
    "children_in_non_compulsory_education",
    "only_house_earthen",
    "near_disaster_hazard",
    "failed_industry_or_unstable_employment",
    "lacks_motivation",
    "single_over_45",
)


def require_end_after_start(effective_from: str, effective_to: str) -> None:
    """An assignment cannot end before it began (ISO dates compare as text)."""
    if effective_to < effective_from:
        raise Invalid(
            f"effective_to {effective_to} is before effective_from {effective_from}",
            field="effective_to",
        )


class Person(LedgerAggregate):
    KIND = "person"

    @staticmethod
    def create_id(person_id: str):  # type: ignore[no-untyped-def]
        return Person.id_for(person_id)

    @event("PersonRegistered")
    def __init__(self, person_id: str, name: str, unit_id: str) -> None:
        self.person_id = person_id
        self.name = name
        self.unit_id = unit_id

    def take_measure(self, measure: str, basis: list[str], note: str) -> None:
        self._measure_taken(person_id=self.person_id, measure=measure, basis=basis, note=note)

    @event("AccountabilityMeasureTaken")
    def _measure_taken(self, person_id: str, measure: str, basis: list[str], note: str) -> None:
        pass


class Household(LedgerAggregate):
    KIND = "household"

    @staticmethod
    def create_id(household_id: str):  # type: ignore[no-untyped-def]
        return Household.id_for(household_id)

    @event("HouseholdRegistered")
    def __init__(
        self, household_id: str, village_id: str, head_name: str, size: int, category: str
    ) -> None:
        self.household_id = household_id
        self.village_id = village_id
        self.size = size
        self.category = category
        self.responsible: set[tuple[str, str]] = set()
        self.held_since: dict[tuple[str, str], str] = {}  # (person, role) -> effective_from

    def record_facts(self, facts: dict[str, Any]) -> None:
        self._facts_recorded(household_id=self.household_id, **facts)

    @event("HouseholdFactsRecorded")
    def _facts_recorded(
        self,
        household_id: str,
        size: int | None = None,
        category: str | None = None,
        income: dict | None = None,
        labour_coefficient: float | None = None,
        has_labour: bool | None = None,
        has_industry_or_employment: bool | None = None,
        seriously_ill_members: int | None = None,
        children_in_non_compulsory_education: int | None = None,
        only_house_earthen: bool | None = None,
        near_disaster_hazard: bool | None = None,
        failed_industry_or_unstable_employment: bool | None = None,
        lacks_motivation: bool | None = None,
        single_over_45: bool | None = None,
    ) -> None:
        if size is not None:
            self.size = size
        if category is not None:
            self.category = category

    def assign(self, person_id: str, role: str, effective_from: str) -> None:
        if (person_id, role) in self.responsible:
            raise Conflict(
                f"{person_id} already holds {role} for household {self.household_id}",
                person_id=person_id,
                role=role,
            )
        self._assigned(
            person_id=person_id,
            role=role,
            subject_type="household",
            subject_id=self.household_id,
            effective_from=effective_from,
        )

    @event("ResponsibilityAssigned")
    def _assigned(
        self, person_id: str, role: str, subject_type: str, subject_id: str, effective_from: str
    ) -> None:
        self.responsible.add((person_id, role))
        self.held_since[(person_id, role)] = effective_from

    def end_assignment(self, person_id: str, role: str, effective_to: str) -> None:
        if (person_id, role) not in self.responsible:
            raise Conflict(
                f"{person_id} does not hold {role} for household {self.household_id}",
                person_id=person_id,
                role=role,
            )
        require_end_after_start(self.held_since[(person_id, role)], effective_to)
        self._ended(
            person_id=person_id,
            role=role,
            subject_type="household",
            subject_id=self.household_id,
            effective_to=effective_to,
        )

    @event("ResponsibilityEnded")
    def _ended(
        self, person_id: str, role: str, subject_type: str, subject_id: str, effective_to: str
    ) -> None:
        self.responsible.discard((person_id, role))
        self.held_since.pop((person_id, role), None)
