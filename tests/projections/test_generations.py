"""Generations of the read models: views from before generations are adopted, not lost; a
rebuild leaves one generation behind; unfinished ones are resumed or dropped."""
from __future__ import annotations

from ledger.identity import Actor
from projections import tables
from projections.runner import ProjectionRunner
from projections.store import store_for
from service.root import Root
from tests.projections.conftest import INSPECTOR, World, dump_views


def _county(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1"), world.household("h2")
    world.assign("p1", "h1")
    world.visit("i1", "h1", "2020-02-10")
    world.finding("f1", person_id="p1")


def _to_layout_before_generations(world: World) -> int:
    """Turn the live generation into the tables a ledger made before generations existed."""
    [live] = world.store.generations()
    with world.store.writing() as cur:
        cur.execute("DROP VIEW proj_households")  # the household list came later still
        cur.execute(f"DROP TABLE {tables.table('proj_households', live.number)}")
        for view in ("proj_state", "proj_findings", "proj_subject_events"):
            cur.execute(f"DROP VIEW {view}")
            cur.execute(f"ALTER TABLE {tables.table(view, live.number)} RENAME TO {view}")
        cur.execute("DROP TABLE proj_generations")
        cur.execute("CREATE TABLE proj_tracking (name TEXT PRIMARY KEY, "
                    "position BIGINT NOT NULL)")
        cur.execute(world.store.sql("INSERT INTO proj_tracking VALUES ('views', ?)"),
                    (live.position,))
    return live.position


def test_views_from_before_generations_are_adopted_as_generation_zero(
    root: Root, world: World
) -> None:
    _county(world)
    world.project()
    household, trail = world.views.household("h1"), world.views.accountability("p1")
    position = _to_layout_before_generations(world)
    world.finding("f2", subject_id="h2")

    adopted = store_for(root.ledger)
    try:
        assert [(g.number, g.position, g.live) for g in adopted.generations()] == [
            (0, position, True)]
        world.views.store = adopted
        world.runner.store = adopted
        assert world.views.household("h1") == household
        assert world.views.accountability("p1") == trail
        assert world.store.query("SELECT household_id FROM proj_households") == [("h1",), ("h2",)]
        world.project()  # folds on from where the old views stopped
        assert world.views.finding("f2") is not None
        world.runner.rebuild()
        [rebuilt] = adopted.generations()
        assert rebuilt.number == 1 and rebuilt.live
        assert world.views.household("h1") == household
        names = set(tables.VIEWS) | {tables.table(v, 0) for v in tables.VIEWS}
        remaining = {n for n in names if adopted.relation_kind(n) is not None}
        assert remaining == set(tables.VIEWS)
    finally:
        adopted.close()


def test_a_fresh_rebuild_drops_an_unfinished_one(root: Root, world: World) -> None:
    _county(world)
    world.project()
    store = world.store
    unfinished = store.begin_rebuild()
    assert store.begin_rebuild().number == unfinished.number  # resumed, not started twice
    fresh = store.begin_rebuild(fresh=True)
    assert fresh.number != unfinished.number
    assert [g.number for g in store.generations() if not g.live] == [fresh.number]
    assert store.relation_kind(tables.table("proj_state", unfinished.number)) is None


def test_a_build_that_forgets_its_states_between_commits_folds_the_same_views(
    world: World
) -> None:
    _county(world)
    for i in range(3, 9):
        world.household(f"h{i}")
        world.assign("p1", f"h{i}")
        world.visit(f"i{i}", f"h{i}", "2020-02-11")
        world.finding(f"f{i}", subject_id=f"h{i}", person_id="p1")
    world.record("RectificationReported", {"finding_id": "f3", "description": "fixed",
                                           "evidence": []}, "2020-03-10",
                 Actor("cadre-1", "cadre", unit_id="v1"))
    world.record("RectificationVerified", {"finding_id": "f3", "accepted": False,
                                           "note": "not yet"}, "2020-03-12", INSPECTOR)
    world.project()
    served = dump_views(world.store)
    store = world.store
    building = store.begin_rebuild()
    builder = ProjectionRunner(store, page=3, generation=building.number)
    assert builder.build(keep=1, commit_every=5) == store.head()
    store.finish_build(building.number)
    assert store.switch(building.number)
    assert dump_views(store) == served


def test_a_live_generation_from_before_source_and_sector_gets_their_columns(
    root: Root, world: World
) -> None:
    """The finding columns added with the unit supervision cycle are added to views made
    before it, so an upgraded ledger keeps following without a rebuild."""
    _county(world)
    world.project()
    [live] = world.store.generations()
    old = tables.table("proj_findings", live.number)
    with world.store.writing() as cur:  # the finding table as it was made before
        cur.execute("DROP VIEW proj_findings")
        cur.execute(f"ALTER TABLE {old} RENAME TO old_findings")
        columns = ("finding_id, unit_id, subject_type, subject_id, category, status, due_date, "
                   "person_id, raised_on, closed_on, state")
        cur.execute(f"CREATE TABLE {old} (finding_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, "
                    "subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, category TEXT NOT "
                    "NULL, status TEXT NOT NULL, due_date TEXT NOT NULL, person_id TEXT, "
                    "raised_on TEXT NOT NULL, closed_on TEXT, state TEXT NOT NULL)")
        cur.execute(f"INSERT INTO {old} ({columns}) SELECT {columns} FROM old_findings")
        cur.execute("DROP TABLE old_findings")
    store_for(root.ledger).setup()
    world.record("FindingRaised", {
        "finding_id": "f2", "subject_type": "household", "subject_id": "h2",
        "category": "water", "description": "no tap", "responsible_unit_id": "v1",
        "due_date": "2020-06-30", "source": "audit", "sector": "water"}, "2020-03-02",
        INSPECTOR)
    world.project()
    rows = world.store.query("SELECT finding_id, source, sector FROM proj_findings "
                             "ORDER BY finding_id")
    assert [tuple(r) for r in rows] == [("f1", None, None), ("f2", "audit", "water")]
