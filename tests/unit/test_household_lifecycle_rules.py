"""The household's record by business time and its lifecycle rules, without a database."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime

import pytest

from ledger.domain.base import Recording, recording
from ledger.domain.conditions import unmet
from ledger.domain.registry import Household
from ledger.domain.timeline import Timeline, business_day, latest, note, on
from ledger.errors import Conflict, InvalidTransition
from tests.unit.test_snapshot_state import _round_trip, _state

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text if "+" in text else f"{text}T10:00+08:00")


@pytest.fixture(autouse=True)
def _recording() -> Iterator[None]:
    with recording("cadre-wang", _at("2020-01-02")):
        yield


def _in(day: str) -> AbstractContextManager[Recording]:
    return recording("cadre-wang", _at(day))


def test_a_timeline_answers_by_business_time_whatever_the_order_of_noting() -> None:
    timeline: Timeline = {}
    note(timeline, "water", _at("2020-06-01"), "met")
    note(timeline, "water", _at("2020-04-15"), "unmet")  # typed in late
    note(timeline, "water", _at("2020-05-01T01:00:00+00:00"), "na")  # 09:00 in China
    assert latest(timeline, "water") == "met"
    assert on(timeline, "water", "2020-04-30") == "unmet"
    assert on(timeline, "water", "2020-05-01") == "na"
    assert on(timeline, "water", "2020-04-14") is None
    assert business_day(_at("2020-04-30T20:00:00+00:00")) == "2020-05-01"


def test_conditions_name_every_shortfall_and_nothing_else() -> None:
    timeline: Timeline = {}
    note(timeline, "size", _at("2020-01-02"), 2)
    note(timeline, "income", _at("2020-06-01"), {"wage": 7400.0})
    for name, value in ALL_MET.items():
        note(timeline, name, _at("2020-06-01"), value)
    assert unmet(timeline, "2020-07-01", "income_standard", 3700, []) == []
    reasons = unmet(timeline, "2020-05-01", "income_standard", 3700, ["f1"])
    assert [r["condition"] for r in reasons] == ["income"] + ["guarantee"] * 6 + [
        "open_findings"]
    assert reasons[0]["per_capita"] is None


def _household() -> Household:
    household = Household(household_id="h1", village_id="v1", head_name="Li", size=2,
                          category="registered_poor")
    with _in("2020-06-01"):
        household.note_inspection("i1", ALL_MET, {"wage": 9000})
    return household


def test_an_exit_goes_step_by_step_and_a_snapshot_keeps_where_it_stands() -> None:
    household = _household()
    with _in("2020-07-01"):
        household.appraise_exit(2020, 9, 10, None)
    with _in("2020-07-05"), pytest.raises(InvalidTransition) as caught:
        household.acknowledge_exit(2020, None)
    assert caught.value.details["missing_step"] == "ExitVerified"
    with _in("2020-07-05"):
        household.verify_exit(2020, True, "checked", standard=3700, open_finding_ids=[])
    with _in("2020-07-06"):
        household.acknowledge_exit(2020, None)
    with _in("2020-07-07"):
        household.publicize_exit(2020, "2020-07-07", "2020-07-14", notice_days=7)

    restored = _round_trip(household)
    assert _state(restored) == _state(household)
    with _in("2020-07-15"):
        restored.record_exit(2020, standard=3700, open_finding_ids=[])
    assert (restored.category, restored.exit_year) == ("exited", 2020)
    assert [type(e).__name__ for e in restored.pending_events] == ["HouseholdExited"]


def test_verification_judges_the_day_of_the_event() -> None:
    household = _household()
    with _in("2020-05-01"):
        household.appraise_exit(2020, 9, 10, None)
        with pytest.raises(Conflict) as caught:
            household.verify_exit(2020, True, "n", standard=3700, open_finding_ids=[])
    assert {r["condition"] for r in caught.value.details["reasons"]} == {"income", "guarantee"}


def test_monitoring_spells_do_not_overlap() -> None:
    household = _household()
    with _in("2020-03-01"):
        household.start_monitoring("edge", ["illness"], "n")
    with _in("2020-07-01"):
        household.eliminate_risk("n", edge_line=4500, open_finding_ids=[])
    with _in("2020-06-30"), pytest.raises(Conflict):
        household.start_monitoring("sudden_hardship", ["accident"], "n")
    with _in("2020-07-02"):
        household.start_monitoring("sudden_hardship", ["accident"], "n")
    assert [s["type"] for s in _round_trip(household).spells] == ["edge", "sudden_hardship"]


def test_a_snapshot_from_before_the_record_keeps_size_and_category() -> None:
    state = {"household_id": "h1", "village_id": "v1", "responsible": {}, "size": 3,
             "category": "edge"}
    Household.upcast_v1_v2(state)
    household = Household.__new__(Household)
    household.__dict__.update(state)
    assert (household.size, household.category) == (3, "edge")
    assert on(household.record, "category", "2000-01-01") == "edge"
    assert (household.exit_attempt, household.exit_year, household.spells) == (None, None, [])
