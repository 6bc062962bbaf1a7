"""A snapshot, stored and read back, rebuilds the aggregate the events built: the state of
units and households survives the JSON round trip (tuples, due interviews, responsibilities)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from ledger.domain.base import LedgerAggregate, recording
from ledger.domain.registry import Household
from ledger.domain.units import Unit
from ledger.snapshots import FIRST_SNAPSHOT_AFTER, SNAPSHOT_AFTER, due, register_transcodings


@pytest.fixture(autouse=True)
def _recording() -> Iterator[None]:
    with recording("inspector-li"):
        yield


def _mapper() -> Mapper:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    register_transcodings(transcoder)
    return Mapper(transcoder=transcoder)


def _round_trip(aggregate: LedgerAggregate) -> Any:
    mapper = _mapper()
    stored = mapper.to_stored_event(Snapshot.take(aggregate))
    return mapper.to_domain_event(stored).mutate(None)


def _state(aggregate: LedgerAggregate, *leave_out: str) -> dict[str, Any]:
    left_out = {"_pending_events", *leave_out}
    return {k: v for k, v in vars(aggregate).items() if k not in left_out}


def _busy_village() -> Unit:
    unit = Unit(unit_id="v1", name="Sanjiayu", kind="village", parent_id="t1")
    unit.assign("p1", "village_secretary", "2020-01-01")
    unit.assign("p2", "first_secretary", "2020-02-01")
    unit.end_assignment("p1", "village_secretary", "2020-06-30")
    unit.list_for_supervision("city")
    unit.attach_finding("f1")
    unit.note_warning("w1", "yellow", "2020-Q1")
    unit.note_warning("w2", "yellow", "2020-Q2")  # makes an interview due
    unit.note_warning("w3", "yellow", "2020-Q3")  # and another
    unit.withdraw_yellow_card("w3", "overturned")  # voids the second
    return unit


def test_a_unit_snapshot_rebuilds_the_same_state_and_decides_the_same() -> None:
    unit = _busy_village()
    restored = _round_trip(unit)
    assert _state(restored) == _state(unit)
    assert [i.periods for i in restored.interviews] == [("2020-Q1", "2020-Q2"),
                                                         ("2020-Q2", "2020-Q3")]
    # The restored unit decides as the original: a card for Q3 again makes the voided
    # interview due again, with the person responsible now.
    for subject in (unit, restored):
        subject.note_warning("w4", "yellow", "2020-Q3")
    assert [type(e).__name__ for e in restored.pending_events] == [
        "YellowCardNoted", "InterviewRequired"
    ]
    assert restored.pending_events[-1].person_id == "p2"
    now_kept = ("_modified_on", "card_moments")  # the new events happened now, apart
    assert _state(restored, *now_kept) == _state(unit, *now_kept)


def test_a_household_snapshot_rebuilds_the_same_state() -> None:
    household = Household(household_id="h1", village_id="v1", head_name="Li Si", size=4,
                          category="registered_poor")
    household.assign("p1", "helper_cadre", "2020-01-01")
    household.record_facts({"size": 5})
    assert _state(_round_trip(household)) == _state(household)


def test_a_snapshot_is_due_once_enough_events_were_replayed_on_top_of_the_last() -> None:
    unit = Unit(unit_id="v1", name="Sanjiayu", kind="village", parent_id=None)
    for i in range(FIRST_SNAPSHOT_AFTER - 2):
        unit.attach_finding(f"f{i}")
    assert due([(unit, 0)]) == []  # the first snapshot comes sooner than the next ones
    unit.attach_finding("first")
    assert unit.version == FIRST_SNAPSHOT_AFTER
    assert due([(unit, 0)]) == [unit]
    for i in range(SNAPSHOT_AFTER - 1):
        unit.attach_finding(f"g{i}")
    base = FIRST_SNAPSHOT_AFTER
    assert due([(unit, base)]) == []
    unit.attach_finding("one-more")
    assert due([(unit, base)]) == [unit]
    assert due([(unit, base + 1)]) == []


def test_a_unit_snapshot_from_before_the_tallies_is_brought_up_to_date() -> None:
    """A snapshot taken before units kept a tally of open findings and quarterly lights (class
    version 1) loads with an empty tally and no lights, and decides from there."""
    unit = _busy_village()
    snapshot = Snapshot.take(unit)
    state = dict(snapshot.state)
    for key in ("open_count", "open_sample", "ratings", "class_version"):
        state.pop(key)
    mapper = _mapper()
    stored = mapper.to_stored_event(Snapshot(
        originator_id=snapshot.originator_id, originator_version=snapshot.originator_version,
        timestamp=snapshot.timestamp, topic=snapshot.topic, state=state))
    restored = mapper.to_domain_event(stored).mutate(None)
    assert (restored.open_count, restored.open_sample, restored.ratings) == (0, [], {})
    restored.rate_quarter("2020-Q1", "green", 95, None)
    assert restored.ratings == {"2020-Q1": restored.version}
