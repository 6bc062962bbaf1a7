"""A valid `data` for every client event type, aimed at one village of the county.

Each maker records, directly through the ledger, whatever the event needs to be accepted (a
fresh finding to report on, a fresh unit to list), so that a refusal can only come from who
sends it, never from the state of the ledger. `n` keeps identifiers fresh between calls.
"""
from __future__ import annotations

from collections.abc import Callable
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
                                      "responsible_unit_id": u, "due_date": "2020-09-30"},
    "RectificationReported": lambda c, u, n: {"finding_id": _finding(c, u, n),
                                              "description": "mended"},
    "RectificationVerified": lambda c, u, n: {"finding_id": _reported(c, u, n),
                                              "accepted": True, "note": "seen"},
    "DeadlineExtended": lambda c, u, n: {"finding_id": _finding(c, u, n),
                                         "new_due_date": "2020-12-31", "reason": "flood"},
    "FindingWithdrawn": lambda c, u, n: {"finding_id": _finding(c, u, n),
                                         "reason": "raised twice"},
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
    "PersonalDataErased": lambda c, u, n: {"subject_type": "household",
                                           "subject_id": _household(c, u, n),
                                           "basis": "the household asked"},
    # The default value: recording it changes no rule in force.
    "RuleParameterSet": lambda c, u, n: {"parameter": "visit_period_days", "value": 31},
}
