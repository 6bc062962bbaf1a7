"""Month and quarter ends: lights, scores, warnings, interviews, measures, delisting."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from service.demo.base import CountyBase
from service.demo.plan import (
    DISCIPLINE,
    YEAR,
    PlannedFinding,
    moment,
    month_end,
)


class Accountability(CountyBase):
    def lights(self, month: int) -> None:
        """Each township's quarterly light (季度考核亮灯), scored on its villages' overdue share."""
        end = month_end(month)
        period = f"{YEAR}-Q{(month - 1) // 3 + 1}"
        for t_id, villages in self.townships.items():
            open_ = [f for v_id in villages for f in self.open_and_overdue(v_id, end)[0]]
            overdue = sum(f.due < end for f in open_)
            score = round(100 - 40 * overdue / max(1, len(open_)) - self.rng.uniform(0, 10), 1)
            light = "green" if score >= 85 else "yellow" if score >= 70 else "red"
            self.w.add(self.county_inspector, "QuarterlyRatingRecorded", {
                "unit_id": t_id, "period": period, "light": light, "score": score},
                moment(end, 10))

    def scoring(self, month: int) -> None:
        on = moment(month_end(month), 16)
        round_id = f"{YEAR}-{month:02d}"
        open_by_village = Counter(f.village for f in self.active)
        for v_id, village in self.villages.items():
            households = max(1, len(village.households))
            sections = {
                "household": 50 * (1 - min(1.0, 4 * open_by_village[v_id] / households)),
                "group": 20 * self.rng.uniform(0.7, 1.0),
                "village": 30 * self.rng.uniform(0.6, 1.0),
            }
            for section, points in sections.items():
                self.w.add(self.county_inspector, "ScoreRecorded", {
                    "round_id": round_id, "village_id": v_id, "section": section,
                    "points": round(points * 2) / 2}, on)

    def warnings(self, month: int) -> None:
        """Yellow cards for the villages with the most open findings at the quarter's end."""
        end = month_end(month)
        period = f"{YEAR}-Q{(month - 1) // 3 + 1}"
        before = f"{YEAR}-Q{(month - 1) // 3}"
        ranked = []
        for v_id in self.villages:
            open_, overdue = self.open_and_overdue(v_id, end)
            if open_:
                ranked.append((-len(overdue), -len(open_), v_id, overdue or open_))
        ranked.sort()
        on = moment(end, 11)
        for _, _, v_id, cause in ranked[:max(1, len(self.villages) // 8)]:
            village = self.villages[v_id]
            warning_id = self.next_id("w", 5)
            self.w.add(self.county_inspector, "WarningIssued", {
                "warning_id": warning_id, "unit_id": v_id, "color": "yellow", "period": period,
                "reason": "问题整改不力，台账销号滞后",
                "finding_ids": [f.finding_id for f in cause[:5]]}, on)
            if before in village.cards:
                self.interviews_due.append((v_id, month + 1))
            elif self.rng.random() < 0.1:
                self.w.add(self.county_inspector, "WarningRevoked", {
                    "warning_id": warning_id, "reason": "复核发现问题已于期内整改，撤销警告"},
                    on + timedelta(hours=4))
                continue
            village.cards[period] = warning_id

    def interviews(self, month: int) -> None:
        for v_id, due in self.interviews_due:
            if due == month:
                self.w.add(DISCIPLINE, "InterviewHeld", {
                    "unit_id": v_id, "person_id": self.villages[v_id].secretary,
                    "note": "连续两季度被黄牌警告，约谈村党支部书记"},
                    moment(self.day_in(month, 5, 20), 15))

    def measures(self, month: int) -> None:
        """A reminder talk for helper cadres with findings overdue by two weeks or more."""
        end = month_end(month)
        overdue: dict[str, list[PlannedFinding]] = {}
        for finding in self.active:
            if finding.helper is not None and finding.due <= end - timedelta(days=14):
                overdue.setdefault(finding.helper, []).append(finding)
        for person_id, items in overdue.items():
            if items:
                self.w.add(DISCIPLINE, "AccountabilityMeasureTaken", {
                    "person_id": person_id, "measure": "reminder_talk",
                    "basis": [f.raised_event_id for f in items],
                    "note": "帮扶户问题逾期两周以上未整改，提醒谈话"}, moment(end, 15))

    def delist(self, month: int) -> None:
        open_villages = {f.village for f in self.active}
        raised = {f.village for f in self.findings.values()}
        for v_id, village in self.villages.items():
            if village.listed and v_id in raised and v_id not in open_villages:
                village.listed = False
                self.w.add(self.county_inspector, "UnitDelisted", {"unit_id": v_id},
                           moment(month_end(month), 17))

