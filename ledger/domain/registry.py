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


# Who holds which role for a household or a unit: role -> {person id: effective_from}, each
# role's holders in the order they were assigned. Plain dicts of text, so snapshots store them.
Holders = dict[str, dict[str, str]]


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


class Person(LedgerAggregate):
    KIND = "person"

    @staticmethod
    def create_id(person_id: str):
        return Person.id_for(person_id)

    @event("PersonRegistered")
    def __init__(self, person_id: str, name: str, unit_id: str) -> None:
        # The name stays in the event only: no rule needs it, and state is what snapshots keep.
        self.person_id = person_id
        self.unit_id = unit_id

    def personal_subject(self) -> str:
        return f"person:{self.person_id}"

    def erase_personal_data(self, basis: str) -> None:
        self._personal_data_erased(subject_type="person", subject_id=self.person_id, basis=basis)

    @event("PersonalDataErased")
    def _personal_data_erased(self, subject_type: str, subject_id: str, basis: str) -> None:
        pass

    def take_measure(self, measure: str, basis: list[str], note: str) -> None:
        self._measure_taken(person_id=self.person_id, measure=measure, basis=basis, note=note)

    @event("AccountabilityMeasureTaken")
    def _measure_taken(self, person_id: str, measure: str, basis: list[str], note: str) -> None:
        pass


class Household(LedgerAggregate):
    KIND = "household"

    @staticmethod
    def create_id(household_id: str):
        return Household.id_for(household_id)

    @event("HouseholdRegistered")
    def __init__(
        self, household_id: str, village_id: str, head_name: str, size: int, category: str
    ) -> None:
        self.household_id = household_id
        self.village_id = village_id
        self.size = size
        self.category = category
        self.responsible: Holders = {}

    def personal_subject(self) -> str:
        return f"household:{self.household_id}"

    def erase_personal_data(self, basis: str) -> None:
        self._personal_data_erased(
            subject_type="household", subject_id=self.household_id, basis=basis)

    @event("PersonalDataErased")
    def _personal_data_erased(self, subject_type: str, subject_id: str, basis: str) -> None:
        pass

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
        require_may_assign(self.responsible, person_id, role, f"household {self.household_id}")
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
        self.responsible.setdefault(role, {})[person_id] = effective_from

    def end_assignment(self, person_id: str, role: str, effective_to: str) -> None:
        require_may_end(
            self.responsible, person_id, role, effective_to, f"household {self.household_id}"
        )
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
        del self.responsible[role][person_id]
