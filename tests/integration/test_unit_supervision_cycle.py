"""The unit supervision cycle on SQLite and PostgreSQL: listing with a supervising unit and its
monthly gaps, delisting checked over the whole subtree, finding transfers, and quarterly
lights kept apart from yellow cards."""
from __future__ import annotations

from datetime import date

import pytest

from ledger.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidTransition,
    LedgerError,
    NotFound,
)
from ledger.identity import Actor
from projections.replay import Cut
from projections.views import FindingFilter
from service.root import Root
from tests.projections.conftest import DISCIPLINE, INSPECTOR, World, make_world


@pytest.fixture
def world(root: Root) -> World:
    """A township t1 with villages v1 and v2, a household in each, and people."""
    world = make_world(root)
    world.record("UnitRegistered", {"unit_id": "t1", "name": "Town", "kind": "township"},
                 "2020-01-01")
    world.village("v1", parent_id="t1")
    world.village("v2", parent_id="t1")
    world.person("p1")
    world.person("p2", unit_id="v2")
    world.person("p-town", unit_id="t1")
    world.household("h1")
    world.household("h2", village_id="v2")
    return world


def _refused(world: World, error: type[LedgerError], type_: str, data: dict, on: str,
             actor: Actor = INSPECTOR) -> LedgerError:
    """The event is refused with `error` and the log gains nothing."""
    head = world.ledger.head()
    with pytest.raises(error) as caught:
        world.record(type_, data, on, actor)
    assert world.ledger.head() == head
    return caught.value


def _inspect(world: World, inspection_id: str, unit_id: str, method: str, on: str) -> None:
    world.record("InspectionRecorded", {"inspection_id": inspection_id, "subject_type": "unit",
                                        "subject_id": unit_id, "method": method,
                                        "inspector_ids": ["p-town"]}, on, INSPECTOR)


# Listing and supervision gaps --------------------------------------------------------------
def test_a_listed_unit_shows_its_supervising_unit_and_the_months_without_supervision(
    world: World,
) -> None:
    world.record("UnitRegistered", {"unit_id": "c1", "name": "County", "kind": "county"})
    world.record("UnitListed", {"unit_id": "v1", "level": "district", "supervising_unit_id": "t1",
                                "due_date": "2020-12-31"}, "2020-01-01", INSPECTOR)
    _inspect(world, "s1", "v1", "supervision", "2020-01-15")   # period 1: 01-01 .. 01-31
    _inspect(world, "s2", "v1", "cross_check", "2020-02-10")   # period 2 (02-01 .. 03-02): no
    _inspect(world, "s3", "v1", "visit", "2020-02-20")         # neither is supervision
    _inspect(world, "s4", "v1", "interactive", "2020-03-20")   # period 3: 03-03 .. 04-02
    world.project()

    board = world.views.unit("v1", Cut(valid_at=date(2020, 4, 10)))
    assert (board["supervising_unit_id"], board["due_date"]) == ("t1", "2020-12-31")
    assert board["listing"]["supervising_unit_id"] == "t1"
    assert [s["inspection_id"] for s in board["supervision_inspections"]] == ["s1", "s4"]
    assert board["supervision_period_days"] == {
        "value": 31, "event_id": None,
        "default": "seed 000: listed units are supervised at least monthly"}
    assert board["supervision_gaps"] == [{"from": "2020-02-01", "to": "2020-03-02", "days": 31}]

    # As the world was on 15 February, period 2 had not ended: no gap yet, and s4 unknown.
    earlier = world.views.unit("v1", Cut(valid_at=date(2020, 2, 15)))
    assert earlier["supervision_gaps"] == []
    assert [s["inspection_id"] for s in earlier["supervision_inspections"]] == ["s1"]

    # Live (today, years later), every later period is a gap too; a shorter period in force
    # splits the listing into more periods.
    live = world.views.unit("v1")
    assert live["supervision_gaps"][0] == {"from": "2020-02-01", "to": "2020-03-02", "days": 31}
    assert {"from": "2020-04-03", "to": "2020-05-03", "days": 31} in live["supervision_gaps"]
    world.record("RuleParameterSet", {"parameter": "supervision_period_days", "value": 14},
                 "2020-01-01")
    world.project()
    fortnights = world.views.unit("v1", Cut(valid_at=date(2020, 2, 12)))
    assert fortnights["supervision_gaps"] == [
        {"from": "2020-01-01", "to": "2020-01-14", "days": 14},
        {"from": "2020-01-29", "to": "2020-02-11", "days": 14}]


def test_delisting_a_unit_ends_its_gaps_and_a_unit_cannot_supervise_itself(world: World) -> None:
    error = _refused(world, LedgerError, "UnitListed",
                     {"unit_id": "v1", "level": "city", "supervising_unit_id": "v1"},
                     "2020-01-01")
    assert (error.code, error.details) == ("invalid", {"field": "supervising_unit_id"})
    error = _refused(world, NotFound, "UnitListed",
                     {"unit_id": "v1", "level": "city", "supervising_unit_id": "nobody"},
                     "2020-01-01")
    assert error.details["field"] == "supervising_unit_id"

    world.record("UnitListed", {"unit_id": "v2", "level": "city"}, "2020-01-01", INSPECTOR)
    world.record("UnitDelisted", {"unit_id": "v2"}, "2020-02-15", INSPECTOR)
    world.project()
    board = world.views.unit("v2")
    assert (board["listed"], board["supervising_unit_id"], board["due_date"]) == (
        False, None, None)
    # Period 1 ended while listed, unsupervised; period 2 was cut short by the delisting.
    assert board["supervision_gaps"] == [{"from": "2020-01-01", "to": "2020-01-31", "days": 31}]


# Delisting over the subtree ----------------------------------------------------------------
def test_a_township_is_not_delisted_while_a_household_of_a_village_below_has_a_finding_open(
    world: World,
) -> None:
    world.record("UnitListed", {"unit_id": "t1", "level": "city"}, "2020-01-10", INSPECTOR)
    world.finding("f-h2", subject_id="h2", unit_id="v2", on="2020-02-01")
    for i in range(3):  # findings on the village itself, closed again
        world.record("FindingRaised", {
            "finding_id": f"f-v{i}", "subject_type": "unit", "subject_id": "v1",
            "category": "visits", "description": "visits not done", "responsible_unit_id": "v1",
            "due_date": "2020-03-31"}, "2020-02-02", INSPECTOR)
        world.record("FindingWithdrawn", {"finding_id": f"f-v{i}", "reason": "twice"},
                     "2020-02-03", INSPECTOR)

    error = _refused(world, Conflict, "UnitDelisted", {"unit_id": "t1"}, "2020-03-01")
    assert error.code == "conflict"
    assert error.details == {"unit_id": "t1", "on": "2020-03-01", "open_findings": 1,
                             "open_finding_ids": ["f-h2"]}
    world.project()
    board = world.views.unit("t1")
    assert (board["open_findings_in_subtree"], board["delisting_allowed"]) == (1, False)

    world.record("RectificationReported", {"finding_id": "f-h2", "description": "mended"},
                 "2020-03-02")
    _refused(world, Conflict, "UnitDelisted", {"unit_id": "t1"}, "2020-03-03")  # still open
    [verified] = [world.record("RectificationVerified", {"finding_id": "f-h2", "accepted": True,
                                                         "note": "seen"}, "2020-03-04")]
    assert {(c.type, c.data["unit_id"]) for c in verified.consequences} == {
        ("OpenFindingSettled", "v2"), ("OpenFindingSettled", "t1")}
    world.project()
    board = world.views.unit("t1")
    assert (board["open_findings_in_subtree"], board["delisting_allowed"]) == (0, True)
    before = world.views.unit("t1", Cut(valid_at=date(2020, 3, 3)))
    assert (before["open_findings_in_subtree"], before["delisting_allowed"]) == (1, False)
    assert world.record("UnitDelisted", {"unit_id": "t1"}, "2020-03-05").type == "UnitDelisted"


def test_a_finding_whose_responsible_unit_is_below_keeps_the_unit_listed(world: World) -> None:
    """Subject outside the subtree (another village's household), responsible unit inside."""
    world.record("UnitListed", {"unit_id": "v1", "level": "city"}, "2020-01-10", INSPECTOR)
    world.finding("f1", subject_id="h2", unit_id="v1")
    error = _refused(world, Conflict, "UnitDelisted", {"unit_id": "v1"}, "2020-03-01")
    assert error.details["open_finding_ids"] == ["f1"]


# Transfers ---------------------------------------------------------------------------------
def test_a_transfer_before_the_due_date_leaves_nothing_overdue_with_the_first_unit(
    world: World,
) -> None:
    world.finding("f1", subject_id="h1", unit_id="v1", person_id="p1", due="2020-03-31",
                  on="2020-03-01")
    moved = world.record("FindingTransferred", {"finding_id": "f1", "to_unit_id": "t1",
                                                "to_person_id": "p-town",
                                                "reason": "needs the township's budget"},
                         "2020-03-10", INSPECTOR)
    # The township already counted it (above the village); the village still does (its
    # household is the subject): no unit starts or stops counting it.
    assert moved.consequences == []
    world.project()

    trail = world.views.finding("f1")
    assert (trail["responsible_unit_id"], trail["responsible_person_id"]) == ("t1", "p-town")
    assert trail["responsibility_history"] == [
        {"unit_id": "v1", "person_id": "p1", "from": "2020-03-01",
         "event_id": trail["raised_event"]},
        {"unit_id": "t1", "person_id": "p-town", "from": "2020-03-10",
         "event_id": moved.event_id}]
    assert [s["type"] for s in trail["trail"]] == ["FindingRaised", "FindingTransferred"]
    assert trail["transfers"][0]["overdue"] is False

    village, town = world.views.unit("v1"), world.views.unit("t1")
    assert village["findings"]["transferred_out"] == ["f1"]
    assert village["findings"]["overdue_before_transfer"] == []
    assert village["findings"]["open"] == [] and village["findings"]["overdue"] == []
    assert town["findings"]["overdue"] == ["f1"]  # overdue today, with the township
    town_ledger = world.views.findings(FindingFilter(unit_id="t1"))["findings"]
    assert [f["finding_id"] for f in town_ledger] == ["f1"]
    # The village's cadres no longer report on it; the township's do.
    report = {"finding_id": "f1", "description": "budget approved"}
    error = _refused(world, Forbidden, "RectificationReported", report, "2020-03-12",
                     Actor("cadre-v1", "cadre", "v1"))
    assert error.details == {} and "t1" not in str(error)  # a refusal names no unit
    world.record("RectificationReported", report, "2020-03-12", Actor("cadre-t1", "cadre", "t1"))


def test_a_transfer_after_the_due_date_keeps_that_overdue_with_the_first_unit(
    world: World,
) -> None:
    world.finding("f1", subject_id="h1", unit_id="v1", person_id="p1", due="2020-03-31",
                  on="2020-03-01")
    moved = world.record("FindingTransferred", {"finding_id": "f1", "to_unit_id": "v2",
                                                "reason": "the pipe runs from v2"},
                         "2020-04-15", INSPECTOR)
    assert [(c.type, c.data["unit_id"]) for c in moved.consequences] == [
        ("FindingAttached", "v2")]
    world.project()
    trail = world.views.finding("f1")
    assert trail["responsible_person_id"] is None  # none named by the transfer
    assert trail["transfers"] == [{"from_unit_id": "v1", "to_unit_id": "v2", "on": "2020-04-15",
                                   "overdue": True, "reason": "the pipe runs from v2",
                                   "event_id": moved.event_id}]
    assert world.views.unit("v1")["findings"]["overdue_before_transfer"] == ["f1"]
    assert world.views.unit("v2")["findings"]["overdue_before_transfer"] == []
    # Replayed to before the transfer, the first unit still had it, overdue.
    before = world.views.unit("v1", Cut(valid_at=date(2020, 4, 10)))
    assert before["findings"]["overdue"] == ["f1"]
    assert before["findings"]["transferred_out"] == []
    v2_ledger = world.views.findings(FindingFilter(unit_id="v2"))
    assert [f["finding_id"] for f in v2_ledger["findings"]] == ["f1"]


def test_transfers_that_contradict_the_ledger_are_refused(world: World) -> None:
    world.finding("f1", unit_id="v1")
    transfer = {"finding_id": "f1", "to_unit_id": "v1", "reason": "again"}
    error = _refused(world, InvalidTransition, "FindingTransferred", transfer, "2020-03-05")
    assert error.details["field"] == "to_unit_id"
    error = _refused(world, NotFound, "FindingTransferred", {**transfer, "to_unit_id": "v9"},
                     "2020-03-05")
    assert error.details["field"] == "to_unit_id"
    error = _refused(world, NotFound, "FindingTransferred",
                     {**transfer, "to_unit_id": "v2", "to_person_id": "nobody"}, "2020-03-05")
    assert error.details["field"] == "to_person_id"
    world.record("FindingWithdrawn", {"finding_id": "f1", "reason": "twice"}, "2020-03-06")
    error = _refused(world, InvalidTransition, "FindingTransferred",
                     {**transfer, "to_unit_id": "v2"}, "2020-03-07")
    assert error.details["status"] == "withdrawn"


# Quarterly lights --------------------------------------------------------------------------
def _rate(world: World, unit_id: str, period: str, light: str, score: float | None = None,
          on: str = "2020-04-05"):
    data = {"unit_id": unit_id, "period": period, "light": light}
    if score is not None:
        data["score"] = score
    return world.record("QuarterlyRatingRecorded", data, on, INSPECTOR)


def test_a_yellow_light_and_then_a_yellow_card_make_no_interview(world: World) -> None:
    light = _rate(world, "v1", "2020-Q1", "yellow", 62)
    card = world.record("WarningIssued", {"warning_id": "w2", "unit_id": "v1", "color": "yellow",
                                          "period": "2020-Q2", "reason": "visits not done"},
                        "2020-06-30", INSPECTOR)
    assert light.consequences == []
    assert [c.type for c in card.consequences] == ["YellowCardNoted"]
    world.project()
    board = world.views.unit("v1")
    assert board["interviews"] == []
    assert board["lights_by_quarter"] == {"2020-Q1": [{
        "light": "yellow", "score": 62, "note": None, "on": "2020-04-05",
        "event_id": light.event_id, "withdrawn_event": None, "withdrawn": False}]}
    assert list(board["warnings_by_period"]) == ["2020-Q2"]


def test_one_light_per_unit_and_quarter_until_a_dispute_overturns_it(world: World) -> None:
    first = _rate(world, "v1", "2020-Q1", "red", 40)
    error = _refused(world, AlreadyExists, "QuarterlyRatingRecorded",
                     {"unit_id": "v1", "period": "2020-Q1", "light": "green"}, "2020-04-06")
    assert (error.code, error.details["period"]) == ("already_exists", "2020-Q1")

    world.record("DisputeOpened", {"dispute_id": "d1", "contested_event_id": first.event_id,
                                   "grounds": "scored on last year's data"}, "2020-04-08")
    resolved = world.record("DisputeResolved", {"dispute_id": "d1", "outcome": "overturned",
                                                "note": "recount"}, "2020-04-20", DISCIPLINE)
    [withdrawn] = resolved.consequences
    assert (withdrawn.type, withdrawn.actor) == ("QuarterlyRatingWithdrawn", "system")
    assert withdrawn.data == {"unit_id": "v1", "period": "2020-Q1",
                              "rating_version": int(first.event_id.rsplit(":", 1)[1]),
                              "reason": "overturned by dispute d1", "decided_by": first.actor}
    again = _rate(world, "v1", "2020-Q1", "yellow", 71, on="2020-04-21")
    world.project()
    lights = world.views.unit("v1")["lights_by_quarter"]["2020-Q1"]
    assert [(r["light"], r["withdrawn_event"]) for r in lights] == [
        ("red", withdrawn.event_id), ("yellow", None)]
    ranked = world.views.ratings("2020-Q1")
    assert [(u["unit_id"], u["light"], u["event_id"]) for u in ranked["units"]] == [
        ("v1", "yellow", again.event_id)]


def test_the_quarterly_light_table_ranks_by_score_and_counts_each_light(world: World) -> None:
    _rate(world, "v1", "2020-Q1", "green", 91.5)
    _rate(world, "v2", "2020-Q1", "yellow", 75)
    _rate(world, "t1", "2020-Q1", "red")  # no score: last, unranked
    _rate(world, "v1", "2020-Q2", "red", 30)
    world.project()
    table = world.views.ratings("2020-Q1")
    assert [(u["unit_id"], u["kind"], u["light"], u["score"], u["rank"])
            for u in table["units"]] == [("v1", "village", "green", 91.5, 1),
                                         ("v2", "village", "yellow", 75, 2),
                                         ("t1", "township", "red", None, None)]
    assert table["counts"] == {"green": 1, "yellow": 1, "red": 1}
    villages = world.views.ratings("2020-Q1", kind="township")
    assert [u["unit_id"] for u in villages["units"]] == ["t1"]
    assert villages["counts"] == {"green": 0, "yellow": 0, "red": 1}
    assert world.views.ratings("2020-Q3")["units"] == []
    # Replayed to a moment before Q2's lights: the quarter had none.
    early = world.views.ratings("2020-Q2", cut=Cut(valid_at=date(2020, 4, 1)))
    assert early["units"] == []


# Source and sector -------------------------------------------------------------------------
def test_findings_carry_source_and_sector_and_are_filtered_by_them(world: World) -> None:
    for finding_id, source, sector in (("f1", "patrol_review", "water"),
                                       ("f2", "patrol_review", "housing"),
                                       ("f3", "assessment", "water")):
        world.record("FindingRaised", {
            "finding_id": finding_id, "subject_type": "household", "subject_id": "h1",
            "category": "guarantees", "description": "found on review",
            "responsible_unit_id": "v1", "due_date": "2020-06-30", "source": source,
            "sector": sector}, "2020-03-01", INSPECTOR)
    world.finding("f4")  # neither given
    world.project()
    ids = [f["finding_id"] for f in world.views.findings(FindingFilter(source="patrol_review"))[
        "findings"]]
    assert ids == ["f1", "f2"]
    water = world.views.findings(FindingFilter(sector="water"))["findings"]
    assert [(f["finding_id"], f["source"]) for f in water] == [("f1", "patrol_review"),
                                                               ("f3", "assessment")]
    both = world.views.findings(FindingFilter(source="patrol_review", sector="water"))["findings"]
    assert [f["finding_id"] for f in both] == ["f1"]
    replayed = world.views.findings(FindingFilter(unit_id="v1", sector="water"),
                                    Cut(valid_at=date(2020, 3, 2)))["findings"]
    assert [f["finding_id"] for f in replayed] == ["f1", "f3"]
    assert world.views.finding("f4")["source"] is None
