"""Every value of the household status comes from the latest event by business time, whatever
the order in which the events were typed in: live, with `valid_at` and with `as_of`."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import permutations
from typing import Any

from ledger.application import Command, LoggedEvent
from projections.replay import Cut
from tests.projections.conftest import INSPECTOR, World

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}
Step = Callable[[World, str], LoggedEvent]


def _march_visit(world: World, h: str) -> LoggedEvent:
    return world.visit(f"{h}-march", h, "2020-03-10", checks=ALL_MET)


def _april_phone_check(world: World, h: str) -> LoggedEvent:
    return world.record("InspectionRecorded", {
        "inspection_id": f"{h}-april", "subject_type": "household", "subject_id": h,
        "method": "phone", "inspector_ids": ["p1"], "checks": {"water": "unmet"},
        "income": {"wage": 6000}}, "2020-04-15", INSPECTOR)


def _june_visit(world: World, h: str) -> LoggedEvent:
    return world.visit(f"{h}-june", h, "2020-06-01", checks={"water": "met"},
                       income={"wage": 12000})


def _march_facts(world: World, h: str) -> LoggedEvent:
    return world.record("HouseholdFactsRecorded", {
        "household_id": h, "size": 5, "only_house_earthen": False}, "2020-03-01", INSPECTOR)


def _may_facts(world: World, h: str) -> LoggedEvent:
    return world.record("HouseholdFactsRecorded", {
        "household_id": h, "size": 3, "only_house_earthen": True}, "2020-05-01", INSPECTOR)


STORY: dict[str, Step] = {"march_visit": _march_visit, "april_phone": _april_phone_check,
                          "june_visit": _june_visit, "march_facts": _march_facts,
                          "may_facts": _may_facts}


def _tell(world: World, h: str, order: tuple[str, ...]) -> dict[str, str]:
    world.household(h, size=2)
    return {name: STORY[name](world, h).event_id for name in order}


def _values(status: dict[str, Any]) -> dict[str, Any]:
    """What the status says, without the ids that differ from one household to the next."""
    criteria = {c["name"]: c["holds"] for c in status["criteria"]}
    return {
        "guarantees": {n: (g["value"], g["on"]) for n, g in status["guarantees"].items()},
        "per_capita": status["income"]["per_capita"],
        "size": status["size"],
        "category": status["category"],
        "earthen": criteria["only_house_earthen"],
        "exit_class": status["exit_class"],
        "last_visit": status["last_visit"] and status["last_visit"]["on"],
    }


def _cut_statuses(world: World, h: str) -> dict[str, dict[str, Any]]:
    cuts = {"live": Cut(), "2020-07-01": Cut(valid_at=date(2020, 7, 1)),
            "2020-05-15": Cut(valid_at=date(2020, 5, 15)),
            "2020-04-20": Cut(valid_at=date(2020, 4, 20))}
    return {name: world.views.household(h, cut) for name, cut in cuts.items()}


EXPECTED_LATE = {  # the world on 1 July and now: June's visit, May's facts
    "guarantees": {**{n: ("met", "2020-03-10") for n in ALL_MET}, "water": ("met", "2020-06-01")},
    "per_capita": 4000.0, "size": 3, "category": "registered_poor", "earthen": True,
    "exit_class": "A", "last_visit": "2020-06-01",
}


def test_the_same_story_typed_in_any_order_gives_the_same_status(world: World) -> None:
    world.village(), world.person("p1")
    orders = list(permutations(STORY))[::7]  # 18 of the 120 orders, each a household
    orders.append(tuple(reversed(STORY)))
    ids = {f"h{i}": _tell(world, f"h{i}", order) for i, order in enumerate(orders)}
    world.project()

    for h, event_ids in ids.items():
        statuses = _cut_statuses(world, h)
        assert _values(statuses["live"]) == EXPECTED_LATE, h
        assert _values(statuses["2020-07-01"]) == EXPECTED_LATE, h
        assert statuses["live"]["guarantees"]["water"]["event_id"] == event_ids["june_visit"]
        assert statuses["live"]["income"]["event_id"] == event_ids["june_visit"]
        assert statuses["live"]["last_visit"]["event_id"] == event_ids["june_visit"]
        earthen = {c["name"]: c for c in statuses["live"]["criteria"]}["only_house_earthen"]
        assert earthen["event_ids"] == [event_ids["may_facts"]]
        assert _values(statuses["2020-05-15"]) == {  # April's check, May's facts
            **EXPECTED_LATE, "guarantees": {**EXPECTED_LATE["guarantees"],
                                            "water": ("unmet", "2020-04-15")},
            "per_capita": 2000.0, "exit_class": "C", "last_visit": "2020-03-10"}
        assert _values(statuses["2020-04-20"]) == {  # April's check, March's facts
            **EXPECTED_LATE, "guarantees": {**EXPECTED_LATE["guarantees"],
                                            "water": ("unmet", "2020-04-15")},
            "per_capita": 1200.0, "size": 5, "earthen": False, "exit_class": "C",
            "last_visit": "2020-03-10"}


def test_a_late_phone_check_changes_nothing_known_as_of_any_moment(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1", size=2)
    _march_visit(world, "h1"), _may_facts(world, "h1")
    june = _june_visit(world, "h1")
    world.project()
    before = world.views.household("h1")
    late = _april_phone_check(world, "h1")
    world.project()

    assert before["guarantees"]["water"]["value"] == "met"
    for cut in (Cut(), Cut(as_of=late.recorded_at), Cut(as_of=june.recorded_at),
                Cut(valid_at=date(2020, 7, 1)),
                Cut(as_of=late.recorded_at, valid_at=date(2020, 7, 1))):
        status = world.views.household("h1", cut)
        assert _values(status) == EXPECTED_LATE, cut
        assert status["guarantees"]["water"]["event_id"] == june.event_id, cut
    # The late check is not lost: it is the world on 15 April as known now ...
    april = world.views.household("h1", Cut(valid_at=date(2020, 5, 15)))
    assert april["guarantees"]["water"] == {"value": "unmet", "event_id": late.event_id,
                                            "on": "2020-04-15"}
    # ... and was not known at all before it was typed in.
    earlier = world.views.household("h1", Cut(as_of=june.recorded_at,
                                              valid_at=date(2020, 5, 15)))
    assert earlier["guarantees"]["water"]["value"] == "met"


def test_category_and_moments_on_other_offsets_follow_business_time(world: World) -> None:
    world.village()
    for h, order in (("h1", (0, 1)), ("h2", (1, 0))):
        world.household(h, category="edge")
        steps = [
            lambda h=h: world.record("HouseholdFactsRecorded",
                                     {"household_id": h, "category": "monitored"},
                                     "2020-05-01T09:00"),
            # 1 May 08:30 in UTC is 16:30 in China: later than 09:00, though its text sorts first.
            lambda h=h: world.ledger.record(INSPECTOR, [_facts_at(h, "other",
                                                                  "2020-05-01T08:30:00+00:00")]),
        ]
        for i in order:
            steps[i]()
    world.project()
    for h in ("h1", "h2"):
        assert world.views.household(h)["category"] == "other", h
        assert world.views.household(h, Cut(valid_at=date(2020, 4, 30)))["category"] == "edge"


def _facts_at(h: str, category: str, moment: str) -> Command:
    return Command("HouseholdFactsRecorded", {"household_id": h, "category": category},
                   datetime.fromisoformat(moment))
