"""The household list table: kept by the runner, rebuilt from nothing, filtered in SQL."""
from __future__ import annotations

from datetime import timedelta

from projections import tables
from projections.events import today
from projections.household_list import HouseholdFilter
from projections.store import store_for
from service.root import Root
from tests.projections.conftest import INSPECTOR, World, dump_views

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def township(world: World) -> None:
    """County c1 > townships t1, t2 > villages v1, v2 (t1) and v3 (t2); five households."""
    world.record("UnitRegistered", {"unit_id": "c1", "name": "County", "kind": "county"})
    for t in ("t1", "t2"):
        world.record("UnitRegistered", {"unit_id": t, "name": t, "kind": "township",
                                        "parent_id": "c1"})
    world.village("v1", "t1"), world.village("v2", "t1"), world.village("v3", "t2")
    world.person("p1")
    world.household("h1", size=2)
    world.household("h2", size=2, village_id="v2")
    world.household("h3", size=1, category="edge", village_id="v3")
    world.household("h4", size=1, category="other")
    world.household("h5", size=1)


def ids(world: World, **filters: object) -> list[str]:
    page = world.views.household_list(HouseholdFilter(**filters), limit=1000)  # type: ignore
    return [item["household_id"] for item in page["items"]]


def test_rows_follow_households_visits_and_findings_as_the_runner_folds(world: World) -> None:
    township(world)
    world.visit("i1", "h1", days_ago(3), income={"wage": 9000}, checks=ALL_MET)
    world.visit("i2", "h2", days_ago(40), income={"wage": 9000},
                checks={**ALL_MET, "water": "unmet"})
    world.record("HouseholdFactsRecorded", {"household_id": "h5", "only_house_earthen": True},
                 actor=INSPECTOR)
    world.finding("f1", subject_id="h1", due="2099-01-01")
    world.project()

    page = world.views.household_list(HouseholdFilter(), limit=10)
    first = page["items"][0]
    assert page["next"] is None
    assert first == {"household_id": "h1", "village_id": "v1", "township_id": "t1",
                     "county_id": "c1", "category": "registered_poor",
                     "poverty_status": "registered_poor", "exit_class": "B",
                     "key_household": False, "monitoring": None, "last_visit": days_ago(3),
                     "open_findings": 1, "size": 2, "mismatch_due": None, "head_name": "Li",
                     "village_name": "V1", "township_name": "t1", "helper_cadres": []}
    assert ids(world, township_id="t1") == ["h1", "h2", "h4", "h5"]
    assert ids(world, village_id="v2") == ["h2"]
    assert ids(world, category="edge") == ["h3"]
    assert ids(world, poverty_status="not_registered") == ["h3", "h4"]
    assert ids(world, exit_class="B") == ["h1", "h2"]
    assert ids(world, key=True) == ["h5"]
    assert ids(world, monitoring="none") == ["h1", "h2", "h3", "h4", "h5"]
    assert ids(world, monitoring="any") == []
    assert ids(world, unvisited_days=30) == ["h2", "h3", "h4", "h5"]
    assert ids(world, unvisited_days=30, township_id="t1", key=False) == ["h2", "h4"]
    assert ids(world, scope=("county_id", "c1"), village_id="v3") == ["h3"]

    world.record("RectificationReported", {"finding_id": "f1", "description": "fixed"})
    world.record("RectificationVerified", {"finding_id": "f1", "accepted": True, "note": "ok"},
                 actor=INSPECTOR)
    world.project()
    assert ids(world, exit_class="A") == ["h1"]
    assert world.views.household_list(HouseholdFilter(village_id="v1"))["items"][0][
        "open_findings"] == 0


def test_keyset_pages_lose_and_repeat_nothing_when_households_are_added_between(
    world: World,
) -> None:
    township(world)
    world.project()
    first = world.views.household_list(HouseholdFilter(), limit=2)
    assert [i["household_id"] for i in first["items"]] == ["h1", "h2"]
    world.household("h0"), world.household("h35")
    world.visit("i9", "h3", days_ago(1))
    world.project()
    seen = [i["household_id"] for i in first["items"]]
    after = first["next"]
    while after is not None:
        page = world.views.household_list(HouseholdFilter(), after=after, limit=2)
        seen += [i["household_id"] for i in page["items"]]
        after = page["next"]
    assert seen == ["h1", "h2", "h3", "h35", "h4", "h5"]


def test_rule_changes_reclassify_every_row_and_a_rebuild_gives_the_same_table(
    world: World,
) -> None:
    township(world)
    world.visit("i1", "h1", days_ago(3), income={"wage": 9000}, checks=ALL_MET)
    world.project()
    assert ids(world, exit_class="A") == ["h1"]
    world.record("RuleParameterSet", {"parameter": "income_standard", "value": 5000,
                                      "year": today().year})
    world.project()
    assert ids(world, exit_class="C") == ["h1"]
    before = dump_views(world.store), world.store.query(
        "SELECT * FROM proj_households ORDER BY household_id")

    world.runner.rebuild(fresh=True)
    after = dump_views(world.store), world.store.query(
        "SELECT * FROM proj_households ORDER BY household_id")
    assert after == before


def test_a_live_generation_from_before_the_list_gets_it_filled_when_the_store_opens(
    root: Root, world: World
) -> None:
    township(world)
    world.project()
    rows = world.store.query("SELECT * FROM proj_households ORDER BY household_id")
    live = world.store.live().number
    with world.store.writing() as cur:
        cur.execute("DROP VIEW proj_households")
        cur.execute(f"DROP TABLE {tables.table('proj_households', live)}")

    reopened = store_for(root.ledger)
    try:
        assert reopened.query("SELECT * FROM proj_households ORDER BY household_id") == rows
    finally:
        reopened.close()


def test_monitoring_and_poverty_status_come_from_the_household_status(world: World) -> None:
    township(world)
    world.record("HouseholdRegistered", {"household_id": "h6", "village_id": "v3",
                                         "head_name": "Wu", "size": 3, "category": "exited",
                                         "exit_year": 2019}, "2020-01-02")
    world.record("MonitoringStarted", {"household_id": "h6", "monitoring_type": "unstable_exited",
                                       "risks": ["illness"], "note": "father ill"}, "2020-02-01")
    world.record("MonitoringStarted", {"household_id": "h3", "monitoring_type": "edge",
                                       "risks": ["disaster"], "note": "flooded"}, "2020-02-01")
    world.project()
    assert ids(world, monitoring="any") == ["h3", "h6"]
    assert ids(world, monitoring="unstable_exited") == ["h6"]
    assert ids(world, poverty_status="exited") == ["h6"]
    assert ids(world, township_id="t2", monitoring="none") == []
