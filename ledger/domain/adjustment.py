"""Dynamic adjustment (动态调整): a household moved between categories at county level.

A mixin of `Household`. Only the moves of the contract's table are allowed, each judged on the
category held on the event's date; a return to poverty (返贫) begins a new exit story (the old
attempt stays in the log). Apart from the exit procedure, `wrongly_registered` is the only way
out of `registered_poor`.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.base import LedgerAggregate, occurring_at
from ledger.domain.timeline import Timeline, business_day, note, on
from ledger.errors import Conflict

# reason -> (categories it moves from, categories it moves to)
RECLASSIFICATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "newly_identified": (("edge", "other"), ("registered_poor",)),  # 新识别
    "returned_to_poverty": (("exited",), ("registered_poor",)),  # 返贫
    "wrongly_registered": (("registered_poor",), ("edge", "other")),  # 错评
    "edge_identified": (("other",), ("edge",)),
    "edge_cleared": (("edge",), ("other",)),
}


class Adjustment:
    household_id: str
    record: Timeline
    trigger_event: Any

    class HouseholdReclassified(LedgerAggregate.Event):
        household_id: str
        to: str
        reason: str
        basis: list[str]
        note: str

        def apply(self, household: Any) -> None:
            if on(household.record, "category", business_day(self.occurred_at)) == "exited":
                household.exit_year = None  # 返贫: a new exit story begins
            note(household.record, "category", self.occurred_at, self.to)
            household.exit_attempt = None

    def reclassify(self, to: str, reason: str, basis: list[str], text: str) -> None:
        day = business_day(occurring_at())
        held = on(self.record, "category", day)
        moves_from, moves_to = RECLASSIFICATIONS[reason]
        if held not in moves_from or to not in moves_to:
            raise Conflict(
                f"{reason} moves a household from {' or '.join(moves_from)} to "
                f"{' or '.join(moves_to)}; household {self.household_id} is {held} on {day}",
                household_id=self.household_id, field="to", to=to, reason=reason,
                category=held, on=day)
        self.trigger_event(self.HouseholdReclassified, household_id=self.household_id, to=to,
                           reason=reason, basis=basis, note=text)
