"""Lapses are facts, replay is the live read rebuilt (CONTRACT.md "Business-time integrity"),
on SQLite and PostgreSQL; the "Why" cases of issue 16 as regressions."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from projections.replay import Cut
from tests.projections.conftest import INSPECTOR, World
from tests.projections.test_business_time_rules import CADRE


def _secretary_and_cadre(world: World) -> None:
    world.village(), world.household()
    world.person("p-sec"), world.person("p-cadre")
    world.assign("p-sec", "v1", "village_secretary", "unit", "2020-01-05")
    world.assign("p-cadre", "h1")


def _overdue(world: World, person_id: str, cut: Cut = Cut()) -> dict[str, Any]:
    trail = world.views.accountability(person_id, cut)
    return {item["finding_id"]: item for item in trail["overdue_findings"]}


def test_a_late_extension_keeps_the_lapse_on_the_finding_and_on_two_trails(world: World
                                                                          ) -> None:
    """Why: a DeadlineExtended recorded on 08-01 for a finding that lapsed on 07-16 erased the
    lapse from two people's trails."""
    _secretary_and_cadre(world)
    world.finding("f1", due="2020-07-15", on="2020-06-01")
    world.finding("f2", due="2020-07-15", on="2020-06-01")
    world.record("DeadlineExtended", {"finding_id": "f1", "new_due_date": "2020-09-30",
                                      "reason": "flood"}, "2020-08-01", INSPECTOR)
    world.record("DeadlineExtended", {"finding_id": "f2", "new_due_date": "2020-09-30",
                                      "reason": "asked in time"}, "2020-07-15", INSPECTOR)
    world.record("RectificationReported", {"finding_id": "f1", "description": "done"},
                 "2020-08-10")
    world.record("RectificationVerified", {"finding_id": "f1", "accepted": True, "note": "ok"},
                 "2020-08-12", INSPECTOR)
    world.record("RectificationReported", {"finding_id": "f2", "description": "done"},
                 "2020-08-20")
    world.record("RectificationVerified", {"finding_id": "f2", "accepted": True, "note": "ok"},
                 "2020-08-25", INSPECTOR)
    world.project()
    late = world.views.finding("f1")
    assert (late["original_due_date"], late["due_date"], late["overdue_on"],
            late["closed_late"]) == ("2020-07-15", "2020-09-30", "2020-07-16", True)
    assert [(e["on"], e["in_time"]) for e in late["extensions"]] == [("2020-08-01", False)]
    in_time = world.views.finding("f2")
    assert (in_time["overdue_on"], in_time["extensions"][0]["in_time"]) == (None, True)
    for person, reached in (("p-sec", "responsible_unit"), ("p-cadre", "helper_cadre")):
        item = _overdue(world, person)["f1"]
        assert (item["overdue_on"], item["closed_late"]) == ("2020-07-16", True)
        assert [r["as"] for r in item["reached_as"]] == [reached]
        assert "f2" not in _overdue(world, person)
        replayed = _overdue(world, person, Cut(valid_at=date(2020, 7, 20)))
        assert replayed["f1"]["overdue_on"] == "2020-07-16"
    listed = world.views.findings(_unit_filter("v1"))["findings"]
    assert {f["finding_id"]: f["closed_late"] for f in listed} == {"f1": True, "f2": False}


def _unit_filter(unit_id: str) -> Any:
    from projections.views import FindingFilter
    return FindingFilter(unit_id=unit_id)


def test_a_withdrawn_finding_carries_no_lapse(world: World) -> None:
    _secretary_and_cadre(world)
    world.finding("f1", due="2020-07-15", on="2020-06-01")
    world.record("FindingWithdrawn", {"finding_id": "f1", "reason": "wrong household"},
                 "2020-08-01", INSPECTOR)
    world.project()
    assert world.views.finding("f1")["overdue_on"] is None
    assert _overdue(world, "p-sec") == {}


def test_a_replacement_plan_keeps_the_overdue_measure_of_the_plan_it_replaces(world: World
                                                                            ) -> None:
    """Why: a replacement help plan erased an overdue measure."""
    _secretary_and_cadre(world)
    measure = {"kind": "health", "description": "clinic", "person_id": "p-cadre"}
    first = world.record("HelpPlanRecorded", {
        "household_id": "h1", "year": 2020, "causes": ["illness"],
        "measures": [{"measure_id": "m1", "due_date": "2020-05-31", **measure},
                     {"measure_id": "m2", "due_date": "2020-12-31", **measure}]},
        "2020-03-01", CADRE)
    second = world.record("HelpPlanRecorded", {
        "household_id": "h1", "year": 2020, "causes": ["illness"],
        "measures": [{"measure_id": "m3", "due_date": "2020-12-31", **measure}]},
        "2020-07-01", CADRE)
    world.project()
    plan = world.views.household("h1")["plan"]
    assert plan["event_id"] == second.event_id
    assert [(m["measure_id"], m["overdue_on"], m["plan_event"], m["replaced_by"])
            for m in plan["overdue_before_replacement"]] == [
        ("m1", "2020-06-01", first.event_id, second.event_id)]
    trail = world.views.accountability("p-cadre", Cut(valid_at=date(2020, 12, 1)))[
        "overdue_help_measures"]
    assert [(m["measure_id"], m["status"], m["overdue_on"]) for m in trail] == [
        ("m1", "overdue_before_replacement", "2020-06-01")]
    before = world.views.accountability("p-cadre", Cut(valid_at=date(2020, 6, 15)))
    assert [m["status"] for m in before["overdue_help_measures"]] == ["overdue"]


def test_a_township_replay_keeps_the_findings_transferred_to_it(world: World) -> None:
    """Why: a replay of a township's findings lost the findings transferred to it."""
    world.record("UnitRegistered", {"unit_id": "t1", "name": "T1", "kind": "township"},
                 "2020-01-01")
    world.village("v1", parent_id="t1")
    world.household()
    world.finding("f1", due="2020-07-31", on="2020-03-01")
    world.finding("f2", due="2020-07-31", on="2020-03-01")
    world.record("FindingTransferred", {"finding_id": "f1", "to_unit_id": "t1",
                                        "reason": "needs the township"}, "2020-04-01",
                 INSPECTOR)
    world.project()
    recorded = datetime.now(UTC)
    live = world.views.findings(_unit_filter("t1"))
    assert [f["finding_id"] for f in live["findings"]] == ["f1"]
    for cut in (Cut(as_of=recorded), Cut(valid_at=date(2020, 4, 1)),
                Cut(as_of=recorded, valid_at=date(2020, 5, 1))):
        replayed = world.views.findings(_unit_filter("t1"), cut)
        assert [f["finding_id"] for f in replayed["findings"]] == ["f1"]
        assert replayed["findings"][0]["responsible_unit_id"] == "t1"
    assert world.views.findings(_unit_filter("t1"),
                                Cut(valid_at=date(2020, 3, 31)))["findings"] == []
    assert [f["finding_id"] for f in world.views.findings(
        _unit_filter("v1"), Cut(valid_at=date(2020, 3, 31)))["findings"]] == ["f1", "f2"]
    board = world.views.unit("t1", Cut(valid_at=date(2020, 5, 1)))
    assert board == world.views.unit("t1", Cut(as_of=datetime.now(UTC),
                                               valid_at=date(2020, 5, 1)))
    assert "f1" in str(board["findings"])


def test_a_late_yellow_card_dates_the_interview_by_the_later_card(world: World) -> None:
    """Why: a yellow card entered late dated the interview before the card that caused it."""
    world.village(), world.person("p-sec")
    world.assign("p-sec", "v1", "village_secretary", "unit", "2020-01-05")
    world.record("WarningIssued", {"warning_id": "w2", "unit_id": "v1", "color": "yellow",
                                   "period": "2020-Q2", "reason": "visits"}, "2020-06-20",
                 INSPECTOR)
    world.record("WarningIssued", {"warning_id": "w1", "unit_id": "v1", "color": "yellow",
                                   "period": "2020-Q1", "reason": "visits"}, "2020-03-20",
                 INSPECTOR)
    world.project()
    [due] = world.views.unit("v1")["interviews"]
    assert due["on"] == "2020-06-20"
    assert world.views.unit("v1", Cut(valid_at=date(2020, 6, 19)))["interviews"] == []
    assert len(world.views.unit("v1", Cut(valid_at=date(2020, 6, 20)))["interviews"]) == 1
