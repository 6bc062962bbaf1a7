"""Unit boards, accountability trails and competition scoring, rule by rule."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledger.errors import Invalid
from projections.replay import Cut
from projections.views import FindingFilter
from tests.projections.conftest import DISCIPLINE, INSPECTOR, World


def _warn(world: World, warning_id: str, period: str, on: str, color: str = "yellow"):
    return world.record("WarningIssued", {"warning_id": warning_id, "unit_id": "v1",
                                          "color": color, "period": period, "reason": "slow"},
                        on, INSPECTOR)


def test_unit_board_interviews_due_and_held_and_delisting(world: World) -> None:
    world.village(), world.person("p1")
    world.assign("p1", "v1", role="village_secretary", subject_type="unit")
    world.record("UnitListed", {"unit_id": "v1", "level": "city"}, "2020-01-10", INSPECTOR)
    world.household("h1")
    world.finding("f1", due="2020-05-01")
    _warn(world, "w1", "2020-Q1", "2020-03-30")
    second = _warn(world, "w2", "2020-Q2", "2020-06-30")
    world.project()
    board = world.views.unit("v1", Cut(valid_at=date(2020, 7, 1)))
    assert board["listed"] and board["listing"]["level"] == "city"
    assert sorted(board["warnings_by_period"]) == ["2020-Q1", "2020-Q2"]
    assert board["current_period"] == "2020-Q3"
    due = board["interviews"]
    assert [(i["person_id"], i["status"]) for i in due] == [("p1", "due")]
    assert due[0]["event_id"] == second.consequences[-1].event_id
    assert board["delisting_allowed"] is False and board["findings"]["open"] == ["f1"]

    world.record("InterviewHeld", {"unit_id": "v1", "person_id": "p1", "note": "talked"},
                 "2020-07-05", DISCIPLINE)
    world.record("FindingWithdrawn", {"finding_id": "f1", "reason": "duplicate"}, "2020-07-06",
                 INSPECTOR)
    world.project()
    board = world.views.unit("v1")
    assert [i["status"] for i in board["interviews"]] == ["held"]
    assert board["delisting_allowed"] is True and board["findings"]["withdrawn"] == ["f1"]


def test_accountability_trail_lists_each_item_with_its_proving_events(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1")
    assigned = world.assign("p1", "h1", on="2020-01-01")
    headed = world.assign("p1", "v1", role="village_secretary", subject_type="unit",
                          on="2020-01-01")
    visit = world.visit("i1", "h1", "2020-01-20")
    raised = world.finding("f1", person_id="p1", due="2020-02-15", on="2020-02-01")
    report = world.record("RectificationReported", {"finding_id": "f1", "description": "done"},
                          "2020-02-10")
    rejected = world.record("RectificationVerified", {"finding_id": "f1", "accepted": False,
                                                      "note": "still leaking"}, "2020-02-12",
                            INSPECTOR)
    warning = _warn(world, "w1", "2020-Q1", "2020-03-01")
    measure = world.record("AccountabilityMeasureTaken", {
        "person_id": "p1", "measure": "admonishment",
        "basis": [rejected.event_id, warning.event_id], "note": "formalism"}, "2020-03-10",
        DISCIPLINE)
    world.project()

    trail = world.views.accountability("p1", Cut(valid_at=date(2020, 3, 31)))
    gap = trail["unvisited_households"]
    assert [(g["from"], g["until"]) for g in gap] == [("2020-01-20", "2020-03-31")]
    assert gap[0]["event_ids"] == [assigned.event_id, visit.event_id]
    # p1 is named on it, helper cadre of h1 and secretary of the responsible village: each
    # assignment is part of the evidence.
    overdue = trail["overdue_findings"][0]
    assert overdue["event_ids"] == [raised.event_id, assigned.event_id, headed.event_id]
    assert [r["as"] for r in overdue["reached_as"]] == [
        "responsible_person", "helper_cadre", "responsible_unit"]
    assert trail["rejected_rectifications"][0]["event_ids"] == [report.event_id,
                                                                 rejected.event_id]
    warned = trail["warnings_of_units_headed"][0]
    assert warned["event_ids"] == [warning.event_id, headed.event_id]
    assert trail["measures"][0]["event_id"] == measure.event_id


def test_the_visit_period_is_a_rule_parameter(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1")
    world.assign("p1", "h1", on="2020-01-01")
    world.visit("i1", "h1", "2020-02-15")
    world.project()
    on = Cut(valid_at=date(2020, 2, 20))
    assert len(world.views.accountability("p1", on)["unvisited_households"]) == 1
    world.record("RuleParameterSet", {"parameter": "visit_period_days", "value": 60},
                 "2020-01-01")
    world.project()
    assert world.views.accountability("p1", on)["unvisited_households"] == []
    with pytest.raises(Invalid):
        world.record("RuleParameterSet", {"parameter": "visit_period_days", "value": 400})


def test_scoring_ranks_villages_and_reports_ties_on_paid_places(world: World) -> None:
    totals = {"v1": 95, "v2": 90, "v3": 80, "v4": 70, "v5": 60, "v6": 50, "v7": 40}
    for village, total in totals.items():
        world.village(village)
        for section, points in (("household", min(50, total - 20)), ("group", 10),
                                ("village", 10)):
            world.record("ScoreRecorded", {"round_id": "r1", "village_id": village,
                                           "section": section, "points": points},
                         actor=INSPECTOR)
    world.record("ScoreRecorded", {"round_id": "r1", "village_id": "v7", "section": "group",
                                   "points": 20}, actor=INSPECTOR)  # a correction: latest counts
    world.project()
    board = world.views.scoring("r1")
    # v1-v4 all reach 70 (households capped at 50); v6 and v7 share the last place at 50.
    assert [v["total"] for v in board["villages"]][:4] == [70, 70, 70, 70]
    assert board["villages"][0]["rank"] == board["villages"][3]["rank"] == 1
    assert [(t["village_id"], t["place"], t["reward"], t["tied"]) for t in board["top"]] == [
        ("v1", 1, None, True), ("v2", 1, None, True), ("v3", 1, None, True),
        ("v4", 1, None, True)]
    assert [(b["village_id"], b["place"], b["deduction"]) for b in board["bottom"]] == [
        ("v6", 1, None), ("v7", 1, None), ("v5", 3, 2000)]
    assert board["ties"] == [
        {"cut": "reward", "place": 1, "total": 70, "village_ids": ["v1", "v2", "v3", "v4"],
         "amounts": [5000, 3000, 2000]},
        {"cut": "deduction", "place": 1, "total": 50, "village_ids": ["v6", "v7"],
         "amounts": [5000, 3000]}]


def test_scoring_without_ties_pays_each_place(world: World) -> None:
    for number, household in enumerate((50, 45, 40, 35, 30, 25, 20), start=1):
        world.village(f"v{number}")
        for section, points in (("household", household), ("group", 10), ("village", 10)):
            world.record("ScoreRecorded", {"round_id": "r1", "village_id": f"v{number}",
                                           "section": section, "points": points},
                         actor=INSPECTOR)
    world.project()
    board = world.views.scoring("r1")
    assert [(t["village_id"], t["reward"]) for t in board["top"]] == [
        ("v1", 5000), ("v2", 3000), ("v3", 2000)]
    assert [(b["village_id"], b["deduction"]) for b in board["bottom"]] == [
        ("v7", 5000), ("v6", 3000), ("v5", 2000)]
    assert board["ties"] == [] and board["incomplete"] == []


def test_a_village_missing_a_section_is_incomplete_and_not_paid(world: World) -> None:
    for village, sections in (("v1", ("household", "group", "village")),
                              ("v2", ("household", "village")),
                              ("v3", ("household", "group", "village"))):
        world.village(village)
        for section in sections:
            world.record("ScoreRecorded", {"round_id": "r1", "village_id": village,
                                           "section": section, "points": 20 if village != "v3"
                                           else 5}, actor=INSPECTOR)
    world.project()
    board = world.views.scoring("r1")
    assert board["incomplete"] == [{"village_id": "v2", "missing": ["group"]}]
    assert [v["complete"] for v in board["villages"]] == [True, False, True]
    assert [t["village_id"] for t in board["top"]] == ["v1", "v3"]
    assert board["bottom"] == []


def test_rounds_state_their_month_and_villages_add_up_over_the_year(world: World) -> None:
    world.village("v1"), world.village("v2")
    for round_id, month, points in (("r-mar", "2020-03", (20, 10)), ("r-apr", "2020-04", (15, 20)),
                                    ("r-jan21", "2021-01", (5, 5)), ("r-none", None, (1, 1))):
        for village, value in zip(("v1", "v2"), points, strict=True):
            data = {"round_id": round_id, "village_id": village, "section": "village",
                    "points": value}
            if month:
                data["month"] = month
            world.record("ScoreRecorded", data, actor=INSPECTOR)
    world.project()
    assert world.views.scoring("r-mar")["month"] == "2020-03"
    assert world.views.scoring("r-none")["month"] is None
    year = world.views.scoring_year(2020)
    assert [r["round_id"] for r in year["rounds"]] == ["r-mar", "r-apr"]
    assert year["rounds_without_month"] == ["r-none"]
    assert [(v["village_id"], v["total"], v["rank"]) for v in year["villages"]] == [
        ("v1", 35, 1), ("v2", 30, 2)]
    assert year["villages"][0]["incomplete_rounds"] == 2
    assert world.views.scoring_year(2020, Cut(as_of=datetime.now(UTC))) == year
    with pytest.raises(Invalid):
        world.record("ScoreRecorded", {"round_id": "r1", "village_id": "v1",
                                       "section": "village", "points": 60, "month": "2020-03"},
                     actor=INSPECTOR)


def test_replayed_findings_ledger_filters_like_the_live_one(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1")
    world.finding("f1", due="2020-03-01"), world.finding("f2", due="2099-01-01",
                                                         category="water")
    world.finding("f3", due="2020-03-01")
    world.record("FindingWithdrawn", {"finding_id": "f3", "reason": "dup"}, actor=INSPECTOR)
    world.project()
    for query in (FindingFilter(unit_id="v1"), FindingFilter(unit_id="v1", overdue=True),
                  FindingFilter(unit_id="v1", overdue=False),
                  FindingFilter(unit_id="v1", category="water"),
                  FindingFilter(unit_id="v1", status="withdrawn")):
        live = world.views.findings(query)
        replayed = world.views.findings(query, Cut(as_of=datetime.now(UTC)))
        assert live == replayed, query
    assert [f["finding_id"] for f in world.views.findings(
        FindingFilter(unit_id="v1", overdue=True))["findings"]] == ["f1"]
