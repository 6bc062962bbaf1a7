"""Help plans (一户一方案、一人一措施): why a household is poor and what is done about it.

A plan names the causes and the measures of one year; a later plan of the same year replaces
the earlier one (by business time: a plan entered late never displaces one made after it) and
the log keeps both. A measure is named by its `measure_id` across the household's plans, so a
completion needs no year; a measure id stays with the year that first used it.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.base import LedgerAggregate, business_moment
from ledger.errors import Conflict, Invalid, InvalidTransition, NotFound

POVERTY_CAUSES = (
    "illness", "disability", "education", "disaster", "lack_land", "lack_water", "lack_skills",
    "lack_labour", "lack_funds", "poor_transport", "lack_motivation", "other",
)
MEASURE_KINDS = (
    "industry", "employment", "relocation", "education", "health", "housing",
    "social_security", "ecological", "other",
)


class HelpPlanRecorded(LedgerAggregate.Event):
    household_id: str
    year: int
    causes: list[str]
    measures: list[dict[str, Any]]

    def apply(self, aggregate: Any) -> None:
        plans = aggregate.help_plans
        moment = business_moment(self.occurred_at)
        for measure in self.measures:
            plans["measures"].setdefault(
                measure["measure_id"], {"year": self.year, "first_planned": moment})


class MeasureCompleted(LedgerAggregate.Event):
    household_id: str
    measure_id: str
    note: str

    def apply(self, aggregate: Any) -> None:
        aggregate.help_plans["completed"][self.measure_id] = business_moment(self.occurred_at)


def empty_plans() -> dict[str, Any]:
    """What a household holds of its plans: each measure id with the year that owns it and
    when it was first planned, and the measures completed with when."""
    return {"measures": {}, "completed": {}}


def require_plan(plans: dict[str, Any], year: int, measures: list[dict[str, Any]]) -> None:
    """A measure id appears once in a plan and belongs to one year of the household."""
    seen: set[str] = set()
    for index, measure in enumerate(measures):
        measure_id = measure["measure_id"]
        if measure_id in seen:
            raise Invalid(f"measure {measure_id!r} appears twice in the plan",
                          field=f"measures.{index}.measure_id")
        seen.add(measure_id)
        owner = plans["measures"].get(measure_id)
        if owner is not None and owner["year"] != year:
            raise Conflict(
                f"measure {measure_id!r} belongs to the plan of {owner['year']}; "
                "give this year's measure another id",
                field=f"measures.{index}.measure_id", measure_id=measure_id,
            )


def require_completable(plans: dict[str, Any], measure_id: str, moment: list[Any]) -> None:
    """Only a planned measure completes, once, and not before it was planned."""
    planned = plans["measures"].get(measure_id)
    if planned is None:
        raise NotFound(f"no plan of this household has measure {measure_id!r}",
                       field="measure_id", id=measure_id)
    if measure_id in plans["completed"]:
        raise InvalidTransition(
            f"measure {measure_id!r} was already completed on "
            f"{plans['completed'][measure_id][1]}", measure_id=measure_id)
    if moment < planned["first_planned"]:
        raise InvalidTransition(
            f"measure {measure_id!r} was first planned on {planned['first_planned'][1]}; "
            "it cannot be completed before", measure_id=measure_id)
