"""Household status: criteria with their facts, guarantees, income against the standard, A/B/C."""
from __future__ import annotations

from tests.projections.conftest import INSPECTOR, World

ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}


def _criteria(status: dict) -> dict[str, dict]:
    return {c["name"]: c for c in status["criteria"]}


def test_key_household_criteria_follow_recorded_facts_and_name_their_events(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1", size=2)
    facts = world.record("HouseholdFactsRecorded", {
        "household_id": "h1", "income": {"wage": 1000, "transfer": 3000},
        "labour_coefficient": 0.6, "has_labour": True, "has_industry_or_employment": False,
        "children_in_non_compulsory_education": 2, "only_house_earthen": True,
        "single_over_45": False}, "2020-02-01", INSPECTOR)
    world.project()

    status = world.views.household("h1")
    criteria = _criteria(status)
    assert [c["number"] for c in status["criteria"]] == list(range(1, 11))
    assert criteria["transfer_income_over_40_percent"]["holds"] is True
    assert criteria["transfer_income_over_40_percent"]["facts"]["share"] == 0.75
    assert criteria["transfer_income_over_40_percent"]["event_ids"] == [facts.event_id]
    assert criteria["labour_coefficient_below_half"]["holds"] is False
    assert criteria["labour_without_industry_or_employment"]["holds"] is True
    assert criteria["three_children_in_non_compulsory_education"]["holds"] is False
    assert criteria["only_house_earthen"]["holds"] is True
    assert criteria["single_over_45"]["holds"] is False
    assert criteria["seriously_ill_member"]["holds"] is None  # never recorded
    assert status["key_household"] is True


def test_income_is_held_against_the_standard_and_classifies_a_b_c(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1", size=2)
    world.household("h2", size=2), world.household("h3", size=2)
    world.visit("i1", "h1", "2020-03-01", income={"wage": 8000}, checks=ALL_MET)
    world.visit("i2", "h2", "2020-03-01", income={"wage": 8000},
                checks={**ALL_MET, "housing": "unmet"})
    world.visit("i3", "h3", "2020-03-01", income={"wage": 7000, "property": 200},
                checks=ALL_MET)
    world.project()

    a, b, c = (world.views.household(h) for h in ("h1", "h2", "h3"))
    assert a["income"]["per_capita"] == 4000 and a["income"]["standard"]["value"] == 3700
    assert (a["exit_class"], a["pre_exit"]) == ("A", True)
    assert (b["exit_class"], b["pre_exit"]) == ("B", True)
    assert b["guarantees"]["housing"]["value"] == "unmet"
    assert c["income"]["per_capita"] == 3600
    assert (c["exit_class"], c["pre_exit"]) == ("C", False)
    assert c["income"]["below_edge_line"] is True


def test_an_open_finding_keeps_a_household_in_b_until_closed(world: World) -> None:
    world.village(), world.person("p1"), world.household("h1", size=1)
    world.visit("i1", "h1", "2020-03-01", income={"wage": 5000}, checks=ALL_MET)
    world.finding("f1", due="2020-03-20")
    world.project()
    status = world.views.household("h1")
    assert status["exit_class"] == "B"
    assert [f["finding_id"] for f in status["open_findings"]] == ["f1"]
    assert status["overdue_findings"] == ["f1"]  # judged today, long after 2020-03-20

    world.record("RectificationReported", {"finding_id": "f1", "description": "fixed"},
                 "2020-03-10")
    world.record("RectificationVerified", {"finding_id": "f1", "accepted": True, "note": "ok"},
                 "2020-03-12", INSPECTOR)
    world.project()
    status = world.views.household("h1")
    assert status["exit_class"] == "A" and status["open_findings"] == []


def test_last_visit_and_responsible_people_on_the_date(world: World) -> None:
    world.village(), world.person("p1"), world.person("p2"), world.household("h1")
    world.assign("p1", "h1", on="2020-01-05")
    world.record("ResponsibilityEnded", {"person_id": "p1", "role": "helper_cadre",
                                         "subject_type": "household", "subject_id": "h1",
                                         "effective_to": "2020-03-01"}, "2020-03-01")
    world.assign("p2", "h1", on="2020-03-01")
    world.visit("i2", "h1", "2020-03-05", by="p2")
    world.visit("i1", "h1", "2020-02-05", by="p1")  # typed in late: earlier visit, later position
    world.project()
    status = world.views.household("h1")
    assert status["last_visit"]["inspection_id"] == "i2"
    assert [r["person_id"] for r in status["responsible"]] == ["p2"]
