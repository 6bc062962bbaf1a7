"""The write path's budget, on SQLite and PostgreSQL: for the common event types, how many reads
a write makes, how many aggregates it loads and how many events it stores. The figures are
pinned exactly, so a feature that adds work to a write shows up here and is a decision, not an
accident (raise the figure in the same change, and say why)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ledger.application import Command, Ledger
from ledger.identity import Actor
from tests.integration.test_write_cost import _counting_reads

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("inspector-li", "inspector")
CADRE = Actor("cadre-wang", "cadre", "v1")
HOUSEHOLD = {"subject_type": "household", "subject_id": "h1"}


def _inspection(n: int, household: str = "h1") -> Command:
    return Command("InspectionRecorded", {
        "inspection_id": f"i{n}", "subject_type": "household", "subject_id": household,
        "method": "visit", "inspector_ids": ["p1"]})


# case: (who, commands, (reads, aggregates loaded, events stored))
CASES: dict[str, tuple[Actor, list[Command], tuple[int, int, int]]] = {
    "HouseholdRegistered": (ADMIN, [Command("HouseholdRegistered", {
        "household_id": "h2", "village_id": "v1", "head_name": "Zhao", "size": 2,
        "category": "edge"})], (1, 1, 1)),
    "HouseholdFactsRecorded": (CADRE, [Command("HouseholdFactsRecorded", {
        "household_id": "h1", "seriously_ill_members": 1})], (1, 1, 1)),
    "InspectionRecorded": (INSPECTOR, [_inspection(1)], (1, 2, 1)),
    "FindingRaised": (INSPECTOR, [Command("FindingRaised", {
        "finding_id": "f2", **HOUSEHOLD, "category": "visits", "description": "not visited",
        "responsible_unit_id": "v1", "due_date": "2099-03-31"})], (1, 2, 3)),
    "RectificationReported": (CADRE, [Command("RectificationReported", {
        "finding_id": "f1", "description": "visited"})], (1, 1, 1)),
    "RectificationVerified": (INSPECTOR, [Command("RectificationVerified", {
        "finding_id": "f1-reported", "accepted": True, "note": "checked"})], (3, 3, 2)),
    "100 InspectionRecorded": (INSPECTOR, [_inspection(100 + n, f"h{3 + n % 50}")
                                           for n in range(100)], (1, 51, 100)),
}


@pytest.fixture
def village(ledger: Ledger) -> Ledger:
    finding = {**HOUSEHOLD, "category": "visits", "description": "not visited",
               "responsible_unit_id": "v1", "due_date": "2099-03-31"}
    ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p1", "name": "Li", "unit_id": "v1"}),
        *[Command("HouseholdRegistered", {"household_id": f"h{i}", "village_id": "v1",
                                          "head_name": "Wang", "size": 3,
                                          "category": "registered_poor"})
          for i in [1, *range(3, 53)]],
    ])
    ledger.record(INSPECTOR, [Command("FindingRaised", {"finding_id": "f1", **finding}),
                              Command("FindingRaised", {"finding_id": "f1-reported",
                                                        **finding})])
    ledger.record(CADRE, [Command("RectificationReported", {"finding_id": "f1-reported",
                                                            "description": "visited"})])
    return ledger


@contextmanager
def _counting_loads(ledger: Ledger) -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    load: Callable[..., Any] = ledger.aggregates.load

    def counted(ids: Any) -> Any:
        found = load(ids)
        counts["aggregates"] += len(found)
        return found

    ledger.aggregates.load = counted  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        del ledger.aggregates.load


@pytest.mark.parametrize("case", CASES)
def test_a_write_costs_its_budget(village: Ledger, case: str) -> None:
    actor, commands, budget = CASES[case]
    head = (village.head() or (0, ""))[0]
    with _counting_reads(village) as reads, _counting_loads(village) as loads:
        answers = village.record(actor, commands)
    stored = (village.head() or (0, ""))[0] - head

    assert len(answers) == len(commands)
    assert (reads["queries"], loads["aggregates"], stored) == budget
