"""The roll-up on a unit board: the unit and every unit below it, added up."""
from __future__ import annotations

from marshmallow import fields

from api.schemas.answer import Answer, day, number, one, whole


def _counts(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                       metadata={"description": description})


class RollupHouseholdsSchema(Answer):
    total = whole()
    by_category = _counts("registered_poor, edge, monitored, other, exited")
    by_poverty_status = _counts("registered_poor, exited, not_registered")
    by_exit_class = _counts("A, B, C (seed 003) and unclassified (not registered poor, or "
                            "income unknown)")
    key_households = whole("households meeting at least one of the ten criteria")


class RollupMonitoredSchema(Answer):
    total = whole("households under return-to-poverty monitoring")
    by_type = _counts("unstable_exited, edge, sudden_hardship")


class OpenOverdueSchema(Answer):
    open = whole()
    overdue = whole("open after the due date, on `as_of_date`")


class RollupFindingsSchema(OpenOverdueSchema):
    on_units = one(OpenOverdueSchema, "findings whose subject is a unit of the subtree")
    on_households = one(OpenOverdueSchema, "findings whose subject is one of its households")


class CoverageSchema(Answer):
    households = whole()
    visited = whole("visited (a visit or unannounced inspection) within the visit period")
    share = number("visited / households; null without households", nullable=True)


class VisitCoverageSchema(CoverageSchema):
    period_days = whole("the rule parameter visit_period_days in force")
    since = day("visits on or after this date count")
    by_category = fields.Dict(keys=fields.String(), values=fields.Nested(CoverageSchema),
                              required=True)


class IncidenceSchema(Answer):
    year = whole("the population's year: that of `as_of_date`, or the latest before it",
                 nullable=True)
    population = whole("rural population recorded for the year in the subtree", nullable=True)
    poor_people = whole("people of registered_poor households")
    incidence = number("poor_people / population (贫困发生率); null without a population",
                       nullable=True)


class RollupSchema(Answer):
    units = whole("units in the subtree, the unit included")
    households = one(RollupHouseholdsSchema)
    monitored = one(RollupMonitoredSchema)
    findings = one(RollupFindingsSchema)
    visit_coverage = one(VisitCoverageSchema)
    people = _counts("people of its households by poverty status")
    poverty_incidence = one(IncidenceSchema)
