"""Roll-ups on the unit board: a township's villages and households added up, live from the
counters, after changes, after a rebuild from zero, and replayed under valid_at / as_of."""
from __future__ import annotations

from datetime import UTC, date, datetime

from projections import rollups
from projections.replay import Cut
from projections.routing import RULES_KEY
from projections.views import Views
from tests.projections.conftest import INSPECTOR, World

APRIL = datetime(2020, 4, 1, 4, tzinfo=UTC)  # noon on 1 April 2020, business time


def _township(world: World) -> None:
    """Township t1 with villages v1 (a group g1 below it) and v2; five households."""
    world.record("UnitRegistered", {"unit_id": "t1", "name": "T1", "kind": "township"},
                 "2020-01-01")
    world.village("v1", "t1"), world.village("v2", "t1"), world.person("p1")
    world.record("UnitRegistered", {"unit_id": "g1", "name": "G1", "kind": "group",
                                    "parent_id": "v1"}, "2020-01-01")
    world.household("h1", size=2), world.household("h2", size=2)
    world.household("h3", category="edge"), world.household("h4", category="other")
    world.household("h5", village_id="v2")
    world.record("HouseholdFactsRecorded", {"household_id": "h1", "income": {"wage": 10000}},
                 "2020-01-10")
    world.record("HouseholdFactsRecorded", {"household_id": "h2", "income": {"wage": 2000}},
                 "2020-01-10")
    world.visit("i1", "h1", "2020-03-20"), world.visit("i2", "h3", "2020-03-25")
    world.visit("i3", "h5", "2020-01-15")
    world.finding("f1", "h1", due="2020-03-10", on="2020-03-01")
    world.finding("f2", "h5", unit_id="v2", due="2020-06-30", on="2020-03-05")
    world.record("FindingRaised", {
        "finding_id": "f3", "subject_type": "unit", "subject_id": "g1", "category": "records",
        "description": "ledger incomplete", "responsible_unit_id": "v1",
        "due_date": "2020-03-15"}, "2020-03-02", INSPECTOR)


def _board(world: World, unit_id: str, cut: Cut = Cut()) -> dict:
    return Views(world.store, clock=lambda: APRIL).unit(unit_id, cut)["rollup"]


def _sum_of_statuses(world: World, household_ids: list[str], cut: Cut) -> dict:
    """What the roll-up's household figures must add up to: each household's rendered status."""
    views = Views(world.store, clock=lambda: APRIL)
    figures = [rollups.household_figures(views.household(h, cut)) for h in household_ids]
    total: dict[str, dict[str, int]] = {"category": {}, "exit_class": {}}
    for one in figures:
        for name in total:
            total[name][one[name]] = total[name].get(one[name], 0) + 1
    return total


def test_a_township_adds_up_its_villages_and_their_households(world: World) -> None:
    _township(world)
    world.project()
    township = _board(world, "t1")
    assert township["units"] == 4
    assert township["households"]["total"] == 5
    assert township["households"]["by_category"] == {"edge": 1, "other": 1,
                                                     "registered_poor": 3}
    assert township["households"]["by_poverty_status"] == {"not_registered": 2,
                                                           "registered_poor": 3}
    assert township["households"]["by_exit_class"] == {"A": 0, "B": 1, "C": 1,
                                                       "unclassified": 3}
    expected = _sum_of_statuses(world, ["h1", "h2", "h3", "h4", "h5"], Cut())
    assert township["households"]["by_category"] == expected["category"]
    assert township["findings"] == {"open": 3, "overdue": 2,
                                    "on_units": {"open": 1, "overdue": 1},
                                    "on_households": {"open": 2, "overdue": 1}}
    coverage = township["visit_coverage"]
    assert (coverage["period_days"], coverage["households"], coverage["visited"]) == (31, 5, 2)
    assert coverage["share"] == 0.4
    assert coverage["by_category"]["registered_poor"]["visited"] == 1

    village = _board(world, "v1")
    assert (village["units"], village["households"]["total"]) == (2, 4)
    assert village["findings"]["on_units"] == {"open": 1, "overdue": 1}
    other = _board(world, "v2")
    assert other["households"]["total"] == 1 and other["findings"]["open"] == 1
    assert other["visit_coverage"]["visited"] == 0  # visited 15 January: outside 31 days


def test_the_counters_follow_changes_and_a_rebuild_gives_the_same(world: World) -> None:
    _township(world)
    world.project()
    world.record("RectificationReported", {"finding_id": "f1", "description": "fixed"},
                 "2020-03-28")
    world.record("RectificationVerified", {"finding_id": "f1", "accepted": True, "note": "ok"},
                 "2020-03-29", INSPECTOR)
    world.record("DeadlineExtended", {"finding_id": "f3", "new_due_date": "2020-05-01",
                                      "reason": "approved by the township"}, "2020-03-14",
                 INSPECTOR)
    world.visit("i4", "h5", "2020-03-30")
    world.record("InspectionRecorded", {
        "inspection_id": "i5", "subject_type": "household", "subject_id": "h1",
        "method": "visit", "inspector_ids": ["p1"],
        "checks": {name: "met" for name in ("food", "clothing", "education", "medical",
                                            "housing", "water")}}, "2020-03-31", INSPECTOR)
    world.household("h6", category="edge", village_id="v2")
    world.project()
    township = _board(world, "t1")
    assert township["households"]["total"] == 6
    assert township["households"]["by_exit_class"]["A"] == 1  # h1: income met, all met, closed
    assert township["findings"] == {"open": 2, "overdue": 0,
                                    "on_units": {"open": 1, "overdue": 0},
                                    "on_households": {"open": 1, "overdue": 0}}
    assert township["visit_coverage"]["visited"] == 3

    world.runner.rebuild(fresh=True)
    assert _board(world, "t1") == township
    assert _board(world, "v2")["households"]["by_category"] == {"edge": 1, "registered_poor": 1}


def test_replays_walk_the_subtree_and_agree_with_the_live_counters(world: World) -> None:
    _township(world)
    world.project()
    live = world.views.unit("t1")["rollup"]  # today: every due date and visit long past
    assert world.views.unit("t1", Cut(as_of=datetime.now(UTC)))["rollup"] == live

    march = Cut(valid_at=date(2020, 3, 12))
    early = _board(world, "t1", march)
    assert early["findings"] == {"open": 3, "overdue": 1,
                                 "on_units": {"open": 1, "overdue": 0},
                                 "on_households": {"open": 2, "overdue": 1}}
    assert early["visit_coverage"]["visited"] == 0  # 15 January is more than 31 days back

    january = _board(world, "t1", Cut(valid_at=date(2020, 1, 1)))
    assert january["units"] == 4 and january["households"]["total"] == 0


def test_the_fold_reads_the_rules_under_the_key_routing_uses() -> None:
    assert rollups.RULES_KEY == RULES_KEY


def test_household_figures_default_what_is_not_rendered() -> None:
    status = {"village_id": "v1", "category": "exited", "exit_class": None,
              "key_household": True, "last_visit": None}
    figures = rollups.household_figures(status)
    assert (figures["poverty_status"], figures["monitoring"], figures["exit_class"]) == (
        "exited", None, "unclassified")
    monitored = {**status, "poverty_status": "exited",
                 "monitoring": {"type": "unstable_exited", "since": "2020-05-01"}}
    assert rollups.household_figures(monitored)["monitoring"] == "unstable_exited"
