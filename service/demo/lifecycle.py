"""The household lifecycle, in the last month: exits, monitoring, plans, a cross-check."""
from __future__ import annotations

from datetime import date, timedelta

from ledger.domain.supervision import CHECK_NAMES
from service.demo.adjustment import Adjustment
from service.demo.plan import (
    ADMIN,
    YEAR,
    Household,
    moment,
)


class Lifecycle(Adjustment):
    def lifecycle(self, month: int) -> None:
        """Registered poor households that never had a finding leave poverty through the whole
        procedure (one meets an objection, dismissed); some edge households enter monitoring;
        registered poor households get help plans, a few measures past due; the information
        system's records are compared, a few disagreeing on the household's size. Then the
        county adjusts (service/demo/adjustment.py): edge households newly identified as poor,
        the last household to exit returning to poverty, a member leaving here and there."""
        rng = self.rng
        day = date(YEAR, month, 27)  # after the month's regular visits (days 3-26)
        clean = [h for h in self.households
                 if h.category == "registered_poor" and h.household_id not in self.flagged]
        exiting = rng.sample(clean, k=max(1, len(clean) // 30))
        for index, household in enumerate(exiting):
            self.exit(household, day, objection=index == 0)
        edge = [h for h in self.households if h.category == "edge"]
        for household in rng.sample(edge, k=max(0, len(edge) // 20)):
            self.w.add(ADMIN, "MonitoringStarted", {
                "household_id": household.household_id,
                "monitoring_type": rng.choice(("edge", "sudden_hardship")),
                "risks": rng.sample(("illness", "disability", "accident", "unemployment"), 2),
                "note": "收入接近边缘线，纳入监测"}, moment(day, 11))
        poor = [h for h in self.households if h.category == "registered_poor"]
        for household in rng.sample(poor, k=max(1, len(poor) // 10)):
            self.plan(household, day)
        compared = rng.sample(self.households, k=max(1, len(self.households) // 50))
        for index, household in enumerate(compared):
            size = household.size + (1 if index == 0 or rng.random() < 0.2 else 0)
            self.w.add(ADMIN, "SystemRecordCompared", {
                "household_id": household.household_id, "source": "national_system",
                "as_of_date": day.isoformat(), "record": {"size": size}}, moment(day, 16))
        self.newly_identified(day)
        self.returned_to_poverty(exiting[-1], day + timedelta(days=10))
        self.members_leave(day)

    def exit(self, household: Household, day: date, objection: bool) -> None:
        h_id = household.household_id
        year = {"household_id": h_id, "year": YEAR}
        wage = 6000 * household.size
        self.w.add(self.inspectors[self.villages[household.village].township],
                   "InspectionRecorded", {
                       "inspection_id": self.next_id("i", 8), "subject_type": "household",
                       "subject_id": h_id, "method": "visit", "inspector_ids": [household.helper],
                       "checks": dict.fromkeys(CHECK_NAMES, "met"),
                       "income": {"wage": wage, "business": 0, "transfer": 0, "property": 0}},
                   moment(day, 9))
        self.w.add(ADMIN, "ExitAppraised", {**year, "votes_for": 28, "votes_total": 31},
                   moment(day, 10))
        self.w.add(ADMIN, "ExitVerified", {**year, "passed": True, "note": "两不愁三保障达标"},
                   moment(day, 11))
        self.w.add(ADMIN, "ExitAcknowledged", year, moment(day, 12))
        start = day + timedelta(days=1)
        self.w.add(ADMIN, "ExitPublicized", {**year, "from": start.isoformat(),
                                             "to": (start + timedelta(days=7)).isoformat()},
                   moment(start, 9))
        if objection:
            self.w.add(ADMIN, "ExitObjectionRaised", {**year, "note": "村民反映收入偏高"},
                       moment(start + timedelta(days=2), 10))
            self.w.add(ADMIN, "ExitObjectionSettled", {**year, "upheld": False,
                                                       "note": "核实后收入属实"},
                       moment(start + timedelta(days=4), 10))
        self.w.add(ADMIN, "HouseholdExited", year, moment(start + timedelta(days=9), 10))

    def plan(self, household: Household, day: date) -> None:
        h_id = household.household_id
        due = day - timedelta(days=self.rng.choice((5, 40)))
        planned = min(max(day - timedelta(days=20), date(YEAR, 1, 3)), due)  # not after a due
        measures = [
            {"measure_id": f"{h_id}-m1", "kind": "industry", "description": "发放养殖补贴",
             "due_date": max(due, planned).isoformat(), "person_id": household.helper},
            {"measure_id": f"{h_id}-m2", "kind": "employment", "description": "推荐公益岗位",
             "due_date": (day + timedelta(days=30)).isoformat()},
        ]
        self.w.add(ADMIN, "HelpPlanRecorded", {
            "household_id": h_id, "year": YEAR, "causes": ["lack_skills", "lack_funds"],
            "measures": measures}, moment(planned, 10))
        if self.rng.random() < 0.5:
            self.w.add(ADMIN, "MeasureCompleted", {"household_id": h_id,
                                                   "measure_id": f"{h_id}-m1",
                                                   "note": "补贴已发放"}, moment(day, 15))
