"""The county's shape: its constants, names, dates and the plans of what it holds."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ledger.domain.supervision import Finding
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
    members: list[str] = field(default_factory=list)  # present members, the head first


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

