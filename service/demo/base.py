"""The county's shared state and small helpers."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime

from ledger.identity import Actor
from service.demo.plan import (
    ADMIN,
    GIVEN,
    SURNAMES,
    YEAR,
    Household,
    PlannedFinding,
    Village,
    moment,
)
from service.demo.writer import Writer


class CountyBase:
    """What every part of the county's plan shares: the writer, the random draw, the
    registry as planned so far and the findings still open."""

    def __init__(self, writer: Writer, households: int, months: int, seed: int) -> None:
        self.w = writer
        self.rng = random.Random(seed)
        self.people = random.Random(f"{seed}-members")  # a stream of its own (demo/members)
        self.n_households = households
        self.months = months
        self.villages: dict[str, Village] = {}
        self.townships: dict[str, list[str]] = {}  # township -> villages
        self.inspectors: dict[str, Actor] = {}  # township -> its inspector
        self.township_heads: dict[str, str] = {}
        self.households: list[Household] = []
        self.cadres: dict[str, list[str]] = {}  # village -> helper cadres
        self.negligent: set[str] = set()
        self.findings: dict[str, PlannedFinding] = {}
        self.active: list[PlannedFinding] = []
        self.late_visits: list[tuple[Household, datetime, int]] = []
        self.interviews_due: list[tuple[str, int]] = []  # (village, month it becomes due)
        self.ids: Counter = Counter()
        self.county_inspector = Actor("p-dc-0001", "inspector")
        self.flagged: set[str] = set()  # households that ever had a finding

    # Small helpers ----------------------------------------------------------------------
    def next_id(self, prefix: str, width: int = 6) -> str:
        self.ids[prefix] += 1
        return f"{prefix}{self.ids[prefix]:0{width}d}"

    def name(self) -> str:
        given = self.rng.choices(GIVEN, k=self.rng.randint(1, 2))
        return self.rng.choice(SURNAMES) + "".join(given)

    def day_in(self, month: int, first: int = 1, last: int = 28) -> date:
        return date(YEAR, month, self.rng.randint(first, last))

    def admin(self, type_: str, data: dict, on: date) -> None:
        self.w.add(ADMIN, type_, data, moment(on, 9))


    def person_with_role(self, unit_id: str, role: str, subject: str, on: date,
                         person_id: str | None = None) -> str:
        person_id = person_id or self.next_id("p", 6)
        self.admin("PersonRegistered", {"person_id": person_id, "name": self.name(),
                                        "unit_id": unit_id}, on)
        self.admin("ResponsibilityAssigned", {"person_id": person_id, "role": role,
                                              "subject_type": "unit", "subject_id": subject,
                                              "effective_from": on.isoformat()}, on)
        return person_id

    def open_and_overdue(self, village_id: str, on: date) -> tuple[list[PlannedFinding], list]:
        open_ = [f for f in self.active if f.village == village_id]
        return open_, [f for f in open_ if f.due < on]

