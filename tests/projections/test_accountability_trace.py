"""The deeper accountability trace (责任倒查): an overdue finding reaches whoever was responsible
for its subject on the day it went overdue, by their assignment dates, and no one later."""
from __future__ import annotations

from datetime import date

from projections import trace
from projections.events import Event
from projections.replay import Cut
from tests.projections.conftest import INSPECTOR, World


def _end(world: World, person_id: str, subject_id: str, role: str, subject_type: str,
         on: str) -> None:
    world.record("ResponsibilityEnded", {"person_id": person_id, "role": role,
                                         "subject_type": subject_type, "subject_id": subject_id,
                                         "effective_to": on}, on)


def _unit_finding(world: World, finding_id: str, unit_id: str, due: str, on: str) -> None:
    world.record("FindingRaised", {
        "finding_id": finding_id, "subject_type": "unit", "subject_id": unit_id,
        "category": "records", "description": "files missing", "responsible_unit_id": unit_id,
        "due_date": due}, on, INSPECTOR)


def _overdue(world: World, person_id: str, cut: Cut = Cut()) -> dict[str, dict]:
    trail = world.views.accountability(person_id, cut)
    return {item["finding_id"]: item for item in trail["overdue_findings"]}


def _two_villages_and_a_mover(world: World) -> dict[str, str]:
    """p-move is secretary of v1 until 1 July 2020, then of v2; p-old ran v2 before, p-new
    runs v1 after. Findings on both villages go overdue before and after the move."""
    world.village("v1"), world.village("v2")
    for person in ("p-move", "p-old", "p-new"):
        world.person(person)
    ids = {
        "move-v1": world.assign("p-move", "v1", "village_secretary", "unit",
                                "2020-01-01").event_id,
        "old-v2": world.assign("p-old", "v2", "village_secretary", "unit", "2020-01-01").event_id,
    }
    _end(world, "p-move", "v1", "village_secretary", "unit", "2020-07-01")
    _end(world, "p-old", "v2", "village_secretary", "unit", "2020-07-01")
    ids["move-v2"] = world.assign("p-move", "v2", "village_secretary", "unit",
                                  "2020-07-01").event_id
    ids["new-v1"] = world.assign("p-new", "v1", "village_secretary", "unit",
                                 "2020-07-01").event_id
    _unit_finding(world, "f-v1-march", "v1", "2020-03-31", "2020-03-01")  # overdue 1 April
    _unit_finding(world, "f-v2-may", "v2", "2020-05-31", "2020-05-01")
    _unit_finding(world, "f-v2-sept", "v2", "2020-09-30", "2020-09-01")
    _unit_finding(world, "f-v1-sept", "v1", "2020-09-30", "2020-09-01")
    _unit_finding(world, "f-v1-june", "v1", "2020-06-30", "2020-06-01")  # overdue 1 July
    world.project()
    return ids


def test_a_person_who_moves_keeps_what_went_overdue_on_their_watch(world: World) -> None:
    ids = _two_villages_and_a_mover(world)
    mover = _overdue(world, "p-move")
    assert sorted(mover) == ["f-v1-march", "f-v2-sept"]
    march = mover["f-v1-march"]
    assert march["overdue_on"] == "2020-04-01" and march["responsible_unit_id"] == "v1"
    assert [r["as"] for r in march["reached_as"]] == ["subject_unit"]
    assert march["event_ids"][-1] == ids["move-v1"]
    assert mover["f-v2-sept"]["event_ids"][-1] == ids["move-v2"]


def test_a_successor_does_not_inherit_what_went_overdue_before(world: World) -> None:
    _two_villages_and_a_mover(world)
    # f-v1-june went overdue on 1 July, the day p-new took over: theirs, not p-move's.
    assert sorted(_overdue(world, "p-new")) == ["f-v1-june", "f-v1-sept"]
    assert sorted(_overdue(world, "p-old")) == ["f-v2-may"]


def test_replayed_trail_judges_the_same_way(world: World) -> None:
    _two_villages_and_a_mover(world)
    august = _overdue(world, "p-move", Cut(valid_at=date(2020, 8, 15)))
    assert sorted(august) == ["f-v1-march"]
    assert sorted(_overdue(world, "p-new", Cut(valid_at=date(2020, 8, 15)))) == ["f-v1-june"]


def test_a_household_finding_reaches_its_helper_cadre_then_and_not_later(world: World) -> None:
    world.village(), world.household("h1")
    world.person("cadre-a"), world.person("cadre-b")
    assigned = world.assign("cadre-a", "h1", on="2020-01-01")
    _end(world, "cadre-a", "h1", "helper_cadre", "household", "2020-05-01")
    world.assign("cadre-b", "h1", on="2020-05-01")
    raised = world.finding("f1", "h1", due="2020-03-31", on="2020-03-01")
    world.record("RectificationReported", {"finding_id": "f1", "description": "fixed"},
                 "2020-06-01")
    closed = world.record("RectificationVerified", {"finding_id": "f1", "accepted": True,
                                                    "note": "ok"}, "2020-06-02", INSPECTOR)
    world.finding("f2", "h1", due="2020-02-29", on="2020-02-01")
    world.record("FindingWithdrawn", {"finding_id": "f2", "reason": "duplicate"}, "2020-02-10",
                 INSPECTOR)
    world.project()
    item = _overdue(world, "cadre-a")["f1"]
    assert item["status"] == "closed" and item["reached_as"][0]["as"] == "helper_cadre"
    assert item["event_ids"] == [raised.event_id, closed.event_id, assigned.event_id]
    assert _overdue(world, "cadre-b") == {}


def _finding(**more: object) -> dict:
    return {"finding_id": "f1", "subject_type": "household", "subject_id": "h1",
            "responsible_unit_id": "t1", "responsible_person_id": "p-t", "raised_event": "e1",
            "due_date": "2020-03-31", **more}


def test_the_holder_on_a_day_comes_from_the_responsibility_history() -> None:
    history = [{"unit_id": "v1", "person_id": "p-v", "from": "2020-03-01", "event_id": "e1"},
               {"unit_id": "t1", "person_id": "p-t", "from": "2020-05-01", "event_id": "e9"}]
    finding = _finding(responsibility_history=history)
    assert trace.holder_on(finding, "2020-04-01") == {"unit_id": "v1", "person_id": "p-v",
                                                      "event_id": "e1"}
    assert trace.holder_on(finding, "2020-05-01")["unit_id"] == "t1"
    assert trace.holder_on(_finding(), "2020-04-01") == {"unit_id": "t1", "person_id": "p-t",
                                                         "event_id": "e1"}
    named = trace.reasons("p-v", [], finding, "2020-04-01")
    assert named == [{"as": "responsible_person", "role": None, "subject_id": "f1",
                      "event_id": "e1"}]
    assert trace.reasons("p-t", [], finding, "2020-04-01") == []


def test_a_transferred_finding_stays_findable_by_its_earlier_holders() -> None:
    history = [{"unit_id": "v1", "person_id": "p-v", "from": "2020-03-01", "event_id": "e1"},
               {"unit_id": "t1", "person_id": None, "from": "2020-05-01", "event_id": "e9"}]
    states = {("finding", "f1"): _finding(responsibility_history=history)}
    event = Event(9, "e9", "FindingTransferred", "inspector", "2020-05-01T10:00:00+08:00",
                  "2020-05-01T10:00:00+08:00", {"finding_id": "f1", "to_unit_id": "t1"},
                  "2020-05-01", 0)
    changed = trace.fold(event, [("finding", "f1")], lambda k, key: states.get((k, key)))
    assert changed == {("handed_over", "unit:v1"): {"finding_ids": ["f1"]},
                       ("handed_over", "person:p-v"): {"finding_ids": ["f1"]}}
