"""Dynamic adjustment in the county (动态调整), recorded by the county's poverty-alleviation
office: a few edge households newly identified as poor (新识别), a household that exited
falling back into poverty (返贫), and a member leaving here and there."""
from __future__ import annotations

from datetime import date, timedelta

from ledger.identity import Actor
from service.demo.members import Members
from service.demo.plan import Household, moment

# A cadre of the county: reclassification is a county-level decision.
COUNTY_OFFICE = Actor("county-fpb", "cadre", "county")


class Adjustment(Members):
    def newly_identified(self, day: date) -> None:
        edge = [h for h in self.households if h.category == "edge"]
        for household in self.people.sample(edge, k=min(len(edge), max(1, len(edge) // 40))):
            household.category = "registered_poor"
            self.w.add(COUNTY_OFFICE, "HouseholdReclassified", {
                "household_id": household.household_id, "to": "registered_poor",
                "reason": "newly_identified", "basis": [],
                "note": "因病致贫，收入低于标准，经评议公示新识别为贫困户"},
                moment(day, 10))

    def returned_to_poverty(self, household: Household, exited: date) -> None:
        """A household that exited falls back (返贫) a few weeks later: a new exit story."""
        household.category = "registered_poor"
        self.w.add(COUNTY_OFFICE, "HouseholdReclassified", {
            "household_id": household.household_id, "to": "registered_poor",
            "reason": "returned_to_poverty", "basis": [],
            "note": "户主重病，医疗支出大，收入跌破标准，返贫纳入建档立卡"},
            moment(exited + timedelta(days=15), 10))

    def members_leave(self, day: date) -> None:
        for household in self.people.sample(self.households,
                                            k=max(1, len(self.households) // 200)):
            self.member_leaves(household, day)
