"""A small county served over HTTP, for the role × unit × endpoint matrix.

County c1 over townships t1 (villages v1 and v2) and t2 (village v3); each village has a person,
a household with a helper cadre, an inspection, a finding, a red card, scores, a dispute of the
finding and one of the inspection. Admin, inspector and discipline hold tokens of no unit;
cadre and viewer hold tokens of v1, `cadre-town` and `viewer-town` tokens of t1. A test's "own"
unit is v1, "other" v2 (in the same township), "far" v3 (in the other township).
"""
from __future__ import annotations

import hashlib
import json
import re
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
OWN, OTHER, FAR = "v1", "v2", "v3"
UNITS = {"own": OWN, "other": OTHER}
# Reads are judged on every village: the own, one beside it in its township, one in another.
READ_UNITS = {"own": OWN, "other": OTHER, "far": FAR}
# Every token a read is tried with, and the units each reads (None: every unit). CONTRACT.md:
# a scoped token reads its unit and every unit below it.
TOWN_READERS = {"cadre-town": "cadre", "viewer-town": "viewer"}
READERS = (*ROLES, *TOWN_READERS)
READ_SCOPE: dict[str, set[str] | None] = {
    "admin": None, "inspector": None, "discipline": None,
    "cadre": {OWN}, "viewer": {OWN}, "cadre-town": {OWN, OTHER}, "viewer-town": {OWN, OTHER}}
UNIT_IDS = ("c1", "t1", "t2", OWN, OTHER, FAR)
EVENTS = "/api/v1/events"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


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
    inspection_dispute: str  # contests the inspection, which names its household as subject
    head_name: str  # personal data that must never reach a reader outside the unit
    evidence: str = ""  # the SHA-256 of a scan about the household (an evidence file)


@dataclass
class County:
    app: Flask
    root: Root
    client: FlaskClient = field(init=False)
    tokens: dict[str, str] = field(default_factory=dict)
    villages: dict[str, Village] = field(default_factory=dict)
    proofs: dict[str, str] = field(default_factory=dict)  # unit -> an event id about it
    warnings: dict[str, str] = field(default_factory=dict)  # unit -> its red card's event id
    consoles: dict[str, FlaskClient] = field(default_factory=dict)  # reader -> signed in

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

    def page(self, reader: str, path: str) -> TestResponse:
        """A console page read by `reader`, signed in once with its token."""
        if reader not in self.consoles:
            self.consoles[reader] = self._signed_in(self.tokens[reader])
        return self.consoles[reader].get(path)

    def _signed_in(self, token: str) -> FlaskClient:
        client = self.app.test_client()
        found = CSRF.search(client.get("/login").get_data(as_text=True))
        assert found, "the sign-in page has no CSRF token"
        answer = client.post("/login", data={"token": token, "csrf_token": found.group(1)},
                             headers={"Referer": "http://localhost/login"})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
        return client

    def project(self) -> None:
        self.root.runner().catch_up()


def _village(county: County, number: int, township: str) -> Village:
    unit = f"v{number}"
    photo = f"%PDF-1.4 the roof of {unit}".encode()
    village = Village(unit, f"p{number}", f"h{number}", f"f{number}", f"d{number}",
                      f"di{number}", head_name=f"Head-of-{unit}",
                      evidence=hashlib.sha256(photo).hexdigest())
    county.record("UnitRegistered", {"unit_id": unit, "name": f"Village {number}",
                                     "kind": "village", "parent_id": township}, "2020-01-01")
    county.record("PersonRegistered", {"person_id": village.person, "name": f"Cadre {number}",
                                       "unit_id": unit}, "2020-01-01")
    county.record("HouseholdRegistered", {"household_id": village.household, "village_id": unit,
                                          "head_name": village.head_name, "size": 4,
                                          "category": "registered_poor"}, "2020-01-02")
    county.ledger.evidence_files.store(village.evidence, f"household:{village.household}", photo)
    county.record("ResponsibilityAssigned", {"person_id": village.person, "role": "helper_cadre",
                                             "subject_type": "household",
                                             "subject_id": village.household,
                                             "effective_from": "2020-01-05"}, "2020-01-05")
    inspected = county.record("InspectionRecorded", {"inspection_id": f"i{number}",
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
    warned = county.record("WarningIssued", {
        "warning_id": f"w{number}", "unit_id": unit, "color": "red", "period": "2020-Q1",
        "reason": "visits not done"}, "2020-03-20", INSPECTOR)
    county.record("ScoreRecorded", {"round_id": "r1", "village_id": unit, "section": "village",
                                    "points": 20 + number}, "2020-03-25", INSPECTOR)
    county.record("DisputeOpened", {"dispute_id": village.dispute,
                                    "contested_event_id": raised.event_id,
                                    "grounds": "the roof was mended"}, "2020-03-26")
    county.record("DisputeOpened", {"dispute_id": village.inspection_dispute,
                                    "contested_event_id": inspected.event_id,
                                    "grounds": f"{village.head_name} was not at home"},
                  "2020-03-26")
    county.proofs[unit] = raised.event_id
    county.warnings[unit] = warned.event_id
    return village


def build_county(app: Flask, root: Root) -> County:
    """Record the county, make one token per role and bring the views up to date."""
    county = County(app, root)
    county.record("UnitRegistered", {"unit_id": "c1", "name": "County", "kind": "county"},
                  "2020-01-01")
    for town in ("t1", "t2"):
        county.record("UnitRegistered", {"unit_id": town, "name": "Town", "kind": "township",
                                         "parent_id": "c1"}, "2020-01-01")
    for number, town in ((1, "t1"), (2, "t1"), (3, "t2")):
        village = _village(county, number, town)
        county.villages[village.unit] = village
    for role in ROLES:
        unit = OWN if role in SCOPED_ROLES else None
        county.tokens[role] = county.ledger.create_token(f"{role}-1", role, unit)
    for reader, role in TOWN_READERS.items():
        county.tokens[reader] = county.ledger.create_token(reader, role, "t1")
    county.project()
    return county
