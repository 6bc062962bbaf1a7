"""Cross-checks on both backends: the ledger compares a system record with what it knew valid
on the record's date, records each differing field itself, keeps mismatches open on the
household until resolved, and never records the same open mismatch twice."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.application import LoggedEvent
from ledger.errors import InvalidTransition, NotFound
from projections.replay import Cut
from tests.projections.conftest import INSPECTOR, World


@pytest.fixture
def known(world: World) -> World:
    """h1: registered on 2 January with 4 members; in March 5 members and 18,000 yuan of
    income, typed in after a June fact of 6 members."""
    world.village()
    world.household()
    world.record("HouseholdFactsRecorded", {"household_id": "h1", "size": 6}, "2020-06-01")
    world.record("HouseholdFactsRecorded", {"household_id": "h1", "size": 5,
                                            "income": {"wage": 15000, "transfer": 3000}},
                 "2020-03-01")
    return world


def _compare(world: World, as_of_date: str, on: str = "2020-07-01", **record: Any
             ) -> LoggedEvent:
    return world.record("SystemRecordCompared", {
        "household_id": "h1", "source": "national_system", "as_of_date": as_of_date,
        "record": record}, on, INSPECTOR)


def _found(answer: LoggedEvent) -> dict[str, Any]:
    return {c.data["field"]: (c.data["system_value"], c.data["ledger_value"])
            for c in answer.consequences}


def test_each_differing_field_is_recorded_by_the_ledger_against_that_dates_values(
    known: World,
) -> None:
    answer = _compare(known, "2020-04-30", size=5, per_capita_income=3600.8, head_name="Li Si",
                      category="registered_poor", poverty_status="exited")
    assert answer.type == "SystemRecordCompared"
    assert _found(answer) == {"head_name": ("Li Si", "Li"),
                              "poverty_status": ("exited", "registered_poor")}
    assert {(c.type, c.actor, c.data["compared_event_id"]) for c in answer.consequences} == {
        ("DataMismatchFound", "system", answer.event_id)}
    assert _found(_compare(known, "2020-06-30", size=5, per_capita_income=3600)) == {
        "size": (5, 6), "per_capita_income": (3600, 3000.0)}


def test_a_value_the_ledger_did_not_know_then_is_a_mismatch_with_a_null_ledger_value(
    known: World,
) -> None:
    found = _compare(known, "2020-02-01", size=4, per_capita_income=3000)
    assert _found(found) == {"per_capita_income": (3000, None)}
    assert _found(_compare(known, "2019-12-31", size=4)) == {"size": (4, None)}
    known.project()
    [logged] = [e for e in known.views.household_history("h1")
                if e["type"] == "DataMismatchFound" and e["data"]["field"] == "per_capita_income"]
    assert logged["data"]["ledger_value"] is None


def test_a_repeat_of_an_open_mismatch_records_nothing_new_but_the_comparison(known: World
                                                                            ) -> None:
    first = _compare(known, "2020-04-30", size=7)
    assert len(first.consequences) == 1
    again = _compare(known, "2020-04-30", size=7, on="2020-07-02")
    assert again.consequences == []
    other = _compare(known, "2020-04-30", size=8, on="2020-07-03")
    assert _found(other) == {"size": (8, 5)}


def test_open_mismatches_show_on_the_household_until_resolved(known: World) -> None:
    answer = _compare(known, "2020-04-30", size=7, head_name="Li Si")
    by_field = {c.data["field"]: c.event_id for c in answer.consequences}
    known.project()
    status = known.views.household("h1")
    assert status is not None
    assert {m["field"]: (m["event_id"], m["source"], m["as_of_date"], m["compared_event_id"])
            for m in status["mismatches"]} == {
        name: (event_id, "national_system", "2020-04-30", answer.event_id)
        for name, event_id in by_field.items()}
    resolved = known.record("MismatchResolved", {
        "household_id": "h1", "mismatch_event_id": by_field["size"],
        "resolution": "system_corrected", "note": "the system had 7"}, "2020-07-05",
        INSPECTOR)
    known.project()
    status = known.views.household("h1")
    assert status is not None and [m["field"] for m in status["mismatches"]] == ["head_name"]
    before = known.views.household("h1", Cut(as_of=answer.consequences[-1].recorded_at))
    assert before is not None and len(before["mismatches"]) == 2
    assert resolved.recorded_at > answer.recorded_at
    july = known.views.household("h1", Cut(valid_at=date(2020, 7, 3)))
    assert july is not None and len(july["mismatches"]) == 2
    assert _found(_compare(known, "2020-04-30", size=7, on="2020-07-06")) == {"size": (7, 5)}


def test_resolving_an_unknown_or_resolved_mismatch_is_refused_recording_nothing(
    known: World,
) -> None:
    [mismatch] = _compare(known, "2020-04-30", size=7).consequences
    resolve = {"household_id": "h1", "mismatch_event_id": mismatch.event_id,
               "resolution": "explained", "note": "a newborn"}
    head = known.ledger.head()
    with pytest.raises(NotFound) as unknown:
        known.record("MismatchResolved", {**resolve, "mismatch_event_id": "x:1"}, "2020-07-02")
    assert unknown.value.details["field"] == "mismatch_event_id"
    assert known.ledger.head() == head
    known.record("MismatchResolved", resolve, "2020-07-02")
    head = known.ledger.head()
    with pytest.raises(InvalidTransition, match="already resolved"):
        known.record("MismatchResolved", resolve, "2020-07-03")
    assert known.ledger.head() == head
