"""Each month's supervision: visits, cross-checks, findings and their follow-ups."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from ledger.domain.supervision import CHECK_NAMES
from ledger.identity import Actor
from service.demo.base import CountyBase
from service.demo.plan import (
    DEPARTMENTS,
    FATES,
    FINDING_TEXT,
    SECTORS,
    SUPERVISIONS,
    YEAR,
    Household,
    PlannedFinding,
    Village,
    moment,
    month_end,
)


class Supervision(CountyBase):
    def reassign(self, month: int) -> None:
        """Some helper cadres hand their households over; a few first secretaries rotate."""
        switch = date(YEAR, month, 1)
        until = (switch - timedelta(days=1)).isoformat()
        for household in self.households:
            if self.rng.random() >= 0.03:
                continue
            old = household.helper
            new = self.rng.choice(self.cadres[household.village])
            if new == old:
                continue
            base = {"role": "helper_cadre", "subject_type": "household",
                    "subject_id": household.household_id}
            self.admin("ResponsibilityEnded", {"person_id": old, **base, "effective_to": until},
                       switch)
            self.admin("ResponsibilityAssigned", {"person_id": new, **base,
                                                  "effective_from": switch.isoformat()}, switch)
            household.helper = new
        for village in self.villages.values():
            if self.rng.random() >= 0.05:
                continue
            self.admin("ResponsibilityEnded", {
                "person_id": village.first_secretary, "role": "first_secretary",
                "subject_type": "unit", "subject_id": village.unit_id, "effective_to": until},
                switch)
            department = self.rng.choice(DEPARTMENTS[:-1])[0]
            village.first_secretary = self.person_with_role(department, "first_secretary",
                                                            village.unit_id, switch)

    def visit_village(self, village: Village, month: int) -> None:
        inspector = self.inspectors[village.township]
        for household in village.households:
            miss = 0.4 if household.helper in self.negligent else 0.05
            if self.rng.random() < miss:
                continue
            on = moment(self.day_in(month, 3, 26), self.rng.randint(8, 17), self.rng.randint(0, 59))
            if self.rng.random() < 0.03:
                self.late_visits.append((household, on, month))
                continue
            self.visit(inspector, household, on, month, raise_findings=True)

    def visit(self, inspector: Actor, household: Household, on: datetime, month: int,
              raise_findings: bool) -> None:
        rng = self.rng
        checks = {}
        for name in CHECK_NAMES:
            if name == "education" and not household.school_age:
                checks[name] = "na"
            else:
                checks[name] = "unmet" if rng.random() < 0.006 else "met"
        inspection_id = self.next_id("i", 8)
        data = {"inspection_id": inspection_id, "subject_type": "household",
                "subject_id": household.household_id, "method": "visit",
                "inspector_ids": [household.helper], "checks": checks}
        if month % 3 == 1 and household.category in ("registered_poor", "edge", "monitored"):
            growth = 1 + rng.uniform(-0.02, 0.06)
            household.income = {k: round(v * growth) for k, v in household.income.items()}
            data["income"] = dict(household.income)
        self.w.add(inspector, "InspectionRecorded", data, on)
        if not raise_findings:
            return
        problems = [n for n, v in checks.items() if v == "unmet"]
        if rng.random() < 0.006:
            problems.append("income")
        for problem in problems:
            self.raise_finding(inspector, household.village, on, problem, inspection_id,
                               ("household", household.household_id), household.helper)

    def check_village(self, village: Village, month: int) -> None:
        """A cross-check of the village's own records now and then."""
        if self.rng.random() >= 0.08:
            return
        inspector = self.inspectors[village.township]
        on = moment(self.day_in(month, 5, 25), 14)
        inspection_id = self.next_id("i", 8)
        self.w.add(inspector, "InspectionRecorded", {
            "inspection_id": inspection_id, "subject_type": "unit", "subject_id": village.unit_id,
            "method": "cross_check", "inspector_ids": [inspector.id]}, on)
        self.raise_finding(inspector, village.unit_id, on, "records", inspection_id,
                           ("unit", village.unit_id), None)

    def supervise(self, village: Village, month: int) -> None:
        """A listed village's monthly supervision by its township (督战), now and then missed."""
        if not village.listed:
            return
        method = self.rng.choices([m for m, _ in SUPERVISIONS], [w for _, w in SUPERVISIONS])[0]
        if method is None:
            return
        inspector = self.inspectors[village.township]
        self.w.add(inspector, "InspectionRecorded", {
            "inspection_id": self.next_id("i", 8), "subject_type": "unit",
            "subject_id": village.unit_id, "method": method, "inspector_ids": [inspector.id]},
            moment(self.day_in(month, 3, 26), 15))
    def raise_finding(self, inspector: Actor, village_id: str, on: datetime, problem: str,
                      inspection_id: str, subject: tuple[str, str], helper: str | None) -> None:
        finding = PlannedFinding(self.next_id("f", 6), village_id, helper,
                                 on.date() + timedelta(days=self.rng.choice((15, 20, 30))))
        data = {"finding_id": finding.finding_id, "subject_type": subject[0],
                "subject_id": subject[1], "category": problem,
                "description": FINDING_TEXT[problem], "responsible_unit_id": village_id,
                "due_date": finding.due.isoformat(), "inspection_id": inspection_id,
                "source": "cross_check" if subject[0] == "unit" else "inspection",
                "sector": SECTORS[problem]}
        if helper is not None:
            data["responsible_person_id"] = helper
        self.w.add(inspector, "FindingRaised", data, on)
        if subject[0] == "household":
            self.flagged.add(subject[1])
        finding.actions = self.fate(on.date(), finding.due)
        self.findings[finding.finding_id] = finding
        self.active.append(finding)

    def fate(self, raised: date, due: date) -> list[tuple[date, str]]:
        """What will happen to a finding, as dated steps."""
        rng = self.rng
        fate = rng.choices([f for f, _ in FATES], [w for _, w in FATES])[0]
        report = raised + timedelta(days=rng.randint(3, max(4, (due - raised).days - 2)))
        check = report + timedelta(days=rng.randint(2, 7))
        if fate == "prompt":
            return [(report, "report"), (check, "accept")]
        if fate == "rejected":
            again = check + timedelta(days=rng.randint(3, 10))
            return [(report, "report"), (check, "reject"), (again, "report"),
                    (again + timedelta(days=rng.randint(2, 6)), "accept")]
        if fate == "late":
            late = due + timedelta(days=rng.randint(3, 25))
            return [(late, "report"), (late + timedelta(days=rng.randint(2, 7)), "accept")]
        if fate == "extended":
            ask = due - timedelta(days=2)
            return [(ask, "extend"), (due + timedelta(days=10), "report"),
                    (due + timedelta(days=rng.randint(12, 20)), "accept")]
        if fate == "withdrawn":
            return [(raised + timedelta(days=rng.randint(1, 6)), "withdraw")]
        return []  # neglected: stays open and goes overdue

    # Follow-ups on findings -----------------------------------------------------------------
    def follow_ups(self, month: int) -> None:
        """Every step dated this month, in waves: one step per finding per wave, so a finding's
        steps stay in order while steps by the same person are batched together."""
        last = month_end(month)
        while True:
            wave = [f for f in self.active if f.actions and f.actions[0][0] <= last]
            if not wave:
                break
            wave.sort(key=lambda f: (f.actions[0][1] == "report", f.village))
            for finding in wave:
                self.step(finding, *finding.actions.pop(0))
        self.active = [f for f in self.active if f.status in ("open", "reported")]

    def step(self, finding: PlannedFinding, on: date, action: str) -> None:
        village = self.villages[finding.village]
        inspector = self.inspectors[village.township]
        data: dict = {"finding_id": finding.finding_id}
        when = moment(on, self.rng.randint(9, 17))
        if action == "report":
            cadre = Actor(village.secretary, "cadre", village.unit_id)
            data["description"] = "已入户落实整改，相关佐证材料已归档"
            self.w.add(cadre, "RectificationReported", data, when)
            finding.status = "reported"
        elif action in ("accept", "reject"):
            data["accepted"] = action == "accept"
            data["note"] = ("核查属实，予以销号" if action == "accept"
                            else "核查未整改到位，退回重新整改")
            self.w.add(inspector, "RectificationVerified", data, when)
            finding.status = "closed" if action == "accept" else "open"
        elif action == "extend":
            finding.due = finding.due + timedelta(days=30)
            data.update(new_due_date=finding.due.isoformat(), reason="需协调项目资金，申请延期",
                        approved_by=self.township_heads[village.township])
            self.w.add(inspector, "DeadlineExtended", data, when)
        else:
            data["reason"] = "复核系重复登记，予以撤销"
            self.w.add(inspector, "FindingWithdrawn", data, when)
            finding.status = "withdrawn"

    def record_late_visits(self, month: int | None) -> None:
        """Visits typed in a month or more after they happened."""
        keep = []
        for household, on, visited in self.late_visits:
            if month is None or visited < month:
                self.visit(self.inspectors[self.villages[household.village].township],
                           household, on, visited, raise_findings=False)
            else:
                keep.append((household, on, visited))
        self.late_visits = keep

    # Month and quarter ends ---------------------------------------------------------------
