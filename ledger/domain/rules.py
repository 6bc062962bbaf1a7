"""Rule parameters as events, so a replay applies the rules that were in force at the time.

Each setting is its own small aggregate (like a score): a later setting of the same parameter
(and year) supersedes an earlier one, and the log keeps both.
"""
from __future__ import annotations

from uuid import uuid4

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.errors import Invalid

# parameter -> (lowest, highest, per year, default, where the default comes from)
PARAMETERS: dict[str, tuple[float, float, bool, float, str]] = {
    "income_standard": (1, 1e6, True, 3700, "seed 003: per-capita net income standard"),
    "edge_line": (1, 1e6, True, 5000, "seed 001: edge households below 5000 yuan"),
    "visit_period_days": (1, 366, False, 31, "seed 004: helper cadres visit at least monthly"),
    "review_period_months": (1, 12, False, 3, "seed 000: quarterly review and ranking"),
    "exit_notice_days": (1, 90, False, 7, "DOMAIN.md: an exit is publicly posted at least 7 days"),
    "supervision_period_days": (1, 366, False, 31,
                                "seed 000: listed units are supervised at least monthly"),
    "exit_appraisal_majority": (0, 0.99, False, 0.5,
                                "CONTRACT: an exit appraisal needs more than half the votes"),
    "mismatch_days": (1, 366, False, 30,
                      "issue 17: a mismatch with the information system is resolved in 30 days"),
    "village_exit_incidence": (0, 1, False, 0.02,
                               "seed 002/003: a poor village exits at an incidence of 2% "
                               "(3% in the west, set per county)"),
    "late_entry_days": (0, 366, False, 7,
                        "CONTRACT: an event recorded more days after it happened is a late entry"),
}

# Parameters a county may set for itself (`unit_id`); elsewhere the ledger-wide value holds.
PER_UNIT = frozenset({"village_exit_incidence"})


class RuleParameter(LedgerAggregate):
    KIND = "rule"

    @staticmethod
    def create_id(parameter: str, value: float, year: int | None = None, note: str | None = None,
                  unit_id: str | None = None):
        return uuid4()

    @classmethod
    def set(
        cls, parameter: str, value: float, year: int | None = None, note: str | None = None,
        unit_id: str | None = None,
    ) -> RuleParameter:
        """Check the value against the parameter's range before recording it."""
        if parameter not in PARAMETERS:
            raise Invalid(f"unknown rule parameter {parameter!r}", field="parameter")
        lowest, highest, per_year, _, _ = PARAMETERS[parameter]
        if not lowest <= value <= highest:
            raise Invalid(f"{parameter} must be between {lowest} and {highest}", field="value")
        if year is not None and not per_year:
            raise Invalid(f"{parameter} does not vary by year", field="year")
        if unit_id is not None and parameter not in PER_UNIT:
            raise Invalid(f"{parameter} does not vary by county", field="unit_id")
        if unit_id is None:
            return cls(parameter=parameter, value=value, year=year, note=note)
        return cls(parameter=parameter, value=value, year=year, note=note, unit_id=unit_id)

    @event("RuleParameterSet")
    def __init__(
        self, parameter: str, value: float, year: int | None = None, note: str | None = None,
        unit_id: str | None = None,
    ) -> None:
        self.parameter = parameter
        self.value = value
