"""The household's own rules for plans and cross-checks, without a database."""
from __future__ import annotations

from datetime import datetime
from itertools import permutations
from typing import Any

import pytest
from eventsourcing.domain import Snapshot

from ledger.domain import crosscheck
from ledger.domain.base import recording
from ledger.domain.registry import Household
from ledger.errors import Conflict, NotFound


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00+08:00")


def _household() -> Household:
    with recording("admin", at("2020-01-02")):
        return Household(household_id="h1", village_id="v1", head_name="Li", size=4,
                         category="registered_poor")


FACTS: list[tuple[str, dict[str, Any]]] = [
    ("2020-03-01", {"size": 5, "income": {"wage": 15000}}),
    ("2020-06-01", {"size": 6}),
    ("2020-04-15", {"income": {"wage": 9000, "transfer": 3000}}),
]


@pytest.mark.parametrize("order", list(permutations(range(len(FACTS)))))
def test_what_the_household_knew_on_a_date_does_not_depend_on_the_order_of_entry(
    order: tuple[int, ...],
) -> None:
    household = _household()
    for index in order:
        day, facts = FACTS[index]
        with recording("admin", at(day)):
            household.record_facts(facts)
    def on(day: str) -> dict[str, Any]:
        return crosscheck.ledger_record(household.record, day, "Li")

    assert on("2020-04-30") == {
        "size": 5, "category": "registered_poor", "per_capita_income": 2400.0,
        "poverty_status": "registered_poor", "head_name": "Li"}
    assert on("2020-06-01")["size"] == 6
    assert on("2020-02-01")["per_capita_income"] is None
    assert on("2020-01-01") == dict.fromkeys(crosscheck.RECORD_FIELDS)


@pytest.mark.parametrize(("system", "found"), [(2400.9, False), (2401.0, False),
                                                (2401.01, True), (2398.5, True)])
def test_money_matches_within_one_yuan(system: float, found: bool) -> None:
    household = _household()
    with recording("admin", at("2020-03-01")):
        household.record_facts({"size": 5, "income": {"wage": 12000}})
    assert bool(household.differences("2020-04-30", {"per_capita_income": system}, "Li")) \
        is found


def test_poverty_status_follows_the_category() -> None:
    assert [crosscheck.poverty_status(c) for c in
            ("registered_poor", "exited", "edge", "monitored", "other", None)] == [
        "registered_poor", "exited", "not_registered", "not_registered", "not_registered",
        None]


def test_refusals_leave_the_household_unchanged() -> None:
    household = _household()
    measure = {"measure_id": "m1", "kind": "health", "description": "d",
               "due_date": "2020-06-30"}
    with recording("admin", at("2020-03-01")):
        household.record_help_plan(2020, ["illness"], [measure])
        version = household.version
        with pytest.raises(Conflict):
            household.record_help_plan(2021, ["illness"], [measure])
        with pytest.raises(NotFound):
            household.complete_measure("m2", "done")
        with pytest.raises(NotFound):
            household.resolve_mismatch("x:1", "explained", "n")
    assert household.version == version


def test_a_snapshot_from_before_plans_is_brought_up_to_the_new_shape() -> None:
    household = _household()
    snapshot = Snapshot.take(household)
    old = {k: v for k, v in snapshot.state.items() if k in ("household_id", "village_id",
                                                           "responsible", "_id", "_version",
                                                           "_created_on", "_modified_on")}
    older = Snapshot(originator_id=snapshot.originator_id,
                     originator_version=snapshot.originator_version, timestamp=snapshot.timestamp,
                     topic=snapshot.topic, state={**old, "size": 4, "category": "edge"})
    loaded: Any = older.mutate(None)
    assert crosscheck.ledger_record(loaded.record, "2020-06-30", "Li")["size"] == 4
    assert loaded.help_plans == {"measures": {}, "completed": {}}
    assert (loaded.open_mismatches, loaded.resolved_mismatches) == ({}, {})


def test_a_measure_is_planned_from_its_earliest_plan_whatever_the_order_of_entry() -> None:
    household = _household()
    measure = {"measure_id": "m1", "kind": "health", "description": "d",
               "due_date": "2020-06-30"}
    for day in ("2020-05-01", "2020-03-01"):  # the March plan typed in after the May one
        with recording("admin", at(day)):
            household.record_help_plan(2020, ["illness"], [measure])
    with recording("admin", at("2020-04-01")):
        household.complete_measure("m1", "done")
    assert household.help_plans["completed"]["m1"][1] == "2020-04-01"
