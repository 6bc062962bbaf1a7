"""Deciding an exit or a risk removal reads a bounded number of stored events however long the
household's history: its latest snapshot and the events after it, the rulebook, its findings."""
from __future__ import annotations

from datetime import datetime

from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.snapshots import SNAPSHOT_AFTER
from tests.integration.test_write_cost import _counting_reads

ADMIN = Actor("county-admin", "admin")
ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}


def _on(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00+08:00")


def _household_with_visits(ledger: Ledger, household: str, visits: int) -> None:
    ledger.record(ADMIN, [Command("HouseholdRegistered", {
        "household_id": household, "village_id": "v1", "head_name": "Li", "size": 1,
        "category": "registered_poor"}, _on("2020-01-02"))])
    for first in range(0, visits, 50):
        ledger.record(ADMIN, [
            Command("InspectionRecorded", {
                "inspection_id": f"{household}-i{i}", "subject_type": "household",
                "subject_id": household, "method": "visit", "inspector_ids": ["p1"],
                "checks": ALL_MET, "income": {"wage": 9000}}, _on("2020-06-01"))
            for i in range(first, min(first + 50, visits))])
    ledger.record(ADMIN, [Command("ExitAppraised", {
        "household_id": household, "year": 2020, "votes_for": 9, "votes_total": 10},
        _on("2020-07-01"))])


def _rows_to_verify(ledger: Ledger, household: str) -> int:
    with _counting_reads(ledger) as counts:
        ledger.record(ADMIN, [Command("ExitVerified", {
            "household_id": household, "year": 2020, "passed": True, "note": "checked"},
            _on("2020-07-05"))])
    return counts["rows"]


def test_an_exit_verification_reads_as_few_events_after_300_visits_as_after_3(
    ledger: Ledger,
) -> None:
    ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "V1", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p1", "name": "Wang", "unit_id": "v1"}),
    ])
    _household_with_visits(ledger, "h-short", 3)
    _household_with_visits(ledger, "h-long", 300)
    short, long = _rows_to_verify(ledger, "h-short"), _rows_to_verify(ledger, "h-long")
    # The household (at most SNAPSHOT_AFTER rows: a snapshot and the events after it); the
    # rulebook does not exist yet and the household has no finding.
    assert 1 <= short <= SNAPSHOT_AFTER
    assert 1 <= long <= SNAPSHOT_AFTER, long
