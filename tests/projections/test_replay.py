"""Replay: `as_of` shows what the ledger knew then, `valid_at` the world on a date as known now."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime

from projections.replay import Cut
from projections.views import FindingFilter
from tests.projections.conftest import DISCIPLINE, INSPECTOR, World


def _moment() -> datetime:
    """A moment strictly between what was recorded before and what is recorded after."""
    time.sleep(0.002)
    moment = datetime.now(UTC)
    time.sleep(0.002)
    return moment


def _county(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1", size=2)
    world.assign("p1", "h1", on="2020-01-05")
    world.assign("p1", "v1", role="village_secretary", subject_type="unit", on="2020-01-05")
    world.visit("i1", "h1", "2020-03-01", income={"wage": 6000}, checks={"food": "met"})
    world.finding("f1", person_id="p1", due="2020-03-31")


def _all_views(world: World, cut: Cut = Cut()) -> dict:
    return {
        "household": world.views.household("h1", cut),
        "finding": world.views.finding("f1", cut),
        "findings": world.views.findings(FindingFilter(unit_id="v1"), cut),
        "unit": world.views.unit("v1", cut),
        "trail": world.views.accountability("p1", cut),
    }


def test_a_replay_to_a_past_moment_gives_exactly_what_the_live_views_showed(
    world: World,
) -> None:
    _county(world)
    world.project()
    shown = _all_views(world)
    then = _moment()

    world.visit("i2", "h1", "2020-03-05", income={"wage": 9000}, checks={"housing": "unmet"})
    world.record("RectificationReported", {"finding_id": "f1", "description": "fixed"},
                 "2020-03-10")
    world.record("RectificationVerified", {"finding_id": "f1", "accepted": False,
                                           "note": "not fixed"}, "2020-03-12", INSPECTOR)
    world.record("WarningIssued", {"warning_id": "w1", "unit_id": "v1", "color": "yellow",
                                   "period": "2020-Q1", "reason": "slow"}, "2020-03-15",
                 INSPECTOR)
    world.record("RuleParameterSet", {"parameter": "income_standard", "value": 5000})
    world.project()
    assert _all_views(world) != shown  # the later events did change the live views

    assert _all_views(world, Cut(as_of=then)) == shown


def test_a_late_recorded_visit_changes_valid_at_answers_but_not_earlier_as_of_answers(
    world: World,
) -> None:
    world.village(), world.person("p1"), world.household("h1")
    world.assign("p1", "h1", on="2020-02-01")
    world.visit("i1", "h1", "2020-03-01")
    world.project()
    before_typing = _moment()

    world.visit("i2", "h1", "2020-03-12")  # the 12 March visit, typed in now
    world.project()

    on_15th = Cut(valid_at=date(2020, 3, 15))
    assert world.views.household("h1", on_15th)["last_visit"]["inspection_id"] == "i2"
    on_10th = Cut(valid_at=date(2020, 3, 10))
    assert world.views.household("h1", on_10th)["last_visit"]["inspection_id"] == "i1"
    known_then = Cut(as_of=before_typing)
    assert world.views.household("h1", known_then)["last_visit"]["inspection_id"] == "i1"
    assert world.views.household("h1")["last_visit"]["inspection_id"] == "i2"

    # The cadre's trail on 10 April: known now, no month-long gap in March; known then, one.
    april = date(2020, 4, 10)
    gaps_now = world.views.accountability("p1", Cut(valid_at=april))["unvisited_households"]
    assert gaps_now == []
    gaps_then = world.views.accountability(
        "p1", Cut(as_of=before_typing, valid_at=april))["unvisited_households"]
    assert [(g["from"], g["until"]) for g in gaps_then] == [("2020-03-01", "2020-04-10")]


def test_valid_at_applies_the_rules_in_force_on_that_date(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1", size=1)
    world.visit("i1", "h1", "2020-03-01", income={"wage": 4000})
    world.record("RuleParameterSet", {"parameter": "income_standard", "value": 4200,
                                      "year": 2020}, "2020-06-01")
    world.project()

    in_may = world.views.household("h1", Cut(valid_at=date(2020, 5, 1)))["income"]
    assert (in_may["standard"]["value"], in_may["meets_standard"]) == (3700, True)
    in_july = world.views.household("h1", Cut(valid_at=date(2020, 7, 1)))["income"]
    assert (in_july["standard"]["value"], in_july["meets_standard"]) == (4200, False)
    assert in_july["standard"]["event_id"] is not None


def test_a_replay_before_a_subject_existed_finds_nothing(world: World) -> None:
    world.village()
    before = _moment()
    world.person("p1"), world.household("h1")
    world.record("AccountabilityMeasureTaken", {"person_id": "p1", "measure": "reminder_talk",
                                                "basis": [world.record("HouseholdFactsRecorded", {
                                                    "household_id": "h1",
                                                    "lacks_motivation": True}).event_id],
                                                "note": "talk"}, actor=DISCIPLINE)
    world.project()
    assert world.views.household("h1", Cut(as_of=before)) is None
    assert world.views.accountability("p1", Cut(as_of=before)) is None
    assert world.views.accountability("p1")["measures"][0]["measure"] == "reminder_talk"
