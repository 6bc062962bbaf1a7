"""Mismatches with deadlines, on both backends: due `mismatch_days` after the comparison's own
date, owned by the helper cadres of that date, overdue the day after (the lapse kept on their
trail once resolved late), listed by `mismatch_overdue`, and blocking an exit's verification."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.errors import Conflict
from projections.events import today
from projections.household_list import HouseholdFilter
from tests.projections.conftest import ADMIN, INSPECTOR, World

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                    "water")}


def _compare(world: World, household_id: str, on: str, **record: object) -> str:
    answer = world.record("SystemRecordCompared", {
        "household_id": household_id, "source": "national_system", "as_of_date": on,
        "record": record}, on, INSPECTOR)
    (found,) = answer.consequences
    return found.event_id


@pytest.fixture
def helped(world: World) -> World:
    world.village()
    world.person("p1"), world.person("p2")
    world.household("h1"), world.household("h2")
    world.assign("p1", "h1", on="2020-01-05")
    world.assign("p2", "h1", on="2020-05-20")  # came after the lapse: does not inherit it
    return world


def test_a_mismatch_is_due_from_the_comparisons_own_date_and_owned_by_the_cadres_then(
        helped: World) -> None:
    helped.record("RuleParameterSet", {"parameter": "mismatch_days", "value": 20}, "2020-01-01")
    answer = helped.record("SystemRecordCompared", {
        "household_id": "h1", "source": "national_system", "as_of_date": "2020-03-31",
        "record": {"size": 5}}, "2020-04-10", INSPECTOR)
    (found,) = answer.consequences
    assert (found.data["due_date"], found.data["responsible_person_ids"]) == ("2020-04-30",
                                                                             ["p1"])


def test_an_unresolved_mismatch_goes_overdue_is_listed_and_stays_on_the_trail(
        helped: World) -> None:
    late = _compare(helped, "h1", "2020-04-10", size=5)
    fresh_day = (today() - timedelta(days=1)).isoformat()
    _compare(helped, "h2", fresh_day, size=5)
    helped.project()
    overdue = helped.views.household_list(HouseholdFilter(mismatch_overdue=True))
    assert [i["household_id"] for i in overdue["items"]] == ["h1"] and overdue["total"] == 1
    calm = helped.views.household_list(HouseholdFilter(mismatch_overdue=False))
    assert [i["household_id"] for i in calm["items"]] == ["h2"]
    (mismatch,) = helped.views.household("h1")["mismatches"]
    assert (mismatch["overdue"], mismatch["overdue_on"]) == (True, "2020-05-11")

    helped.record("MismatchResolved", {"household_id": "h1", "mismatch_event_id": late,
                                       "resolution": "ledger_corrected", "note": "n"},
                  "2020-06-01", INSPECTOR)
    helped.project()
    assert helped.views.household("h1")["mismatches"] == []
    (lapse,) = helped.views.accountability("p1")["overdue_mismatches"]
    assert (lapse["mismatch_event_id"], lapse["overdue_on"], lapse["resolved_on"]) == (
        late, "2020-05-11", "2020-06-01")
    assert helped.views.accountability("p2")["overdue_mismatches"] == []


def test_an_open_mismatch_on_size_blocks_the_exit_verification(helped: World) -> None:
    helped.visit("i1", "h1", "2020-06-01", income={"wage": 90000}, checks=ALL_MET)
    _compare(helped, "h1", "2020-06-02", size=3)
    helped.record("ExitAppraised", {"household_id": "h1", "year": 2020, "votes_for": 9,
                                    "votes_total": 10}, "2020-06-05")
    with pytest.raises(Conflict) as refused:
        helped.record("ExitVerified", {"household_id": "h1", "year": 2020, "passed": True,
                                       "note": "ok"}, "2020-06-06", ADMIN)
    assert [(r["condition"], r["fields"]) for r in refused.value.details["reasons"]] == [
        ("open_mismatches", ["size"])]
