"""What a dispute that overturns a decision undoes (the consequences the ledger records).

Mixins of `Finding`, `Unit` and `Household`, and the events of `Dispute` for what has no
aggregate of its own to undo. Each consequence names the overturned event and who recorded
it (`decided_by`), whose accountability trail then shows the overturned decision; each is
dated on the overturned decision's own date, so every read is as though it had not been made.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.base import LedgerAggregate


class FindingReversals:
    finding_id: str
    status: str
    trigger_event: Any

    class FindingReopened(LedgerAggregate.Event):
        finding_id: str
        verification_event_id: str
        decided_by: str
        reason: str

        def apply(self, finding: Any) -> None:
            finding.status = "open"
            finding.settled_on = None

    def reopen(self, verification_event_id: str, decided_by: str, reason: str) -> bool:
        """The accepted verification never stood: open again. False if it is no longer
        closed (withdrawn since)."""
        if self.status != "closed":
            return False
        self.trigger_event(self.FindingReopened, finding_id=self.finding_id,
                           verification_event_id=verification_event_id, decided_by=decided_by,
                           reason=reason)
        return True


class UnitReversals:
    unit_id: str
    listed_level: str | None
    trigger_event: Any

    class UnitRelisted(LedgerAggregate.Event):
        unit_id: str
        level: str
        delisted_event_id: str
        decided_by: str
        reason: str

        def apply(self, unit: Any) -> None:
            unit.listed_level = self.level

    def relist(self, level: str, delisted_event_id: str, decided_by: str, reason: str) -> bool:
        if self.listed_level is not None:
            return False
        self.trigger_event(self.UnitRelisted, unit_id=self.unit_id, level=level,
                           delisted_event_id=delisted_event_id, decided_by=decided_by,
                           reason=reason)
        return True


class HouseholdReversals:
    household_id: str
    help_plans: dict[str, Any]
    spells: list[dict[str, Any]]
    open_mismatches: dict[str, dict[str, Any]]
    resolved_mismatches: dict[str, str]
    trigger_event: Any

    class MeasureReopened(LedgerAggregate.Event):
        household_id: str
        measure_id: str
        completed_event_id: str
        decided_by: str
        reason: str

        def apply(self, household: Any) -> None:
            household.help_plans["completed"].pop(self.measure_id, None)

    class MonitoringResumed(LedgerAggregate.Event):
        household_id: str
        eliminated_event_id: str
        decided_by: str
        reason: str

        def apply(self, household: Any) -> None:
            household.spells[-1]["until"] = None

    class MismatchReopened(LedgerAggregate.Event):
        household_id: str
        mismatch_event_id: str
        resolved_event_id: str
        decided_by: str
        reason: str

        def apply(self, household: Any) -> None:
            household.resolved_mismatches.pop(self.mismatch_event_id, None)
            closed = household.__dict__.get("closed_mismatches", {})
            household.open_mismatches[self.mismatch_event_id] = closed.pop(
                self.mismatch_event_id, {"field": None, "system_value": None,
                                         "ledger_value": None})

    def reopen_measure(self, measure_id: str, completed_event_id: str, decided_by: str,
                       reason: str) -> bool:
        if measure_id not in self.help_plans["completed"]:
            return False
        self.trigger_event(self.MeasureReopened, household_id=self.household_id,
                           measure_id=measure_id, completed_event_id=completed_event_id,
                           decided_by=decided_by, reason=reason)
        return True

    def resume_monitoring(self, eliminated_event_id: str, decided_by: str, reason: str) -> bool:
        """Only the last spell can resume, and only if none began after it ended."""
        if not self.spells or self.spells[-1]["until"] is None:
            return False
        self.trigger_event(self.MonitoringResumed, household_id=self.household_id,
                           eliminated_event_id=eliminated_event_id, decided_by=decided_by,
                           reason=reason)
        return True

    def reopen_mismatch(self, mismatch_event_id: str, resolved_event_id: str,
                        decided_by: str, reason: str) -> bool:
        if self.resolved_mismatches.get(mismatch_event_id) != resolved_event_id:
            return False
        self.trigger_event(self.MismatchReopened, household_id=self.household_id,
                           mismatch_event_id=mismatch_event_id,
                           resolved_event_id=resolved_event_id,
                           decided_by=decided_by, reason=reason)
        return True


class DisputeReversals:
    """Consequences kept on the dispute itself: a withdrawn score, an event overturned."""

    dispute_id: str
    trigger_event: Any

    class ScoreWithdrawn(LedgerAggregate.Event):
        dispute_id: str
        score_event_id: str
        round_id: str
        village_id: str
        section: str
        decided_by: str
        reason: str

    class EventOverturned(LedgerAggregate.Event):
        dispute_id: str
        event_id: str
        type: str
        subject_type: str | None
        subject_id: str | None
        decided_by: str
        reason: str

    def withdraw_score(self, score_event_id: str, score: Any, decided_by: str,
                       reason: str) -> None:
        self.trigger_event(self.ScoreWithdrawn, dispute_id=self.dispute_id,
                           score_event_id=score_event_id, round_id=score.round_id,
                           village_id=score.village_id, section=score.section,
                           decided_by=decided_by, reason=reason)

    def overturn(self, event_id: str, type_name: str, subject: tuple[str, str] | None,
                 decided_by: str, reason: str) -> None:
        self.trigger_event(self.EventOverturned, dispute_id=self.dispute_id, event_id=event_id,
                           type=type_name, subject_type=subject[0] if subject else None,
                           subject_id=subject[1] if subject else None, decided_by=decided_by,
                           reason=reason)
