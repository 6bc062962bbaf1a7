"""A valid `data` for every client event type, aimed at one village of the county.

Each maker records, directly through the ledger, whatever the event needs to be accepted (a
fresh finding to report on, a fresh unit to list), so that a refusal can only come from who
sends it, never from the state of the ledger. `n` keeps identifiers fresh between calls.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from tests.guards.county import INSPECTOR, County

Data = dict[str, Any]


def _finding(county: County, unit: str, n: int) -> str:
    finding_id = f"fw{n}"
    county.record("FindingRaised", {
        "finding_id": finding_id, "subject_type": "household",
        "subject_id": county.villages[unit].household, "category": "water",
        "description": "the pipe is broken", "responsible_unit_id": unit,
        "due_date": "2020-09-30"}, "2020-06-01", INSPECTOR)
    return finding_id


def _reported(county: County, unit: str, n: int) -> str:
    finding_id = _finding(county, unit, n)
    county.record("RectificationReported", {"finding_id": finding_id, "description": "mended"})
    return finding_id


def _group(county: County, unit: str, n: int, listed: bool = False) -> str:
    group = f"g{n}"
    county.record("UnitRegistered", {"unit_id": group, "name": "Group", "kind": "group",
                                     "parent_id": unit})
    if listed:
        county.record("UnitListed", {"unit_id": group, "level": "district"})
    return group


def _assignment(county: County, unit: str, n: int, ended: bool = False) -> Data:
    person = f"pw{n}"
    county.record("PersonRegistered", {"person_id": person, "name": "Helper", "unit_id": unit})
    held = {"person_id": person, "role": "helper_cadre", "subject_type": "household",
            "subject_id": county.villages[unit].household}
    if not ended:
        return {**held, "effective_from": "2020-02-01"}
    county.record("ResponsibilityAssigned", {**held, "effective_from": "2020-02-01"})
    return {**held, "effective_to": "2020-05-01"}


def _household(county: County, unit: str, n: int) -> str:
    """A household of its own, so an erasure leaves the village's household readable."""
    household_id = f"he{n}"
    county.record("HouseholdRegistered", {"household_id": household_id, "village_id": unit,
                                          "head_name": "Wang", "size": 2, "category": "other"})
    return household_id


def _warning(county: County, unit: str, n: int) -> str:
    county.record("WarningIssued", {"warning_id": f"ww{n}", "unit_id": unit, "color": "red",
                                    "period": "2020-Q3", "reason": "late"}, actor=INSPECTOR)
    return f"ww{n}"


def _dispute(county: County, unit: str, n: int) -> str:
    county.record("DisputeOpened", {"dispute_id": f"dw{n}",
                                    "contested_event_id": county.proofs[unit],
                                    "grounds": "unfair"})
    return f"dw{n}"


def _plan(county: County, unit: str, n: int) -> Data:
    return {"household_id": county.villages[unit].household, "year": 2020,
            "causes": ["illness"],
            "measures": [{"measure_id": f"mw{n}", "kind": "health",
                          "description": "medical insurance paid", "due_date": "2099-09-30",
                          "person_id": county.villages[unit].person}]}


def _planned(county: County, unit: str, n: int) -> str:
    county.record("HelpPlanRecorded", _plan(county, unit, n), "2020-06-01")
    return f"mw{n}"


def _compared(county: County, unit: str, size: int) -> Data:
    return {"household_id": county.villages[unit].household, "source": "national_system",
            "as_of_date": "2020-06-30", "record": {"size": size}}


def _mismatch(county: County, unit: str, n: int) -> str:
    found = county.record("SystemRecordCompared", _compared(county, unit, 10 + n), "2020-07-01",
                          INSPECTOR)
    return found.consequences[0].event_id


ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}
# Steps are sent today (no occurred_at), so the steps before them are dated in the days
# before, for last year's exit: the year of a step's date or the year before.
EXIT_YEAR = date.today().year - 1


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


EXIT_STEPS: list[tuple[str, Data, str | None]] = [
    ("ExitAppraised", {"votes_for": 30, "votes_total": 35}, _days_ago(20)),
    ("ExitVerified", {"passed": True, "note": "income and guarantees checked"}, _days_ago(16)),
    ("ExitAcknowledged", {}, _days_ago(15)),
    ("ExitPublicized", {"from": _days_ago(14), "to": _days_ago(7)}, _days_ago(14)),
]


def _household_meeting_the_standard(county: County, unit: str, n: int,
                                    category: str = "registered_poor") -> str:
    household = f"hx{n}"
    county.record("HouseholdRegistered", {"household_id": household, "village_id": unit,
                                          "head_name": "Zhou", "size": 1,
                                          "category": category}, "2020-01-02")
    county.record("InspectionRecorded", {
        "inspection_id": f"ix{n}", "subject_type": "household", "subject_id": household,
        "method": "visit", "inspector_ids": [county.villages[unit].person], "checks": ALL_MET,
        "income": {"wage": 9000}}, "2020-06-01", INSPECTOR)
    return household


def _exit_before(county: County, unit: str, n: int, step: str) -> Data:
    """A fresh household whose exit procedure has reached the step before `step`."""
    household = _household_meeting_the_standard(county, unit, n)
    for type_, data, day in EXIT_STEPS:
        if type_ == step:
            break
        county.record(type_, {"household_id": household, "year": EXIT_YEAR, **data}, day)
    return {"household_id": household, "year": EXIT_YEAR}


def _objection_during_notice(county: County, unit: str, n: int, raised: bool) -> Data:
    """A household whose notice runs today, with an objection raised already or not."""
    held = _exit_before(county, unit, n, "ExitPublicized")
    today = date.today()
    county.record("ExitPublicized", {**held, "from": (today - timedelta(days=2)).isoformat(),
                                     "to": (today + timedelta(days=10)).isoformat()},
                  _days_ago(2))
    if raised:
        county.record("ExitObjectionRaised", {**held, "note": "income overstated"})
    return held


def _monitored(county: County, unit: str, n: int) -> str:
    household = _household_meeting_the_standard(county, unit, n, category="edge")
    county.record("MonitoringStarted", {"household_id": household, "monitoring_type": "edge",
                                        "risks": ["illness"], "note": "hospital bills"},
                  "2020-06-02")
    return household


def _poor_village(county: County, n: int) -> str:
    """A poor village of its own with no poor household left: it may exit."""
    village = f"pv{n}"
    county.record("UnitRegistered", {"unit_id": village, "name": "Poor village",
                                     "kind": "village", "parent_id": "t1",
                                     "poor_village": True}, "2020-01-01")
    county.record("VillagePopulationRecorded", {"village_id": village, "year": 2020,
                                                "population": 800}, "2020-01-02")
    return village


def _member(county: County, unit: str, n: int) -> Data:
    member = {"household_id": county.villages[unit].household, "member_id": f"mm{n}"}
    county.record("MemberRegistered", {**member, "name": "Member", "relation": "child",
                                       "birth_date": "2010-01-01"})
    return member


Maker = Callable[[County, str, int], Data]

MAKERS: dict[str, Maker] = {
    "UnitRegistered": lambda c, u, n: {"unit_id": f"gn{n}", "name": "Group", "kind": "group",
                                       "parent_id": u},
    "PersonRegistered": lambda c, u, n: {"person_id": f"pn{n}", "name": "Newcomer",
                                         "unit_id": u},
    "HouseholdRegistered": lambda c, u, n: {"household_id": f"hn{n}", "village_id": u,
                                            "head_name": "Newcomer", "size": 3,
                                            "category": "edge"},
    "HouseholdFactsRecorded": lambda c, u, n: {"household_id": c.villages[u].household,
                                               "seriously_ill_members": 1},
    "ResponsibilityAssigned": lambda c, u, n: _assignment(c, u, n),
    "ResponsibilityEnded": lambda c, u, n: _assignment(c, u, n, ended=True),
    "UnitListed": lambda c, u, n: {"unit_id": _group(c, u, n), "level": "district"},
    "UnitDelisted": lambda c, u, n: {"unit_id": _group(c, u, n, listed=True)},
    "InspectionRecorded": lambda c, u, n: {"inspection_id": f"in{n}",
                                           "subject_type": "household",
                                           "subject_id": c.villages[u].household,
                                           "method": "phone",
                                           "inspector_ids": [c.villages[u].person]},
    "FindingRaised": lambda c, u, n: {"finding_id": f"fn{n}", "subject_type": "household",
                                      "subject_id": c.villages[u].household,
                                      "category": "water", "description": "no tap water",
                                      "responsible_unit_id": u, "due_date": "2099-09-30"},
    "RectificationReported": lambda c, u, n: {"finding_id": _finding(c, u, n),
                                              "description": "mended"},
    "RectificationVerified": lambda c, u, n: {"finding_id": _reported(c, u, n),
                                              "accepted": True, "note": "seen"},
    "DeadlineExtended": lambda c, u, n: {"finding_id": _finding(c, u, n),
                                         "new_due_date": "2099-12-31", "reason": "flood"},
    "FindingWithdrawn": lambda c, u, n: {"finding_id": _finding(c, u, n),
                                         "reason": "raised twice"},
    "FindingTransferred": lambda c, u, n: {"finding_id": _finding(c, u, n), "to_unit_id": "t1",
                                           "reason": "the village cannot mend the main"},
    "QuarterlyRatingRecorded": lambda c, u, n: {"unit_id": _group(c, u, n), "period": "2020-Q1",
                                                "light": "yellow", "score": 70.5},
    "WarningIssued": lambda c, u, n: {"warning_id": f"wn{n}", "unit_id": u, "color": "red",
                                      "period": "2020-Q3", "reason": "late"},
    "WarningRevoked": lambda c, u, n: {"warning_id": _warning(c, u, n),
                                       "reason": "typed in error"},
    "InterviewHeld": lambda c, u, n: {"unit_id": u, "person_id": c.villages[u].person,
                                      "note": "talked it through"},
    "AccountabilityMeasureTaken": lambda c, u, n: {"person_id": c.villages[u].person,
                                                   "measure": "reminder_talk",
                                                   "basis": [c.proofs[u]], "note": "late"},
    "ScoreRecorded": lambda c, u, n: {"round_id": f"rn{n}", "village_id": u,
                                      "section": "village", "points": 20},
    "DisputeOpened": lambda c, u, n: {"dispute_id": f"dn{n}",
                                      "contested_event_id": c.proofs[u], "grounds": "unfair"},
    "DisputeResolved": lambda c, u, n: {"dispute_id": _dispute(c, u, n), "outcome": "upheld",
                                        "note": "the finding stands"},
    "HelpPlanRecorded": _plan,
    "MeasureCompleted": lambda c, u, n: {"household_id": c.villages[u].household,
                                         "measure_id": _planned(c, u, n), "note": "paid"},
    "SystemRecordCompared": lambda c, u, n: _compared(c, u, 4),
    "MismatchResolved": lambda c, u, n: {"household_id": c.villages[u].household,
                                         "mismatch_event_id": _mismatch(c, u, n),
                                         "resolution": "system_corrected",
                                         "note": "the system had a typo"},
    "ExitAppraised": lambda c, u, n: {**_exit_before(c, u, n, "ExitAppraised"),
                                      **EXIT_STEPS[0][1]},
    "ExitVerified": lambda c, u, n: {**_exit_before(c, u, n, "ExitVerified"),
                                     **EXIT_STEPS[1][1]},
    "ExitAcknowledged": lambda c, u, n: _exit_before(c, u, n, "ExitAcknowledged"),
    "ExitPublicized": lambda c, u, n: {**_exit_before(c, u, n, "ExitPublicized"),
                                       **EXIT_STEPS[3][1]},
    "ExitObjectionRaised": lambda c, u, n: {**_objection_during_notice(c, u, n, False),
                                            "note": "income overstated"},
    "ExitObjectionSettled": lambda c, u, n: {**_objection_during_notice(c, u, n, True),
                                             "upheld": False, "note": "income checked again"},
    "HouseholdExited": lambda c, u, n: _exit_before(c, u, n, "HouseholdExited"),
    "MonitoringStarted": lambda c, u, n: {
        "household_id": _household_meeting_the_standard(c, u, n, category="edge"),
        "monitoring_type": "sudden_hardship", "risks": ["accident"], "note": "injured"},
    "RiskEliminated": lambda c, u, n: {"household_id": _monitored(c, u, n),
                                       "note": "recovered and back at work"},
    "PersonalDataErased": lambda c, u, n: {"subject_type": "household",
                                           "subject_id": _household(c, u, n),
                                           "basis": "the household asked"},
    "MemberRegistered": lambda c, u, n: {"household_id": c.villages[u].household,
                                         "member_id": f"mn{n}", "name": "Member",
                                         "relation": "child", "birth_date": "2010-01-01"},
    "MemberFactsRecorded": lambda c, u, n: {**_member(c, u, n), "schooling": "compulsory"},
    "MemberLeft": lambda c, u, n: {**_member(c, u, n), "reason": "moved_out"},
    "HouseholdReclassified": lambda c, u, n: {"household_id": _household(c, u, n), "to": "edge",
                                              "reason": "edge_identified", "basis": [],
                                              "note": "income fell near the line"},
    # The default value: recording it changes no rule in force.
    "RuleParameterSet": lambda c, u, n: {"parameter": "visit_period_days", "value": 31},
    "VillagePopulationRecorded": lambda c, u, n: {"village_id": u, "year": 2020,
                                                  "population": 1200},
    "VillageExitRecorded": lambda c, u, n: {"village_id": _poor_village(c, n), "year": 2020},
}
