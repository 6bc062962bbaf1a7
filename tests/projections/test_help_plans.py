"""Help plans on both backends: the status shows the plan standing for the latest year with each
measure open, done or overdue; a later plan of a year replaces the earlier by business time;
an overdue measure naming a person is on their trail, live and replayed."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger.errors import Conflict, InvalidTransition, NotFound, OutOfOrder
from projections.replay import Cut
from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import World


def _measure(measure_id: str, due: str, person: str | None = "p1", kind: str = "health"
             ) -> dict[str, Any]:
    found = {"measure_id": measure_id, "kind": kind, "description": f"{measure_id} done",
             "due_date": due}
    return {**found, "person_id": person} if person else found


def _plan(world: World, on: str, *measures: dict[str, Any], year: int = 2020,
          causes: tuple[str, ...] = ("illness",)) -> str:
    return world.record("HelpPlanRecorded", {"household_id": "h1", "year": year,
                                             "causes": list(causes),
                                             "measures": list(measures)}, on).event_id


@pytest.fixture
def planned(world: World) -> World:
    world.village()
    world.person("p1")
    world.person("p2")
    world.household()
    return world


def _statuses(world: World, cut: Cut = Cut()) -> dict[str, str]:
    status = world.views.household("h1", cut)
    assert status is not None
    return {m["measure_id"]: m["status"] for m in status["plan"]["measures"]}


def test_measures_are_open_done_or_overdue_the_day_after_their_due_date(planned: World
                                                                        ) -> None:
    plan = _plan(planned, "2020-03-01", _measure("m1", "2020-05-31"),
                 _measure("m2", "2020-05-31", person=None), _measure("m3", "2020-12-31"))
    done = planned.record("MeasureCompleted", {"household_id": "h1", "measure_id": "m2",
                                               "note": "insurance paid"}, "2020-05-20")
    planned.project()
    assert _statuses(planned, Cut(valid_at=date(2020, 5, 31))) == {
        "m1": "open", "m2": "done", "m3": "open"}
    assert _statuses(planned, Cut(valid_at=date(2020, 6, 1))) == {
        "m1": "overdue", "m2": "done", "m3": "open"}
    assert _statuses(planned, Cut(valid_at=date(2020, 5, 19))) == {
        "m1": "open", "m2": "open", "m3": "open"}
    status = planned.views.household("h1", Cut(valid_at=date(2020, 6, 1)))
    assert status is not None
    assert (status["plan"]["year"], status["plan"]["causes"], status["plan"]["event_id"]) == (
        2020, ["illness"], plan)
    m2 = status["plan"]["measures"][1]
    assert (m2["completed_on"], m2["completed_event"], m2["person_id"]) == (
        "2020-05-20", done.event_id, None)


def test_a_later_plan_of_the_year_replaces_the_earlier_whatever_the_order_of_entry(
    planned: World,
) -> None:
    june = _plan(planned, "2020-06-01", _measure("m2", "2020-09-30"),
                 causes=("lack_skills",))
    march = _plan(planned, "2020-03-01", _measure("m1", "2020-04-30"))  # typed in late
    planned.project()
    live = planned.views.household("h1")
    assert live is not None
    assert (live["plan"]["event_id"], live["plan"]["causes"]) == (june, ["lack_skills"])
    april = planned.views.household("h1", Cut(valid_at=date(2020, 4, 1)))
    assert april is not None and april["plan"]["event_id"] == march
    history = [e["event_id"] for e in planned.views.household_history("h1")
               if e["type"] == "HelpPlanRecorded"]
    assert sorted(history) == sorted([june, march])  # both stay in the log


def test_the_status_shows_the_latest_years_plan(planned: World) -> None:
    _plan(planned, "2021-01-10", _measure("n1", "2021-06-30"), year=2021)
    _plan(planned, "2020-03-01", _measure("m1", "2020-04-30"))
    planned.project()
    live = planned.views.household("h1")
    assert live is not None and live["plan"]["year"] == 2021
    before = planned.views.household("h1", Cut(valid_at=date(2020, 12, 31)))
    assert before is not None and before["plan"]["year"] == 2020


def test_completing_an_unknown_measure_is_404_and_twice_is_409_recording_nothing(
    planned: World,
) -> None:
    _plan(planned, "2020-03-01", _measure("m1", "2020-05-31"))
    complete = {"household_id": "h1", "measure_id": "m1", "note": "done"}
    head = planned.ledger.head()
    with pytest.raises(NotFound) as unknown:
        planned.record("MeasureCompleted", {**complete, "measure_id": "m9"}, "2020-04-01")
    assert unknown.value.details["field"] == "measure_id"
    assert planned.ledger.head() == head
    planned.record("MeasureCompleted", complete, "2020-04-01")
    head = planned.ledger.head()
    with pytest.raises(InvalidTransition, match="already completed"):
        planned.record("MeasureCompleted", complete, "2020-04-02")
    assert planned.ledger.head() == head


def test_a_measure_id_stays_with_its_year_and_a_completion_follows_its_plan(planned: World
                                                                            ) -> None:
    plan = _plan(planned, "2020-03-01", _measure("m1", "2020-05-31"))
    head = planned.ledger.head()
    with pytest.raises(OutOfOrder, match="before the plan that first named it") as early:
        planned.record("MeasureCompleted", {"household_id": "h1", "measure_id": "m1",
                                            "note": "done"}, "2020-02-01")
    assert early.value.details["event_id"] == plan
    with pytest.raises(Conflict, match="belongs to the plan of 2020") as reused:
        _plan(planned, "2021-01-10", _measure("m1", "2021-06-30"), year=2021)
    assert reused.value.details["field"] == "measures.0.measure_id"
    assert planned.ledger.head() == head


def _trail(world: World, person: str, cut: Cut = Cut()) -> list[dict[str, Any]]:
    found = world.views.accountability(person, cut)
    assert found is not None
    return found["overdue_help_measures"]


def test_an_overdue_measure_is_on_its_persons_trail_live_and_replayed(planned: World) -> None:
    plan = _plan(planned, "2020-03-01", _measure("m1", "2020-05-31"),
                 _measure("m2", "2020-05-31", person="p2"), _measure("m3", "2020-12-31"))
    planned.project()
    [item] = _trail(planned, "p1", Cut(valid_at=date(2020, 6, 1)))
    assert (item["household_id"], item["measure_id"], item["status"], item["event_ids"]) == (
        "h1", "m1", "overdue", [plan])
    assert _trail(planned, "p1", Cut(valid_at=date(2020, 5, 31))) == []
    assert [m["measure_id"] for m in _trail(planned, "p2")] == ["m2"]
    assert [m["measure_id"] for m in _trail(planned, "p1")] == ["m1", "m3"]  # live: today
    late = planned.record("MeasureCompleted", {"household_id": "h1", "measure_id": "m1",
                                               "note": "done late"}, "2020-06-10")
    planned.project()
    [still] = _trail(planned, "p1", Cut(valid_at=date(2020, 7, 1)))
    assert (still["status"], still["completed_on"], still["event_ids"]) == (
        "done", "2020-06-10", [plan, late.event_id])
    assert _trail(planned, "p1", Cut(as_of=late.recorded_at, valid_at=date(2020, 6, 5)))[0][
        "status"] == "overdue"


def test_a_replacing_plan_that_names_someone_else_takes_the_measure_off_the_trail(
    planned: World,
) -> None:
    first = _plan(planned, "2020-03-01", _measure("m1", "2020-05-31"))
    _plan(planned, "2020-04-01", _measure("m1", "2020-05-31", person="p2"))
    planned.project()
    assert _trail(planned, "p1", Cut(valid_at=date(2020, 7, 1))) == []
    assert [m["measure_id"] for m in _trail(planned, "p2", Cut(valid_at=date(2020, 7, 1)))] \
        == ["m1"]
    before = _trail(planned, "p1", Cut(as_of=planned.ledger.read_log(0, 1000)[-2].recorded_at,
                                       valid_at=date(2020, 7, 1)))
    assert [(m["measure_id"], m["event_ids"]) for m in before] == [("m1", [first])]


def test_the_status_and_the_trail_over_http_match_the_documented_answers(
    planned: World, root: Root
) -> None:
    plan = _plan(planned, "2020-03-01", _measure("m1", "2020-05-31"))
    planned.record("SystemRecordCompared", {
        "household_id": "h1", "source": "national_system", "as_of_date": "2020-04-30",
        "record": {"size": 4, "per_capita_income": 3100.0}}, "2020-07-01")
    planned.project()
    client = conforming(create_app(root=root, settings={"TESTING": True})).test_client()
    token = planned.ledger.create_token("jiwei-zhao", "discipline")
    headers = {"Authorization": f"Bearer {token}"}
    status = client.get("/api/v1/households/h1?valid_at=2020-07-01", headers=headers)
    assert status.status_code == 200, status.get_json()
    body = status.get_json()
    assert body["plan"]["measures"][0]["status"] == "overdue"
    assert [(m["field"], m["ledger_value"]) for m in body["mismatches"]] == [
        ("per_capita_income", None)]
    trail = client.get("/api/v1/people/p1/accountability?valid_at=2020-07-01", headers=headers)
    assert trail.status_code == 200
    assert [m["event_ids"] for m in trail.get_json()["overdue_help_measures"]] == [[plan]]
