"""A synthetic county, written through the application: `ledger demo`.

It gives the service something real to show at first start and the benchmarks their data.
Everything is recorded as the people who would record it (an admin for the registry, township
inspectors for visits, findings and verifications, village secretaries for rectification
reports, the discipline committee for interviews and measures), in 2020, the campaign year of
the seeds. The same seed gives the same events: one `random.Random(seed)` drawn in a fixed
order, identifiers from counters.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ledger.application import Command, Ledger
from ledger.domain.rules import PARAMETERS
from ledger.domain.supervision import CHECK_NAMES, Finding
from ledger.domain.units import Unit
from ledger.errors import AlreadyExists, Invalid
from ledger.identity import Actor

YEAR = 2020
BUSINESS_TZ = timezone(timedelta(hours=8))
BATCH = 500
ADMIN = Actor("county-admin", "admin")
DISCIPLINE = Actor("county-jiwei", "discipline")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红玉兰德福春海"
DEPARTMENTS = (
    ("dept-fpb", "县扶贫办"), ("dept-edu", "县教育局"), ("dept-health", "县卫健局"),
    ("dept-housing", "县住建局"), ("dept-water", "县水利局"), ("dept-civil", "县民政局"),
    ("dept-hrss", "县人社局"), ("dept-agri", "县农业农村局"), ("dept-dc", "县督查室"),
)
CATEGORIES = (("registered_poor", 0.55), ("edge", 0.15), ("monitored", 0.10), ("other", 0.20))
FINDING_TEXT = {
    "food": "口粮储备不足，吃穿两不愁落实不到位",
    "clothing": "冬季衣被不足",
    "education": "适龄子女辍学，控辍保学未落实",
    "medical": "慢病签约服务未落实，医疗保障不到位",
    "housing": "住房存在安全隐患，危房改造未完成",
    "water": "饮水不安全，自来水未入户",
    "income": "收入测算与实际不符，帮扶台账数据不实",
    "records": "村级档案资料不规范，帮扶手册填写不全",
}
# The sector ledger (行业台账) each kind of problem belongs to.
SECTORS = {"food": "social_security", "clothing": "social_security", "education": "education",
           "medical": "health", "housing": "housing", "water": "water", "income": "employment",
           "records": "data"}
# How a listed village is supervised in a month (a month with none leaves a gap).
SUPERVISIONS: tuple[tuple[str | None, int], ...] = (
    ("supervision", 50), ("roving", 20), ("unannounced", 15), (None, 15))
# A finding's fate, decided when it is raised: (name, weight).
FATES = (("prompt", 55), ("rejected", 12), ("late", 12), ("extended", 8), ("neglected", 8),
         ("withdrawn", 5))


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BUSINESS_TZ)


def month_end(month: int) -> date:
    return date(YEAR, month + 1, 1) - timedelta(days=1) if month < 12 else date(YEAR, 12, 31)


@dataclass
class Village:
    unit_id: str
    township: str
    secretary: str
    first_secretary: str
    listed: bool = False
    households: list[Household] = field(default_factory=list)
    cards: dict[str, str] = field(default_factory=dict)  # period -> standing yellow card


@dataclass
class Household:
    household_id: str
    village: str
    size: int
    category: str
    helper: str
    income: dict[str, float]
    school_age: bool


@dataclass
class PlannedFinding:
    finding_id: str
    village: str
    helper: str | None
    due: date
    status: str = "open"
    actions: list[tuple[date, str]] = field(default_factory=list)

    @property
    def raised_event_id(self) -> str:
        return f"{Finding.id_for(self.finding_id)}:1"


@dataclass(frozen=True)
class Tick:
    """Where the writing stands after one recorded batch (for a caller timing the run)."""

    stage: str  # "registry", "2020-01" ... "2020-12", "late entries"
    events: int  # recorded so far, consequences included
    seconds: float  # since the writing began


@dataclass
class DemoSummary:
    households: int
    months: int
    seed: int
    events: int
    commands: int
    seconds: float
    types: Counter

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Writer:
    """Collects commands by consecutive actor and records them in batches."""

    def __init__(self, ledger: Ledger, batch: int, progress: Callable[[str], None] | None,
                 on_batch: Callable[[Tick], None] | None = None):
        self.ledger = ledger
        self.batch = batch
        self.progress = progress
        self.on_batch = on_batch
        self.actor: Actor | None = None
        self.pending: list[Command] = []
        self.events = 0
        self.commands = 0
        self.types: Counter = Counter()
        self.started = time.perf_counter()
        self._reported = self.started
        self.stage = ""

    def begin(self, stage: str) -> None:
        """Record what is pending, so each batch (and its time) belongs to one stage."""
        self.flush()
        self.stage = stage

    def add(self, actor: Actor, type_: str, data: dict, on: datetime) -> None:
        if actor != self.actor or len(self.pending) >= self.batch:
            self.flush()
            self.actor = actor
        self.pending.append(Command(type_, data, on))

    def flush(self) -> None:
        if not self.pending:
            return
        for answer in self.ledger.record(self.actor, self.pending):  # type: ignore[arg-type]
            self.types[answer.type] += 1
            self.types.update(c.type for c in answer.consequences)
            self.events += 1 + len(answer.consequences)
        self.commands += len(self.pending)
        self.pending = []
        now = time.perf_counter()
        if self.on_batch is not None:
            self.on_batch(Tick(self.stage, self.events, now - self.started))
        if self.progress is not None and now - self._reported >= 10.0:
            self._reported = now
            elapsed = now - self.started
            self.progress(f"{self.stage}: {self.events:,} events, {elapsed:.0f} s, "
                          f"{self.events / elapsed:,.0f} events/s")


class County:
    """Plans the county month by month and hands each command to the writer."""

    def __init__(self, writer: Writer, households: int, months: int, seed: int) -> None:
        self.w = writer
        self.rng = random.Random(seed)
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

    # The whole run ----------------------------------------------------------------------
    def write(self) -> None:
        self.w.begin("registry")
        self.rules()
        self.registry()
        for month in range(1, self.months + 1):
            self.w.begin(f"{YEAR}-{month:02d}")
            self.month(month)
        self.w.begin("late entries")
        self.record_late_visits(None)
        self.w.flush()

    def rules(self) -> None:
        for parameter, (_, _, per_year, default, why) in PARAMETERS.items():
            data = {"parameter": parameter, "value": default, "note": why}
            if per_year:
                data["year"] = YEAR
            self.admin("RuleParameterSet", data, date(YEAR, 1, 1))

    # Registry ---------------------------------------------------------------------------
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

    def person_with_role(self, unit_id: str, role: str, subject: str, on: date,
                         person_id: str | None = None) -> str:
        person_id = person_id or self.next_id("p", 6)
        self.admin("PersonRegistered", {"person_id": person_id, "name": self.name(),
                                        "unit_id": unit_id}, on)
        self.admin("ResponsibilityAssigned", {"person_id": person_id, "role": role,
                                              "subject_type": "unit", "subject_id": subject,
                                              "effective_from": on.isoformat()}, on)
        return person_id

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
        self.admin("HouseholdRegistered", {"household_id": h_id, "village_id": village.unit_id,
                                           "head_name": self.name(), "size": size,
                                           "category": category}, on)
        self.admin("HouseholdFactsRecorded", {"household_id": h_id, **facts}, on)
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

    # One month ----------------------------------------------------------------------------
    def month(self, month: int) -> None:
        if self.months > 1 and month == self.months // 2 + 1:
            self.reassign(month)
        for villages in self.townships.values():
            for v_id in villages:
                self.visit_village(self.villages[v_id], month)
                self.check_village(self.villages[v_id], month)
                self.supervise(self.villages[v_id], month)
        self.record_late_visits(month)
        self.follow_ups(month)
        self.interviews(month)
        self.scoring(month)
        if month % 3 == 0:
            self.lights(month)
            self.warnings(month)
            self.measures(month)
        self.delist(month)
        if month == self.months:
            self.lifecycle(month)

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
    def open_and_overdue(self, village_id: str, on: date) -> tuple[list[PlannedFinding], list]:
        open_ = [f for f in self.active if f.village == village_id]
        return open_, [f for f in open_ if f.due < on]

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

    # The household lifecycle, in the last month: exits, monitoring, plans, a cross-check --
    def lifecycle(self, month: int) -> None:
        """Registered poor households that never had a finding leave poverty through the whole
        procedure (one meets an objection, dismissed); some edge households enter monitoring;
        registered poor households get help plans, a few measures past due; the information
        system's records are compared, a few disagreeing on the household's size."""
        rng = self.rng
        day = date(YEAR, month, 27)  # after the month's regular visits (days 3-26)
        clean = [h for h in self.households
                 if h.category == "registered_poor" and h.household_id not in self.flagged]
        for index, household in enumerate(rng.sample(clean, k=max(1, len(clean) // 30))):
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

    def delist(self, month: int) -> None:
        open_villages = {f.village for f in self.active}
        raised = {f.village for f in self.findings.values()}
        for v_id, village in self.villages.items():
            if village.listed and v_id in raised and v_id not in open_villages:
                village.listed = False
                self.w.add(self.county_inspector, "UnitDelisted", {"unit_id": v_id},
                           moment(month_end(month), 17))


def write_county(ledger: Ledger, households: int, months: int, seed: int,
                 batch: int = BATCH, progress: Callable[[str], None] | None = None,
                 on_batch: Callable[[Tick], None] | None = None) -> DemoSummary:
    """Write a synthetic county into an empty ledger; refuses a ledger that already has one.

    `progress` gets a line of text every ten seconds or so; `on_batch` gets a `Tick` after every
    recorded batch (bench/demo_bench.py times the first and last tenth of the events with it)."""
    if not 1 <= months <= 12:
        raise Invalid("months must be between 1 and 12 (the demo covers 2020)", field="months")
    if households < 1:
        raise Invalid("households must be at least 1", field="households")
    if Unit.id_for("county") in ledger.repository:
        raise AlreadyExists("this ledger already holds the demo county", id="county")
    writer = Writer(ledger, batch, progress, on_batch)
    County(writer, households, months, seed).write()
    seconds = time.perf_counter() - writer.started
    return DemoSummary(households, months, seed, writer.events, writer.commands, seconds,
                       writer.types)
