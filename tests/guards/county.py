"""A small county served over HTTP, for the role × unit × endpoint matrix.

Township t1 over villages v1 and v2; each village has a person, a household with a helper cadre,
an inspection, a finding, a red card, scores and a dispute. Admin, inspector and discipline hold
tokens of no unit; cadre and viewer hold tokens of v1. A test's "own" unit is v1, "other" v2.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ledger.application import Command, Ledger, LoggedEvent
from ledger.identity import Actor
from service.root import Root

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("inspector-li", "inspector")
ROLES = ("admin", "inspector", "discipline", "cadre", "viewer")
SCOPED_ROLES = ("cadre", "viewer")  # CONTRACT.md: they read and write within their unit
OWN, OTHER = "v1", "v2"
UNITS = {"own": OWN, "other": OTHER}
EVENTS = "/api/v1/events"


def on(day: str) -> datetime:
    """A business moment on China Standard Time."""
    return datetime.fromisoformat(f"{day}T10:00+08:00")


@dataclass(frozen=True)
class Village:
    """What each village holds; every name is the village's number after a letter."""

    unit: str
    person: str
    household: str
    finding: str
    dispute: str
    head_name: str  # personal data that must never reach a reader outside the unit


@dataclass
class County:
    app: Flask
    root: Root
    client: FlaskClient = field(init=False)
    tokens: dict[str, str] = field(default_factory=dict)
    villages: dict[str, Village] = field(default_factory=dict)
    proofs: dict[str, str] = field(default_factory=dict)  # unit -> an event id about it

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    @property
    def ledger(self) -> Ledger:
        return self.root.ledger

    def record(self, type_: str, data: dict[str, Any], day: str | None = None,
               actor: Actor = ADMIN) -> LoggedEvent:
        """Record directly through the ledger (set-up, not under test)."""
        return self.ledger.record(actor, [Command(type_, data, on(day) if day else None)])[0]

    def head(self) -> tuple[int, str] | None:
        return self.ledger.head()

    def get(self, role: str, path: str) -> TestResponse:
        return self.client.get(path, headers={"Authorization": f"Bearer {self.tokens[role]}"})

    def post(self, role: str, body: Any, path: str = EVENTS) -> TestResponse:
        return self.client.post(path, data=json.dumps(body), headers={
            "Authorization": f"Bearer {self.tokens[role]}",
            "Content-Type": "application/json"})

    def project(self) -> None:
        self.root.runner().catch_up()


def _village(county: County, number: int) -> Village:
    unit = f"v{number}"
    village = Village(unit, f"p{number}", f"h{number}", f"f{number}", f"d{number}",
                      head_name=f"Head-of-{unit}")
    county.record("UnitRegistered", {"unit_id": unit, "name": f"Village {number}",
                                     "kind": "village", "parent_id": "t1"}, "2020-01-01")
    county.record("PersonRegistered", {"person_id": village.person, "name": f"Cadre {number}",
                                       "unit_id": unit}, "2020-01-01")
    county.record("HouseholdRegistered", {"household_id": village.household, "village_id": unit,
                                          "head_name": village.head_name, "size": 4,
                                          "category": "registered_poor"}, "2020-01-02")
    county.record("ResponsibilityAssigned", {"person_id": village.person, "role": "helper_cadre",
                                             "subject_type": "household",
                                             "subject_id": village.household,
                                             "effective_from": "2020-01-05"}, "2020-01-05")
    county.record("InspectionRecorded", {"inspection_id": f"i{number}",
                                         "subject_type": "household",
                                         "subject_id": village.household, "method": "visit",
                                         "inspector_ids": [village.person]},
                  "2020-02-10", INSPECTOR)
    raised = county.record("FindingRaised", {
        "finding_id": village.finding, "subject_type": "household",
        "subject_id": village.household, "category": "housing",
        "description": f"the roof of {village.head_name} leaks",
        "responsible_unit_id": unit, "due_date": "2020-03-31",
        "responsible_person_id": village.person}, "2020-03-01", INSPECTOR)
    county.record("WarningIssued", {"warning_id": f"w{number}", "unit_id": unit, "color": "red",
                                    "period": "2020-Q1", "reason": "visits not done"},
                  "2020-03-20", INSPECTOR)
    county.record("ScoreRecorded", {"round_id": "r1", "village_id": unit, "section": "village",
                                    "points": 20 + number}, "2020-03-25", INSPECTOR)
    county.record("DisputeOpened", {"dispute_id": village.dispute,
                                    "contested_event_id": raised.event_id,
                                    "grounds": "the roof was mended"}, "2020-03-26")
    county.proofs[unit] = raised.event_id
    return village


def build_county(app: Flask, root: Root) -> County:
    """Record the county, make one token per role and bring the views up to date."""
    county = County(app, root)
    county.record("UnitRegistered", {"unit_id": "t1", "name": "Town", "kind": "township"},
                  "2020-01-01")
    for number in (1, 2):
        village = _village(county, number)
        county.villages[village.unit] = village
    for role in ROLES:
        unit = OWN if role in SCOPED_ROLES else None
        county.tokens[role] = county.ledger.create_token(f"{role}-1", role, unit)
    county.project()
    return county
