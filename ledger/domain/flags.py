"""Flags the ledger raises itself: a late entry that changed an outcome (补录), a decision that
later evidence contradicts. One aggregate per flagged event, so a flag is recorded once."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate


class LateEntryFlag(LedgerAggregate):
    KIND = "late_entry"

    @staticmethod
    def create_id(event_id: str):
        return LateEntryFlag.id_for(event_id)

    @event("LateEntryFlagged")
    def __init__(self, event_id: str, type: str, recorded_by: str, days_late: int,  # noqa: A002
                 changes: list[dict[str, Any]], unit_ids: list[str]) -> None:
        self.event_id = event_id


class Contradiction(LedgerAggregate):
    KIND = "contradiction"

    @staticmethod
    def create_id(event_id: str):
        return Contradiction.id_for(event_id)

    @event("DecisionContradicted")
    def __init__(self, event_id: str, type: str, decided_by: str,  # noqa: A002
                 subject_type: str, subject_id: str, on: str, evidence: list[str],
                 reasons: list[dict[str, Any]], unit_ids: list[str]) -> None:
        self.event_id = event_id
