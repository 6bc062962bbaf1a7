"""The date rules as the views apply them on SQLite and PostgreSQL, live (where the findings
ledger filters and counts in SQL) and replayed, on the day itself and the day after.

See tests/unit/test_date_boundaries.py for the rules one by one on the folds.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from projections.replay import Cut
from projections.views import FindingFilter, Views
from service.root import Root
from tests.projections.conftest import INSPECTOR, World, make_world

CST = timezone(timedelta(hours=8))
DUE = date(2020, 3, 31)
DAY_AFTER = date(2020, 4, 1)


@pytest.fixture
def world(root: Root) -> World:
    """A village with a household and two findings due on 31 March 2020, both about the
    household and answered for by p1: f1 still open, f2 closed on its due date."""
    world = make_world(root)
    world.village("v1")
    world.person("p1")
    world.household("h1")
    world.finding("f1", due=DUE.isoformat(), person_id="p1")
    _closed(world, "f2", "2020-03-31")
    return world


def _closed(world: World, finding_id: str, on: str) -> None:
    world.finding(finding_id, due=DUE.isoformat(), person_id="p1")
    world.record("RectificationReported", {"finding_id": finding_id, "description": "done"},
                 "2020-03-20")
    world.record("RectificationVerified", {"finding_id": finding_id, "accepted": True,
                                           "note": "seen"}, on, INSPECTOR)
    world.project()


def _live_on(world: World, day: date) -> Views:
    """The live views with the clock at noon, China Standard Time, of `day`."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=CST)
    return Views(world.store, clock=lambda: noon)


def _overdue_everywhere(views: Views, cut: Cut) -> dict[str, list[str] | int]:
    """Which findings each view calls overdue (how many, for the counts)."""
    unit = FindingFilter(unit_id="v1")
    overdue = views.findings(FindingFilter(unit_id="v1", overdue=True), cut)
    not_overdue = views.findings(FindingFilter(unit_id="v1", overdue=False), cut)
    counts = views.findings(unit, cut)["counts_by_unit"]
    return {
        "filter overdue=true": [f["finding_id"] for f in overdue["findings"]],
        "filter overdue=false": [f["finding_id"] for f in not_overdue["findings"]],
        "flag in the ledger": [f["finding_id"] for f in views.findings(unit, cut)["findings"]
                               if f["overdue"]],
        "count by unit": counts[0]["overdue"],
        "trail": [f for f in ("f1", "f2", "f3")
                  if (views.finding(f, cut) or {}).get("overdue")],
        "household": views.household("h1", cut)["overdue_findings"],
        "unit board": views.unit("v1", cut)["findings"]["overdue"],
        "accountability": sorted(f["finding_id"] for f in
                                 views.accountability("p1", cut)["overdue_findings"]),
    }


def test_on_its_due_date_a_finding_is_not_overdue_in_any_view(world: World) -> None:
    for views, cut in ((_live_on(world, DUE), Cut()), (world.views, Cut(valid_at=DUE))):
        assert _overdue_everywhere(views, cut) == {
            "filter overdue=true": [],
            "filter overdue=false": ["f1", "f2"],
            "flag in the ledger": [],
            "count by unit": 0,
            "trail": [],
            "household": [],
            "unit board": [],
            "accountability": [],
        }, "live" if cut.live else "replayed"


def test_the_day_after_its_due_date_an_open_finding_is_overdue_in_every_view(
    world: World,
) -> None:
    _closed(world, "f3", "2020-04-01")
    for views, cut in ((_live_on(world, DAY_AFTER), Cut()),
                       (world.views, Cut(valid_at=DAY_AFTER))):
        assert _overdue_everywhere(views, cut) == {
            "filter overdue=true": ["f1"],
            "filter overdue=false": ["f2", "f3"],
            "flag in the ledger": ["f1"],
            "count by unit": 1,
            "trail": ["f1"],
            "household": ["f1"],
            "unit board": ["f1"],
            # f2 closed on its due date never went overdue; f3 closed a day late did
            "accountability": ["f1", "f3"],
        }, "live" if cut.live else "replayed"


@pytest.mark.parametrize("due_from, due_to, found", [
    (DUE, DUE, ["f1", "f2"]),
    (DAY_AFTER, None, []),
    (None, date(2020, 3, 30), []),
])
def test_the_due_date_filters_include_their_own_day(world: World, due_from: date | None,
                                                    due_to: date | None,
                                                    found: list[str]) -> None:
    query = FindingFilter(unit_id="v1", due_from=due_from, due_to=due_to)
    for cut in (Cut(), Cut(valid_at=DAY_AFTER)):
        page = world.views.findings(query, cut)["findings"]
        assert [f["finding_id"] for f in page] == found


def test_valid_at_includes_the_whole_business_day_and_nothing_of_the_next(root: Root) -> None:
    world = make_world(root)
    world.village("v1")
    world.person("p1")
    world.household("h1")
    world.visit("i1", "h1", "2020-03-31T23:59")  # 15:59 UTC: still 31 March in China
    world.visit("i2", "h1", "2020-04-01T00:00")  # 16:00 UTC on 31 March: 1 April in China
    world.project()
    visits = {day: (world.views.household("h1", Cut(valid_at=day))["last_visit"] or {})
              .get("inspection_id") for day in (date(2020, 3, 30), DUE, DAY_AFTER)}
    assert visits == {date(2020, 3, 30): None, DUE: "i1", DAY_AFTER: "i2"}


def test_as_of_includes_an_event_recorded_at_that_very_moment(root: Root) -> None:
    world = make_world(root)
    world.village("v1")
    world.person("p1")
    world.household("h1")
    visit = world.visit("i1", "h1", "2020-03-10")
    world.project()
    at = world.views.household("h1", Cut(as_of=visit.recorded_at))["last_visit"]
    before = world.views.household(
        "h1", Cut(as_of=visit.recorded_at - timedelta(microseconds=1)))["last_visit"]
    assert (at or {}).get("event_id") == visit.event_id
    assert before is None
