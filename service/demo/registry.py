"""The county's registry: rules, units, people, households and their facts."""
from __future__ import annotations

from datetime import date

from ledger.domain.rules import PARAMETERS
from ledger.identity import Actor
from service.demo.members import Members
from service.demo.plan import (
    CATEGORIES,
    DEPARTMENTS,
    YEAR,
    Household,
    Village,
)


class Registry(Members):
    def rules(self) -> None:
        for parameter, (_, _, per_year, default, why) in PARAMETERS.items():
            data = {"parameter": parameter, "value": default, "note": why}
            if per_year:
                data["year"] = YEAR
            self.admin("RuleParameterSet", data, date(YEAR, 1, 1))

    def registry(self) -> None:
        start = date(YEAR, 1, 2)
        self.admin("UnitRegistered", {"unit_id": "county", "name": "示范县", "kind": "county"},
                   start)
        for unit_id, name in DEPARTMENTS:
            self.admin("UnitRegistered", {"unit_id": unit_id, "name": name,
                                          "kind": "department", "parent_id": "county"}, start)
            self.person_with_role(unit_id, "department_head", unit_id, start)
        self.admin("PersonRegistered", {"person_id": self.county_inspector.id,
                                        "name": self.name(), "unit_id": "dept-dc"}, start)
        sizes = self.village_sizes()
        per_township = self.rng.randint(8, 15)
        for v_index, size in enumerate(sizes):
            if v_index % per_township == 0:
                self.township(start)
            self.village(list(self.townships)[-1], size, start)
        self.list_units(start)

    def village_sizes(self) -> list[int]:
        left, sizes = self.n_households, []
        while left > 0:
            size = min(left, self.rng.randint(200, 400))
            sizes.append(size)
            left -= size
        return sizes

    def township(self, on: date) -> None:
        t_id = f"t{len(self.townships) + 1:02d}"
        self.admin("UnitRegistered", {"unit_id": t_id, "name": f"第{len(self.townships) + 1}乡镇",
                                      "kind": "township", "parent_id": "county"}, on)
        self.townships[t_id] = []
        self.township_heads[t_id] = self.person_with_role(t_id, "unit_head", t_id, on)
        inspector = f"p-dc-{t_id}"
        self.admin("PersonRegistered", {"person_id": inspector, "name": self.name(),
                                        "unit_id": "dept-dc"}, on)
        self.inspectors[t_id] = Actor(inspector, "inspector")

    def village(self, township: str, size: int, on: date) -> None:
        v_id = f"{township}-v{len(self.townships[township]) + 1:02d}"
        self.admin("UnitRegistered", {"unit_id": v_id, "name": f"{v_id}村", "kind": "village",
                                      "parent_id": township}, on)
        for g in range(1, self.rng.randint(4, 8) + 1):
            self.admin("UnitRegistered", {"unit_id": f"{v_id}-g{g}", "name": f"{g}组",
                                          "kind": "group", "parent_id": v_id}, on)
        secretary = self.person_with_role(v_id, "village_secretary", v_id, on)
        department = self.rng.choice(DEPARTMENTS[:-1])[0]
        first = self.person_with_role(department, "first_secretary", v_id, on)
        village = Village(v_id, township, secretary, first)
        self.villages[v_id] = village
        self.townships[township].append(v_id)
        cadres = []
        for _ in range(max(1, size // 6)):
            person_id = self.next_id("p", 6)
            unit = self.rng.choice((township, self.rng.choice(DEPARTMENTS[:-1])[0]))
            self.admin("PersonRegistered", {"person_id": person_id, "name": self.name(),
                                            "unit_id": unit}, on)
            cadres.append(person_id)
            if self.rng.random() < 0.05:
                self.negligent.add(person_id)
        self.cadres[v_id] = cadres
        for _ in range(size):
            self.household(village, self.rng.choice(cadres), on)

    def household(self, village: Village, helper: str, on: date) -> None:
        rng = self.rng
        h_id = self.next_id("h", 7)
        category = rng.choices([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])[0]
        size = rng.choices(range(1, 8), (12, 20, 22, 22, 14, 7, 3))[0]
        facts = self.facts(size, category)
        household = Household(h_id, village.unit_id, size, category, helper, facts["income"],
                              school_age=rng.random() < 0.45)
        self.households.append(household)
        village.households.append(household)
        head_name = self.name()
        self.admin("HouseholdRegistered", {"household_id": h_id, "village_id": village.unit_id,
                                           "head_name": head_name, "size": size,
                                           "category": category}, on)
        self.admin("HouseholdFactsRecorded", {"household_id": h_id, **facts}, on)
        self.register_members(household, head_name, facts, on)
        self.admin("ResponsibilityAssigned", {"person_id": helper, "role": "helper_cadre",
                                              "subject_type": "household", "subject_id": h_id,
                                              "effective_from": on.isoformat()}, on)

    def facts(self, size: int, category: str) -> dict:
        """Facts behind the ten key-household criteria, at plausible rates for 2020."""
        rng = self.rng
        workers = min(size, rng.choices(range(0, 5), (8, 35, 40, 12, 5))[0])
        mean, spread = {"registered_poor": (6500, 2000), "edge": (4400, 400),
                        "monitored": (7000, 2000), "other": (12000, 4000)}[category]
        per_capita = max(2800.0, rng.gauss(mean, spread))
        if category == "edge":
            per_capita = min(per_capita, 4990.0)
        total = per_capita * size
        transfer_share = rng.uniform(0.1, 0.6) if category != "other" else rng.uniform(0, 0.2)
        property_share = rng.uniform(0, 0.05)
        business_share = rng.uniform(0, 0.3) * (1 - transfer_share - property_share)
        income = {
            "transfer": round(total * transfer_share),
            "property": round(total * property_share),
            "business": round(total * business_share),
        }
        income["wage"] = round(total) - sum(income.values())
        facts = {
            "income": income,
            "labour_coefficient": round(workers / size, 2),
            "has_labour": workers > 0,
            "seriously_ill_members": rng.choices((0, 1, 2), (85, 12, 3))[0],
            "children_in_non_compulsory_education":
                rng.choices((0, 1, 2, 3), (825, 120, 40, 15))[0],
            "only_house_earthen": rng.random() < 0.03,
            "near_disaster_hazard": rng.random() < 0.04,
            "failed_industry_or_unstable_employment": rng.random() < 0.06,
            "lacks_motivation": rng.random() < 0.04,
            "single_over_45": size == 1 and rng.random() < 0.5,
        }
        if workers:
            facts["has_industry_or_employment"] = rng.random() < 0.8
        return facts

    def list_units(self, on: date) -> None:
        villages = list(self.villages.values())
        target = date(YEAR, 12, 31).isoformat()
        for village in self.rng.sample(villages, max(1, round(len(villages) / 10))):
            village.listed = True
            self.admin("UnitListed", {"unit_id": village.unit_id, "level": "district",
                                      "supervising_unit_id": village.township,
                                      "due_date": target}, on)
        for t_id in self.townships:
            if self.rng.random() < 0.05:
                self.admin("UnitListed", {"unit_id": t_id, "level": "city",
                                          "supervising_unit_id": "county", "due_date": target},
                           on)

