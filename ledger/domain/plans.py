"""Help plans (一户一方案、一人一措施): why a household is poor and what is done about it.

A mixin of `Household`. A plan names the causes and the measures of one year; a later plan of
the same year replaces the earlier one (by business time: a plan entered late never displaces
one made after it) and the log keeps both. A measure is named by its `measure_id` across the
household's plans, so a completion needs no year; a measure id stays with the year that first
used it.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.base import LedgerAggregate
from ledger.domain.order import Mark, mark_of, require_not_before
from ledger.domain.timeline import business_day
from ledger.errors import Conflict, Invalid, InvalidTransition, NotFound

POVERTY_CAUSES = (
    "illness", "disability", "education", "disaster", "lack_land", "lack_water", "lack_skills",
    "lack_labour", "lack_funds", "poor_transport", "lack_motivation", "other",
)
MEASURE_KINDS = (
    "industry", "employment", "relocation", "education", "health", "housing",
    "social_security", "ecological", "other",
)


def empty_plans() -> dict[str, Any]:
    """What a household holds of its plans: each measure id with the year that owns it and
    when it was first planned ([UTC instant, business day, event id, occurred_at]), and each
    completion's moment (the same four)."""
    return {"measures": {}, "completed": {}}


class HelpPlans:
    household_id: str
    help_plans: dict[str, Any]
    trigger_event: Any

    class HelpPlanRecorded(LedgerAggregate.Event):
        household_id: str
        year: int
        causes: list[str]
        measures: list[dict[str, Any]]

        def apply(self, household: Any) -> None:
            moment = _moment(self)
            for measure in self.measures:
                held = household.help_plans["measures"].setdefault(
                    measure["measure_id"], {"year": self.year, "first_planned": moment})
                held["first_planned"] = min(held["first_planned"], moment)  # a late entry

    class MeasureCompleted(LedgerAggregate.Event):
        household_id: str
        measure_id: str
        note: str

        def apply(self, household: Any) -> None:
            household.help_plans["completed"][self.measure_id] = _moment(self)

    def record_help_plan(self, year: int, causes: list[str], measures: list[dict]) -> None:
        """A measure id appears once in a plan and belongs to one year of the household."""
        seen: set[str] = set()
        for index, measure in enumerate(measures):
            measure_id = measure["measure_id"]
            if measure_id in seen:
                raise Invalid(f"measure {measure_id!r} appears twice in the plan",
                              field=f"measures.{index}.measure_id")
            seen.add(measure_id)
            owner = self.help_plans["measures"].get(measure_id)
            if owner is not None and owner["year"] != year:
                raise Conflict(
                    f"measure {measure_id!r} belongs to the plan of {owner['year']}; "
                    "give this year's measure another id",
                    field=f"measures.{index}.measure_id", measure_id=measure_id)
        self.trigger_event(self.HelpPlanRecorded, household_id=self.household_id, year=year,
                           causes=causes, measures=measures)

    def complete_measure(self, measure_id: str, note: str) -> None:
        """Only a planned measure completes, once, and not before it was planned."""
        planned = self.help_plans["measures"].get(measure_id)
        if planned is None:
            raise NotFound(f"no plan of household {self.household_id} has measure "
                           f"{measure_id!r}", field="measure_id", id=measure_id)
        done = self.help_plans["completed"].get(measure_id)
        if done is not None:
            require_not_before(_mark(done), "its completion", measure_id=measure_id)
            raise InvalidTransition(f"measure {measure_id!r} was already completed on {done[1]}",
                                    measure_id=measure_id)
        require_not_before(_mark(planned["first_planned"]), "the plan that first named it",
                           measure_id=measure_id)
        self.trigger_event(self.MeasureCompleted, household_id=self.household_id,
                           measure_id=measure_id, note=note)


def _moment(event: Any) -> list[str]:
    mark = mark_of(event)
    return [mark[0], business_day(event.occurred_at), mark[1], mark[2]]


def _mark(moment: list[str]) -> Mark:
    """The mark of a moment kept as [instant, day, event id, occurred_at] (older snapshots
    kept only the first two: the event is then named by its day)."""
    if len(moment) >= 4:
        return [moment[0], moment[2], moment[3]]
    return [moment[0], "", moment[1]]
