"""A poor village's exit (贫困村出列), decided on the village itself. A mixin of `Unit`.

A village registered as a poor village (`poor_village`) keeps its rural population by year and
the households registered in it (noted by the ledger as each is registered, so the exit reads
a few hundred households, never the whole county). It exits on a date when, as known valid on
that date, its poverty incidence (the people of its registered_poor households ÷ its population
for the year) is at most `village_exit_incidence` and no finding in its subtree is open.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.domain.base import LedgerAggregate
from ledger.domain.timeline import Timeline, on
from ledger.errors import Conflict, Invalid

REGISTERED_POOR = "registered_poor"


def incidence(poor_people: int, population: int | None) -> float | None:
    """The share of the population in registered_poor households (None: no population)."""
    if not population:
        return None
    return round(poor_people / population, 4)


def poor_people_on(records: Iterable[Timeline], day: str) -> int:
    """The people of the households registered poor on `day`, by what is known now."""
    return sum(int(on(r, "size", day) or 0) for r in records
               if on(r, "category", day) == REGISTERED_POOR)


class VillageExit:
    unit_id: str
    kind: str
    open_count: int
    open_sample: list[str]
    trigger_event: Any
    poor_village: bool
    populations: dict[str, int]
    village_households: list[str]
    exit_year: int | None

    class VillagePopulationRecorded(LedgerAggregate.Event):
        village_id: str
        year: int
        population: int

        def apply(self, village: Any) -> None:
            village.populations[str(self.year)] = self.population

    class PoorVillageHouseholdNoted(LedgerAggregate.Event):
        village_id: str
        household_id: str

        def apply(self, village: Any) -> None:
            village.village_households.append(self.household_id)

    class VillageExitRecorded(LedgerAggregate.Event):
        village_id: str
        year: int

        def apply(self, village: Any) -> None:
            village.exit_year = self.year

    class VillageExitAnnulled(LedgerAggregate.Event):
        village_id: str
        year: int
        exit_event_id: str
        reason: str

        def apply(self, village: Any) -> None:
            village.exit_year = None

    def require_village(self, field: str) -> None:
        if self.kind != "village":
            raise Invalid(f"unit {self.unit_id} is a {self.kind}, not a village", field=field)

    def record_population(self, year: int, population: int) -> None:
        self.require_village("village_id")
        self.trigger_event(self.VillagePopulationRecorded, village_id=self.unit_id, year=year,
                           population=population)

    def note_household(self, household_id: str) -> None:
        """Keep a household registered in a poor village, whose people count toward its
        incidence."""
        if self.poor_village:
            self.trigger_event(self.PoorVillageHouseholdNoted, village_id=self.unit_id,
                               household_id=household_id)

    def exit_reasons(self, year: int, day: str, records: Iterable[Timeline], threshold: float
                     ) -> list[dict[str, Any]]:
        """Every condition of an exit on `day` that does not hold."""
        reasons: list[dict[str, Any]] = []
        if not self.poor_village or self.exit_year is not None:
            what = "has already exited" if self.poor_village else "is not a poor village"
            reasons.append({"condition": "poor_village", "exit_year": self.exit_year,
                            "message": f"village {self.unit_id} {what}"})
        population = self.populations.get(str(year))
        poor = poor_people_on(records, day)
        share = incidence(poor, population)
        if share is None or share > threshold:
            known = (f"no population is recorded for {year}" if share is None
                     else f"incidence {share:.2%} ({poor} of {population})")
            reasons.append({"condition": "incidence", "incidence": share, "poor_people": poor,
                            "population": population, "village_exit_incidence": threshold,
                            "message": f"{known} on {day}; needs at most {threshold:.2%}"})
        if self.open_count:
            reasons.append({"condition": "open_findings", "open_findings": self.open_count,
                            "finding_ids": list(self.open_sample),
                            "message": f"{self.open_count} finding(s) open in the village"})
        return reasons

    def record_village_exit(self, year: int, day: str, records: Iterable[Timeline], threshold: float
                    ) -> None:
        reasons = self.exit_reasons(year, day, records, threshold)
        if reasons:
            raise Conflict(f"village {self.unit_id} cannot exit on {day}",
                           village_id=self.unit_id, on=day, reasons=reasons)
        self.trigger_event(self.VillageExitRecorded, village_id=self.unit_id, year=year)

    def annul_village_exit(self, year: int, exit_event_id: str, reason: str) -> None:
        """Undo an exit a dispute overturned, if it still stands."""
        if self.exit_year == year:
            self.trigger_event(self.VillageExitAnnulled, village_id=self.unit_id, year=year,
                               exit_event_id=exit_event_id, reason=reason)
