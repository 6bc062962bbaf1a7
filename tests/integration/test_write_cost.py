"""What deciding a write reads, on both backends: a bounded number of stored events however long
the history of the aggregates it touches, and one query for everything a batch refers to.
Snapshots stay out of the log and the chain."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ledger.application import Command, Ledger
from ledger.domain.units import Unit
from ledger.errors import Conflict
from ledger.identity import Actor
from ledger.snapshots import SNAPSHOT_AFTER
from ledger.tamper import verification

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("inspector-li", "inspector")
BATCH = 100


def _unit(unit_id: str) -> Command:
    return Command("UnitRegistered", {"unit_id": unit_id, "name": unit_id, "kind": "village"})


def _finding(finding_id: str, unit_id: str) -> Command:
    return Command("FindingRaised", {
        "finding_id": finding_id, "subject_type": "unit", "subject_id": unit_id,
        "category": "visits", "description": "visits not done",
        "responsible_unit_id": unit_id, "due_date": "2099-03-31",
    })


def _grow(ledger: Ledger, unit_id: str, events: int) -> None:
    """Register a village and raise findings on it until its own stream holds `events` events
    (its registration and one FindingAttached per finding)."""
    ledger.record(ADMIN, [_unit(unit_id)])
    for first in range(1, events, BATCH):
        ledger.record(INSPECTOR, [
            _finding(f"{unit_id}-f{i}", unit_id) for i in range(first, min(first + BATCH, events))
        ])


def _version(ledger: Ledger, unit_id: str) -> int:
    [last] = ledger.recorder.select_events(Unit.id_for(unit_id), desc=True, limit=1)
    return last.originator_version


@contextmanager
def _counting_reads(ledger: Ledger) -> Iterator[Counter[str]]:
    """Count the stored events and snapshots every read of the recorders returns."""
    counts: Counter[str] = Counter()
    targets: list[tuple[Any, str]] = [
        (ledger.recorder, "select_current"),
        (ledger.recorder, "select_recorded"),
        (ledger.recorder, "select_events"),
        (ledger.snapshot_store.recorder, "select_events"),
    ]

    def counted(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any, **kwargs: Any) -> Any:
            rows = method(*args, **kwargs)
            counts["queries"] += 1
            counts["rows"] += sum(map(len, rows)) if name == "select_current" else len(rows)
            return rows

        return read

    for target, name in targets:
        setattr(target, name, counted(name, getattr(target, name)))
    try:
        yield counts
    finally:
        for target, name in targets:
            delattr(target, name)


def _rows_read_per_write(ledger: Ledger, unit_id: str, writes: int) -> list[int]:
    rows = []
    for i in range(writes):
        with _counting_reads(ledger) as counts:
            ledger.record(INSPECTOR, [_finding(f"{unit_id}-new-{i}", unit_id)])
        rows.append(counts["rows"])
    return rows


def test_a_write_reads_as_few_events_at_10_000_events_of_history_as_at_10(
    ledger: Ledger,
) -> None:
    _grow(ledger, "v-short", 10)
    _grow(ledger, "v-long", 10_000)
    assert (_version(ledger, "v-short"), _version(ledger, "v-long")) == (10, 10_000)

    # Enough writes that each village passes a snapshot: at most SNAPSHOT_AFTER rows are
    # read for the village (its latest snapshot and the events after it), none for the
    # finding being created, which the same query finds absent.
    short = _rows_read_per_write(ledger, "v-short", SNAPSHOT_AFTER + 5)
    long = _rows_read_per_write(ledger, "v-long", SNAPSHOT_AFTER + 5)
    assert 1 <= min(short) and max(short) <= SNAPSHOT_AFTER, short
    assert 1 <= min(long) and max(long) <= SNAPSHOT_AFTER, long


def test_snapshots_stay_out_of_the_log_and_the_chain(ledger: Ledger) -> None:
    _grow(ledger, "v1", 3 * SNAPSHOT_AFTER)
    snapshots = ledger.snapshot_store.recorder.select_events(Unit.id_for("v1"))
    assert snapshots, "a unit that grew past SNAPSHOT_AFTER events has a snapshot"
    log = ledger.read_log(0, 10_000)
    # The registration, then per finding FindingRaised and FindingAttached: nothing else.
    assert len(log) == 1 + 2 * (3 * SNAPSHOT_AFTER - 1)
    assert {e.type for e in log} == {"UnitRegistered", "FindingRaised", "FindingAttached"}
    report = verification.verify_chain(ledger.recorder)
    assert report.ok and report.checked == len(log), report


def test_a_batch_loads_everything_it_refers_to_in_one_query(ledger: Ledger) -> None:
    units = [f"v{i}" for i in range(BATCH)]
    ledger.record(ADMIN, [_unit(u) for u in units])
    ledger.record(ADMIN, [Command("PersonRegistered", {"person_id": "p1", "name": "Li",
                                                       "unit_id": "v0"})])
    batch = [
        Command("InspectionRecorded", {"inspection_id": f"i-{u}", "subject_type": "unit",
                                       "subject_id": u, "method": "visit",
                                       "inspector_ids": ["p1"]})
        for u in units
    ]
    with _counting_reads(ledger) as counts:
        answers = ledger.record(INSPECTOR, batch)
    assert len(answers) == BATCH
    # 100 units, one person and 100 inspections that do not exist yet, in one query.
    assert counts["queries"] == 1
    assert counts["rows"] == BATCH + 1


def test_delisting_reads_the_findings_back_from_a_long_history(ledger: Ledger) -> None:
    _grow(ledger, "v1", 3 * SNAPSHOT_AFTER)
    ledger.record(INSPECTOR, [Command("UnitListed", {"unit_id": "v1", "level": "city"})])
    still_open = {"v1-f7", "v1-f50"}
    ledger.record(INSPECTOR, [
        Command("FindingWithdrawn", {"finding_id": f"v1-f{i}", "reason": "duplicate"})
        for i in range(1, 3 * SNAPSHOT_AFTER) if f"v1-f{i}" not in still_open
    ])
    delisting = Command("UnitDelisted", {"unit_id": "v1"})
    with pytest.raises(Conflict) as caught:
        ledger.record(INSPECTOR, [delisting])
    assert sorted(caught.value.details["open_finding_ids"]) == sorted(still_open)

    ledger.record(INSPECTOR, [
        Command("FindingWithdrawn", {"finding_id": f, "reason": "duplicate"}) for f in still_open
    ])
    [answer] = ledger.record(INSPECTOR, [delisting])
    assert answer.type == "UnitDelisted"


def test_delisting_a_township_reads_as_few_events_however_many_findings_below_it(
    ledger: Ledger,
) -> None:
    """The decision rests on the township's tally of open findings in its subtree, kept by
    derived events: its latest snapshot and the few events after it, not the findings."""
    ledger.record(ADMIN, [Command("UnitRegistered", {"unit_id": "t1", "name": "Town",
                                                     "kind": "township"}),
                          Command("UnitRegistered", {"unit_id": "v1", "name": "Village",
                                                     "kind": "village", "parent_id": "t1"})])
    findings = 3 * SNAPSHOT_AFTER
    ledger.record(INSPECTOR, [_finding(f"v1-f{i}", "v1") for i in range(findings)])
    ledger.record(INSPECTOR, [Command("UnitListed", {"unit_id": "t1", "level": "city"})])
    for i in range(findings):  # one at a time, so the township is snapshotted on the way
        ledger.record(INSPECTOR, [Command("FindingWithdrawn", {"finding_id": f"v1-f{i}",
                                                               "reason": "duplicate"})])
    assert _version(ledger, "t1") > 2 * findings  # a count and a settling per finding
    with _counting_reads(ledger) as counts:
        [answer] = ledger.record(INSPECTOR, [Command("UnitDelisted", {"unit_id": "t1"})])
    assert answer.type == "UnitDelisted"
    assert counts["queries"] == 1
    assert 1 <= counts["rows"] <= SNAPSHOT_AFTER
