"""Return-to-poverty monitoring (防止返贫监测) of a household: spells from entry to risk removal.

A mixin of `Household`. A spell runs from `MonitoringStarted` to `RiskEliminated`; spells never
overlap in business time, and risk removal needs, on its date, income at or above the edge
line, every guarantee met or not applicable and no open finding on the household.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.base import LedgerAggregate, occurring_at
from ledger.domain.conditions import unmet
from ledger.domain.timeline import Timeline, business_day, instant, on
from ledger.errors import Conflict, InvalidTransition

MONITORING_TYPES = ("unstable_exited", "edge", "sudden_hardship")
RISKS = ("illness", "disability", "disaster", "accident", "unemployment", "industry_failure",
         "education_costs", "other")


class Monitoring:
    household_id: str
    record: Timeline
    spells: list[dict[str, Any]]
    trigger_event: Any

    class MonitoringStarted(LedgerAggregate.Event):
        household_id: str
        monitoring_type: str
        risks: list[str]
        note: str

        def apply(self, household: Any) -> None:
            household.spells.append({"type": self.monitoring_type,
                                     "since": instant(self.occurred_at), "until": None})

    class RiskEliminated(LedgerAggregate.Event):
        household_id: str
        note: str

        def apply(self, household: Any) -> None:
            household.spells[-1]["until"] = instant(self.occurred_at)

    def start_monitoring(self, monitoring_type: str, risks: list[str], note: str) -> None:
        moment = occurring_at()
        at, day = instant(moment), business_day(moment)
        for spell in self.spells:
            if spell["until"] is None or spell["until"] > at:
                raise Conflict(
                    f"household {self.household_id} is already monitored ({spell['type']}, "
                    f"since {spell['since']}); spells do not overlap",
                    household_id=self.household_id, monitoring_type=spell["type"],
                    since=spell["since"], until=spell["until"])
        category = on(self.record, "category", day)
        if monitoring_type == "unstable_exited" and category != "exited":
            raise Conflict(
                f"unstable_exited is for an exited household; household {self.household_id} "
                f"is {category} on {day}", household_id=self.household_id, category=category,
                field="monitoring_type")
        self.trigger_event(self.MonitoringStarted, household_id=self.household_id,
                           monitoring_type=monitoring_type, risks=risks, note=note)

    def eliminate_risk(self, note: str, edge_line: float, open_finding_ids: list[str]) -> None:
        moment = occurring_at()
        at, day = instant(moment), business_day(moment)
        spell = self.spells[-1] if self.spells else None
        if spell is None or spell["until"] is not None or spell["since"] > at:
            raise InvalidTransition(
                f"household {self.household_id} is not monitored on {day}",
                household_id=self.household_id, missing_step="MonitoringStarted")
        reasons = unmet(self.record, day, "edge_line", edge_line, open_finding_ids)
        if reasons:
            raise Conflict(
                f"household {self.household_id} does not meet the conditions of risk removal "
                f"on {day}", household_id=self.household_id, on=day, reasons=reasons)
        self.trigger_event(self.RiskEliminated, household_id=self.household_id, note=note)
