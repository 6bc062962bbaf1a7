"""Fixtures for the read side: a ledger with its views, on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from ledger.application import Command, Ledger, LoggedEvent
from ledger.identity import Actor
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from projections.views import Views
from service.root import Root

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("inspector-li", "inspector")
DISCIPLINE = Actor("jiwei-zhao", "discipline")


def at(text: str) -> datetime:
    """A business moment on China Standard Time: at("2020-03-12") or at("2020-03-12T09:30")."""
    if "T" not in text:
        text += "T10:00"
    return datetime.fromisoformat(text + "+08:00")


@dataclass
class World:
    """A ledger, its views and a runner, with shorthand for recording events."""

    ledger: Ledger
    store: ProjectionStore
    runner: ProjectionRunner
    views: Views

    def record(self, type_: str, data: dict[str, Any], on: str | None = None,
               actor: Actor = ADMIN) -> LoggedEvent:
        occurred = at(on) if on else None
        return self.ledger.record(actor, [Command(type_, data, occurred)])[0]

    def project(self) -> int:
        return self.runner.catch_up()

    def village(self, unit_id: str = "v1", parent_id: str | None = None) -> None:
        data = {"unit_id": unit_id, "name": unit_id.upper(), "kind": "village"}
        if parent_id:
            data["parent_id"] = parent_id
        self.record("UnitRegistered", data, "2020-01-01")

    def person(self, person_id: str, unit_id: str = "v1") -> None:
        self.record("PersonRegistered",
                    {"person_id": person_id, "name": person_id, "unit_id": unit_id},
                    "2020-01-01")

    def household(self, household_id: str = "h1", size: int = 4,
                  category: str = "registered_poor", village_id: str = "v1") -> None:
        self.record("HouseholdRegistered",
                    {"household_id": household_id, "village_id": village_id,
                     "head_name": "Li", "size": size, "category": category}, "2020-01-02")

    def assign(self, person_id: str, subject_id: str, role: str = "helper_cadre",
               subject_type: str = "household", on: str = "2020-01-05") -> LoggedEvent:
        return self.record("ResponsibilityAssigned",
                           {"person_id": person_id, "role": role, "subject_type": subject_type,
                            "subject_id": subject_id, "effective_from": on}, on)

    def visit(self, inspection_id: str, household_id: str, on: str, by: str = "p1",
              **extra: Any) -> LoggedEvent:
        return self.record("InspectionRecorded",
                           {"inspection_id": inspection_id, "subject_type": "household",
                            "subject_id": household_id, "method": "visit",
                            "inspector_ids": [by], **extra}, on, INSPECTOR)

    def finding(self, finding_id: str, subject_id: str = "h1", unit_id: str = "v1",
                due: str = "2020-03-31", on: str = "2020-03-01", person_id: str | None = None,
                category: str = "housing") -> LoggedEvent:
        data = {"finding_id": finding_id, "subject_type": "household", "subject_id": subject_id,
                "category": category, "description": "roof leaks",
                "responsible_unit_id": unit_id, "due_date": due}
        if person_id:
            data["responsible_person_id"] = person_id
        return self.record("FindingRaised", data, on, INSPECTOR)


def dump_views(store: ProjectionStore) -> tuple:
    """The live views row for row, with their position."""
    return (
        store.position(),
        store.query("SELECT kind, key, state FROM proj_state ORDER BY kind, key"),
        store.query("SELECT * FROM proj_findings ORDER BY finding_id"),
        store.query("SELECT * FROM proj_subject_events ORDER BY subject, position"),
    )


def make_world(root: Root) -> World:
    return World(root.ledger, root.store, root.runner(page=50), root.views)


@pytest.fixture
def world(root: Root) -> World:
    return make_world(root)
