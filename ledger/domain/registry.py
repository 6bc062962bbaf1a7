"""People and households: who is supervised and who is responsible."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from ledger.domain.adjustment import Adjustment
from ledger.domain.base import LedgerAggregate, occurring_at
from ledger.domain.crosscheck import CrossChecks
from ledger.domain.exit import ExitProcedure
from ledger.domain.members import Members
from ledger.domain.monitoring import Monitoring
from ledger.domain.plans import HelpPlans, empty_plans
from ledger.domain.responsibility import Holders, Responsibility
from ledger.domain.reversals import HouseholdReversals
from ledger.domain.supervision import INCOME_SOURCES
from ledger.domain.timeline import Timeline, business_day, latest, note, on
from ledger.errors import Conflict

HOUSEHOLD_CATEGORIES = ("registered_poor", "edge", "monitored", "other", "exited")
# Categories only registration and the exit procedure move a household to or from.
PROCEDURE_CATEGORIES = ("registered_poor", "exited")
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


def income_of(sources: dict[str, float]) -> dict[str, float]:
    """Income by source, every source named (absent: 0)."""
    return {name: float(sources.get(name, 0)) for name in INCOME_SOURCES}


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


class Household(ExitProcedure, Monitoring, HelpPlans, CrossChecks, Members, Adjustment,
                HouseholdReversals, Responsibility, LedgerAggregate):
    """A household and its record by business time (size, category, income, the guarantees,
    the findings raised on it), from which its exit and its monitoring are decided."""

    KIND = "household"
    class_version = 2

    @staticmethod
    def create_id(household_id: str):
        return Household.id_for(household_id)

    class HouseholdRegistered(LedgerAggregate.Created):
        household_id: str
        village_id: str
        head_name: str
        size: int
        category: str
        exit_year: int | None = None

        def apply(self, household: Any) -> None:
            note(household.record, "size", self.occurred_at, self.size)
            note(household.record, "category", self.occurred_at, self.category)

    @event(HouseholdRegistered)
    def __init__(
        self, household_id: str, village_id: str, head_name: str, size: int, category: str,
        exit_year: int | None = None,
    ) -> None:
        self.household_id = household_id
        self.village_id = village_id
        self.responsible: Holders = {}
        self.record: Timeline = {}
        self.findings: dict[str, str] = {}  # finding id -> business day it was raised
        self.exit_attempt: dict[str, Any] | None = None
        self.exit_year = exit_year
        self.spells: list[dict[str, Any]] = []
        self.help_plans: dict[str, Any] = empty_plans()
        self.open_mismatches: dict[str, dict[str, Any]] = {}
        self.resolved_mismatches: dict[str, str] = {}  # mismatch event id -> resolving one

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot from before the record by business time: its size and category as
        they stood, from the beginning of time (what it knew of income and checks is lost:
        delete household snapshots after upgrading, so they are rebuilt from the log)."""
        since = ["1970-01-01", "1970-01-01T00:00:00.000000+00:00"]
        state["record"] = {"size": [[*since, state.pop("size")]],
                           "category": [[*since, state.pop("category")]]}
        state.update(findings={}, exit_attempt=None, exit_year=None, spells=[],
                     help_plans=empty_plans(), open_mismatches={}, resolved_mismatches={})

    @property
    def size(self) -> int:
        return int(latest(self.record, "size") or 0)

    @property
    def category(self) -> str:
        return str(latest(self.record, "category"))

    # Facts and what inspections and findings tell about the household -------------------
    class HouseholdFactsRecorded(LedgerAggregate.Event):
        household_id: str
        size: int | None = None
        category: str | None = None
        income: dict | None = None
        labour_coefficient: float | None = None
        has_labour: bool | None = None
        has_industry_or_employment: bool | None = None
        seriously_ill_members: int | None = None
        children_in_non_compulsory_education: int | None = None
        only_house_earthen: bool | None = None
        near_disaster_hazard: bool | None = None
        failed_industry_or_unstable_employment: bool | None = None
        lacks_motivation: bool | None = None
        single_over_45: bool | None = None

        def apply(self, household: Any) -> None:
            for name in ("size", "category"):
                if getattr(self, name) is not None:
                    note(household.record, name, self.occurred_at, getattr(self, name))
            if self.income is not None:
                note(household.record, "income", self.occurred_at, income_of(self.income))

    def personal_subject(self) -> str:
        return f"household:{self.household_id}"

    def erase_personal_data(self, basis: str) -> None:
        self._personal_data_erased(
            subject_type="household", subject_id=self.household_id, basis=basis)

    @event("PersonalDataErased")
    def _personal_data_erased(self, subject_type: str, subject_id: str, basis: str) -> None:
        pass

    def record_facts(self, facts: dict[str, Any]) -> None:
        category = facts.get("category")
        if category is not None:
            day = business_day(occurring_at())
            held = {on(self.record, "category", day), self.category}
            if category in PROCEDURE_CATEGORIES or held & set(PROCEDURE_CATEGORIES):
                raise Conflict(
                    "only registration and the exit procedure move a household to or from "
                    f"{' or '.join(PROCEDURE_CATEGORIES)}", household_id=self.household_id,
                    field="category", category=category)
        self.trigger_event(self.HouseholdFactsRecorded, household_id=self.household_id,
                           **facts)

    class HouseholdInspectionNoted(LedgerAggregate.Event):
        household_id: str
        inspection_id: str
        checks: dict[str, str] | None = None
        income: dict[str, float] | None = None

        def apply(self, household: Any) -> None:
            for name, value in (self.checks or {}).items():
                note(household.record, name, self.occurred_at, value)
            if self.income is not None:
                note(household.record, "income", self.occurred_at, income_of(self.income))

    def note_inspection(self, inspection_id: str, checks: dict[str, str] | None,
                        income: dict[str, float] | None) -> None:
        """Keep an inspection's checks and income on the household, which decides on them."""
        if checks or income:
            self.trigger_event(self.HouseholdInspectionNoted, household_id=self.household_id,
                               inspection_id=inspection_id, checks=checks, income=income)

    class HouseholdFindingNoted(LedgerAggregate.Event):
        household_id: str
        finding_id: str

        def apply(self, household: Any) -> None:
            household.findings[self.finding_id] = business_day(self.occurred_at)

    def note_finding(self, finding_id: str) -> None:
        self.trigger_event(self.HouseholdFindingNoted, household_id=self.household_id,
                           finding_id=finding_id)

    def findings_raised_by(self, day: str) -> list[str]:
        """The findings on the household raised on or before `day` (open or not)."""
        return [f for f, raised in self.findings.items() if raised <= day]

    def responsibility_subject(self) -> tuple[str, str]:
        return "household", self.household_id
