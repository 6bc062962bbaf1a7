"""Competition scoring (大比武) and disputes."""
from __future__ import annotations

from uuid import uuid4

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.domain.reversals import DisputeReversals
from ledger.errors import Invalid, InvalidTransition

# Points available per section of a monthly round, 100 in all (seed 001).
SECTION_MAXIMA = {"household": 50, "group": 20, "village": 30}
DISPUTE_OUTCOMES = ("upheld", "overturned")


class Score(LedgerAggregate):
    """One section score of one village in one competition round. Immutable: a correction is
    a later score for the same round, village and section, and the latest one counts."""

    KIND = "score"

    @staticmethod
    def create_id(round_id: str, village_id: str, section: str):
        return uuid4()

    @classmethod
    def record(cls, round_id: str, village_id: str, section: str, points: float,
               month: str | None = None) -> Score:
        maximum = SECTION_MAXIMA[section]
        if not 0 <= points <= maximum:
            raise Invalid(
                f"points for section {section} must be between 0 and {maximum}", field="points"
            )
        return cls(round_id=round_id, village_id=village_id, section=section, points=points,
                   month=month)

    @event("ScoreRecorded")
    def __init__(self, round_id: str, village_id: str, section: str, points: float,
                 month: str | None = None) -> None:
        self.points = points


class Dispute(DisputeReversals, LedgerAggregate):
    KIND = "dispute"

    @staticmethod
    def create_id(dispute_id: str):
        return Dispute.id_for(dispute_id)

    @event("DisputeOpened")
    def __init__(self, dispute_id: str, contested_event_id: str, grounds: str) -> None:
        self.dispute_id = dispute_id
        self.contested_event_id = contested_event_id
        self.outcome: str | None = None
        self.grounds_subject: str | None = None

    def personal_subject(self) -> str | None:
        """Whose data the grounds are about: the contested event's subject, as the command
        found it (kept in memory for this write only)."""
        return self.grounds_subject

    def resolve(self, outcome: str, note: str) -> None:
        if self.outcome is not None:
            raise InvalidTransition(
                f"dispute {self.dispute_id} is already resolved", dispute_id=self.dispute_id
            )
        self._resolved(dispute_id=self.dispute_id, outcome=outcome, note=note)

    @event("DisputeResolved")
    def _resolved(self, dispute_id: str, outcome: str, note: str) -> None:
        self.outcome = outcome
