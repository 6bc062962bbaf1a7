"""Late entries that change an outcome are flagged, and decisions later evidence contradicts;
the follower records the flags (actor `system`) behind the projections, on both backends."""
from __future__ import annotations

import time

import pytest

from ledger.application import Command
from ledger.identity import Actor
from service.late_entries import FlagFollower
from service.root import Root
from tests.projections.conftest import ADMIN, INSPECTOR, World, at, make_world

CADRE = Actor("p-cadre", "admin")
GUARANTEES = ("food", "clothing", "education", "medical", "housing", "water")


def _visit(world: World, inspection_id: str, on: str, housing: str = "met") -> None:
    world.record("InspectionRecorded", {
        "inspection_id": inspection_id, "subject_type": "household", "subject_id": "h1",
        "method": "visit", "inspector_ids": ["p-cadre"], "income": {"wage": 40000},
        "checks": {**dict.fromkeys(GUARANTEES, "met"), "housing": housing}}, on, CADRE)


@pytest.fixture
def world(root: Root) -> World:
    world = make_world(root)
    world.village("v1")
    world.person("p-cadre")
    world.household("h1")
    world.assign("p-cadre", "h1")
    return world


@pytest.fixture
def follower(world: World) -> FlagFollower:
    follower = FlagFollower(world.ledger, world.runner, world.views)
    follower.catch_up()
    return follower


def _flags(world: World, type_: str, about: str | None = None) -> list:
    """The flags of a type (about one event: the late entry or the decision)."""
    return [e for e in world.ledger.read_log(0, 1000) if e.type == type_
            and about in (None, e.data["event_id"])]


def test_a_late_visit_contradicting_an_exit_verification_is_flagged_twice(
        world: World, follower: FlagFollower) -> None:
    _visit(world, "i1", "2020-03-01")
    for step, on, extra in (("ExitAppraised", "2020-03-25", {"votes_for": 9, "votes_total": 10}),
                            ("ExitVerified", "2020-04-01", {"passed": True, "note": "ok"})):
        verified = world.record(step, {"household_id": "h1", "year": 2020, **extra}, on, CADRE)
    assert follower.catch_up() >= 1  # the setup itself is typed in years late
    assert _flags(world, "DecisionContradicted") == []

    late = world.record("InspectionRecorded", {
        "inspection_id": "i2", "subject_type": "household", "subject_id": "h1",
        "method": "visit", "inspector_ids": ["p-cadre"],
        "checks": {"housing": "unmet"}}, "2020-03-20", INSPECTOR)
    assert follower.catch_up() == 2

    [flag] = _flags(world, "LateEntryFlagged", late.event_id)
    assert flag.actor == "system"
    assert (flag.data["event_id"], flag.data["recorded_by"]) == (late.event_id, "inspector-li")
    assert flag.data["days_late"] > 7
    housing = [c for c in flag.data["changes"] if c["field"] == "guarantees.housing"]
    assert housing and housing[0]["subject_id"] == "h1"
    assert (housing[0]["before"], housing[0]["after"], housing[0]["from"]) == (
        "met", "unmet", "2020-03-20")
    [contradiction] = _flags(world, "DecisionContradicted")
    assert contradiction.data["event_id"] == verified.event_id
    assert contradiction.data["evidence"] == [late.event_id]
    assert contradiction.data["decided_by"] == "p-cadre"
    assert [r["message"] for r in contradiction.data["reasons"]] == [
        "housing is unmet on 2020-04-01"]
    world.project()
    assert [d["event_id"] for d in world.views.household("h1")["contradicted_decisions"]] == [
        verified.event_id]
    trail = world.views.accountability("p-cadre")
    assert [d["event_id"] for d in trail["contradicted_decisions"]] == [verified.event_id]
    assert follower.catch_up() == 0  # looking again flags nothing new
    again = FlagFollower(world.ledger, world.runner, world.views)  # after a restart
    assert again.resume() == late.position - 1
    assert again.catch_up() == 0


def test_an_entry_on_time_or_a_late_registration_is_not_flagged(
        world: World, follower: FlagFollower) -> None:
    now = world.ledger.record(ADMIN, [Command("HouseholdFactsRecorded",
                                              {"household_id": "h1", "size": 5})])[0]
    world.ledger.record(ADMIN, [Command("HouseholdRegistered", {
        "household_id": "h2", "village_id": "v1", "head_name": "Zhang", "size": 3,
        "category": "registered_poor"}, at("2020-01-02")), Command("HouseholdFactsRecorded", {
            "household_id": "h2", "size": 4}, at("2020-02-02"))])
    follower.catch_up()
    assert _flags(world, "LateEntryFlagged", now.event_id) == []
    assert [f.data["changes"] for f in _flags(world, "LateEntryFlagged")
            if f.data["type"] == "HouseholdFactsRecorded"] == []


def test_a_late_entry_that_changes_nothing_listed_is_not_flagged(
        world: World, follower: FlagFollower) -> None:
    late = world.record("HouseholdFactsRecorded", {"household_id": "h1", "size": 6},
                        "2020-02-01", INSPECTOR)  # another actor: h1 was known before
    follower.catch_up()
    assert _flags(world, "LateEntryFlagged", late.event_id) == []


def test_a_late_finding_open_under_a_delisted_unit_is_flagged_twice(
        world: World, follower: FlagFollower) -> None:
    world.record("UnitListed", {"unit_id": "v1", "level": "district"}, "2020-01-10")
    delisted = world.record("UnitDelisted", {"unit_id": "v1"}, "2020-03-20", CADRE)
    follower.catch_up()
    assert _flags(world, "DecisionContradicted") == []

    late = world.finding("f1", due="2020-03-31", on="2020-03-15")
    follower.catch_up()

    [flag] = _flags(world, "LateEntryFlagged", late.event_id)
    changed = [(c["subject_type"], c["field"], c["before"], c["after"], c["from"])
               for c in flag.data["changes"]]
    assert ("unit", "open_findings_in_subtree", 0, 1, "2020-03-15") in changed
    assert not any(c["subject_type"] == "finding" for c in flag.data["changes"])  # new
    assert flag.data["unit_ids"] == ["v1"]
    [contradiction] = _flags(world, "DecisionContradicted", delisted.event_id)
    assert (contradiction.data["subject_id"], contradiction.data["evidence"]) == (
        "v1", [late.event_id])
    assert contradiction.data["reasons"][0]["open_findings"] == 1
    world.project()
    assert [d["event_id"] for d in world.views.unit("v1")["contradicted_decisions"]] == [
        delisted.event_id]


def test_a_finding_typed_in_late_contradicts_a_risk_removal(
        world: World, follower: FlagFollower) -> None:
    _visit(world, "i1", "2020-03-01")
    world.record("MonitoringStarted", {"household_id": "h1", "monitoring_type": "edge",
                                       "risks": ["illness"], "note": "sick"}, "2020-03-05", CADRE)
    removed = world.record("RiskEliminated", {"household_id": "h1", "note": "well"},
                           "2020-04-01", CADRE)
    follower.catch_up()
    late = world.finding("f1", due="2020-05-31", on="2020-03-20")
    follower.catch_up()
    [contradiction] = _flags(world, "DecisionContradicted", removed.event_id)
    assert contradiction.data["evidence"] == [late.event_id]
    assert [(r["condition"], r["finding_ids"]) for r in contradiction.data["reasons"]] == [
        ("open_findings", ["f1"])]
    world.project()
    assert [d["type"] for d in world.views.accountability("p-cadre")[
        "contradicted_decisions"]] == ["RiskEliminated"]


def test_the_follower_flags_in_the_background(world: World) -> None:
    follower = FlagFollower(world.ledger, world.runner, world.views)
    follower.start(interval=0.02)
    try:
        late = world.record("HouseholdFactsRecorded", {"household_id": "h1", "size": 7},
                            "2020-02-01")
        _visit(world, "i1", "2020-03-01")
        deadline = time.monotonic() + 20
        while follower.position < world.store.head() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        follower.stop()
    assert follower.position >= late.position
    [flag] = _flags(world, "LateEntryFlagged")
    assert flag.data["type"] == "InspectionRecorded"
