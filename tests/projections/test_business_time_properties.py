"""Business-time integrity as properties (issue 16), on SQLite and PostgreSQL.

Generated histories of a small county (findings raised, extended, transferred, reported,
verified, withdrawn; a delisting; yellow cards) are entered in a generated order, each event
accepted or refused. Then:
(a) every read replayed at `valid_at=D, as_of=T` equals the read taken at system time T for D,
    and a replay `as_of=T` equals the live read at T;
(b) when every event was accepted both in the generated order and in business-time order, the
    live reads agree (up to event ids and the order of entry);
(c) no accepted event broke a rule on its own date as known when it was recorded: a checker
    that reads the views with `as_of` = its `recorded_at`, apart from the handlers.
Few examples by default (CI); `pytest --hypothesis-profile=long` for long runs by hand.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import Command, LoggedEvent
from ledger.errors import LedgerError
from projections.replay import Cut
from projections.views import FindingFilter
from service.config import Config
from service.root import Root
from tests.backends import BACKENDS, fresh_database_url
from tests.projections.conftest import ADMIN, INSPECTOR, World, at, make_world

START = date(2020, 3, 1)
EXAMPLES = 4 if settings.get_current_profile_name() == "default" else settings().max_examples
DATES = [date(2020, 4, 20), date(2020, 7, 1)]
PEOPLE = ("p-sec", "p-cadre", "p-head")
EVENT_ID = re.compile(r"^[0-9a-f-]{36}:\d+$")


@dataclass(frozen=True)
class Step:
    type: str
    day: date
    data: dict[str, Any]
    actor: str = "inspector"


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


@st.composite
def _finding(draw: st.DrawFn, number: int) -> list[Step]:
    finding_id = f"f{number}"
    raised = draw(st.integers(0, 60))
    due = raised + draw(st.integers(0, 40))
    steps = [Step("FindingRaised", _day(raised), {
        "finding_id": finding_id, "subject_type": "household", "subject_id": "h1",
        "category": "housing", "description": "roof", "responsible_unit_id": "v1",
        "due_date": _day(due).isoformat(), "responsible_person_id": "p-sec"})]
    if draw(st.booleans()):
        on = raised + draw(st.integers(0, 80))
        steps.append(Step("DeadlineExtended", _day(on), {
            "finding_id": finding_id, "reason": "flood",
            "new_due_date": _day(max(on, due) + draw(st.integers(1, 30))).isoformat()}))
    if draw(st.booleans()):
        steps.append(Step("FindingTransferred", _day(raised + draw(st.integers(0, 80))), {
            "finding_id": finding_id, "to_unit_id": "t1", "reason": "needs the township"}))
    if draw(st.booleans()):
        reported = raised + draw(st.integers(0, 80))
        steps.append(Step("RectificationReported", _day(reported),
                          {"finding_id": finding_id, "description": "done"}, "admin"))
        if draw(st.booleans()):
            steps.append(Step("RectificationVerified",
                              _day(reported + draw(st.integers(-5, 20))),
                              {"finding_id": finding_id, "accepted": draw(st.booleans()),
                               "note": "seen"}))
    elif draw(st.booleans()):
        steps.append(Step("FindingWithdrawn", _day(raised + draw(st.integers(0, 90))),
                          {"finding_id": finding_id, "reason": "duplicate"}))
    return steps


@st.composite
def _history(draw: st.DrawFn) -> list[Step]:
    steps: list[Step] = []
    for number in range(draw(st.integers(1, 3))):
        steps += draw(_finding(number))
    if draw(st.booleans()):
        steps.append(Step("UnitDelisted", _day(draw(st.integers(0, 150))), {"unit_id": "v1"}))
    for period, first in (("2020-Q1", date(2020, 1, 1)), ("2020-Q2", date(2020, 4, 1))):
        if draw(st.booleans()):
            steps.append(Step("WarningIssued", first + timedelta(days=draw(st.integers(0, 89))),
                              {"warning_id": f"w-{period}", "unit_id": "v1", "color": "yellow",
                               "period": period, "reason": "visits"}))
    return draw(st.permutations(steps))


@contextmanager
def _county(backend: str, directory: Path) -> Iterator[World]:
    with fresh_database_url(backend, directory) as url:
        root = Root(Config.from_env(database_url=url))
        try:
            world = make_world(root)
            for unit_id, kind, parent in (("c1", "county", None), ("t1", "township", "c1"),
                                          ("v1", "village", "t1")):
                world.record("UnitRegistered", {"unit_id": unit_id, "name": unit_id,
                                                "kind": kind, **({"parent_id": parent}
                                                                 if parent else {})},
                             "2020-01-01")
            world.household()
            for person in PEOPLE:
                world.person(person)
            world.assign("p-sec", "v1", "village_secretary", "unit", "2020-01-05")
            world.assign("p-head", "t1", "unit_head", "unit", "2020-01-05")
            world.assign("p-cadre", "h1")
            world.record("UnitListed", {"unit_id": "v1", "level": "city"}, "2020-01-05")
            yield world
        finally:
            root.close()


@dataclass
class Entered:
    accepted: list[tuple[Step, LoggedEvent]] = field(default_factory=list)
    refused: list[Step] = field(default_factory=list)
    taken: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)


def _reads(world: World, cut: Cut, findings: list[str]) -> dict[str, Any]:
    views = world.views
    return {
        "findings": {u: views.findings(FindingFilter(unit_id=u), cut)["findings"]
                     for u in ("v1", "t1")},
        "finding": {f: views.finding(f, cut) for f in findings},
        "trails": {p: views.accountability(p, cut) for p in PEOPLE},
        "boards": {u: _board(views.unit(u, cut)) for u in ("v1", "t1")},
    }


def _board(board: dict[str, Any] | None) -> dict[str, Any] | None:
    """A unit board without its roll-up (household figures, outside these histories)."""
    return None if board is None else {k: v for k, v in board.items() if k != "rollup"}


def _enter(world: World, steps: list[Step], snapshot: bool) -> Entered:
    entered = Entered()
    findings = sorted({s.data["finding_id"] for s in steps if "finding_id" in s.data})
    for step in steps:
        actor = ADMIN if step.actor == "admin" else INSPECTOR
        try:
            logged = world.ledger.record(actor, [Command(step.type, step.data,
                                                         at(step.day.isoformat()))])[0]
            entered.accepted.append((step, logged))
        except LedgerError:
            entered.refused.append(step)
            continue
        world.project()
        if snapshot:
            moment = datetime.now(UTC)
            entered.taken.append((moment, {
                "live": _reads(world, Cut(), findings),
                **{d.isoformat(): _reads(world, Cut(valid_at=d), findings) for d in DATES}}))
    return entered


def _replay_is_the_read_rebuilt(world: World, entered: Entered, findings: list[str]) -> None:
    for moment, taken in entered.taken:
        assert _reads(world, Cut(as_of=moment), findings) == taken["live"]
        for d in DATES:
            assert _reads(world, Cut(as_of=moment, valid_at=d), findings) == taken[d.isoformat()]


def _rules_held(world: World, entered: Entered) -> None:
    """The independent checker: each accepted event against what the views knew when it was
    recorded (as_of its recorded_at), on its own date."""
    for step, logged in entered.accepted:
        known = Cut(as_of=logged.recorded_at)
        day = step.day.isoformat()
        if step.type == "FindingRaised":
            assert step.data["due_date"] >= day
            continue
        if step.type == "DeadlineExtended":
            assert step.data["new_due_date"] >= day
        if step.type == "UnitDelisted":
            for finding_id in _finding_ids(entered):
                story = world.views.finding(finding_id, known)
                if story is None or story["status"] == "withdrawn":
                    continue  # unknown then, or never stood
                on_day = world.views.finding(finding_id, Cut(as_of=logged.recorded_at,
                                                            valid_at=step.day))
                assert on_day is None or on_day["status"] not in (
                    "open", "rectification_reported"), (finding_id, day)
            continue
        if "finding_id" not in step.data:
            continue
        trail = world.views.finding(step.data["finding_id"], known)["trail"]
        before = [s for s in trail if s["event_id"] != logged.event_id]
        raised = next(s for s in before if s["type"] == "FindingRaised")
        assert datetime.fromisoformat(raised["occurred_at"]) <= logged.occurred_at
        if step.type == "RectificationVerified":
            reports = [datetime.fromisoformat(s["occurred_at"]) for s in before
                       if s["type"] == "RectificationReported"]
            assert reports and max(reports) <= logged.occurred_at


def _finding_ids(entered: Entered) -> list[str]:
    return sorted({s.data["finding_id"] for s, _ in entered.accepted if "finding_id" in s.data})


def _interview_dated_by_the_later_card(world: World, entered: Entered) -> None:
    cards = [s.day.isoformat() for s, _ in entered.accepted if s.type == "WarningIssued"]
    interviews = world.views.unit("v1")["interviews"]
    assert [i["on"] for i in interviews] == ([max(cards)] if len(cards) == 2 else [])


def _same(value: Any) -> Any:
    """A read without what depends on the order of entry: event ids, positions, recording
    times and the trails in log order; lists compared as sets."""
    if isinstance(value, dict):
        return {k: _same(v) for k, v in value.items()
                if k not in ("position", "recorded_at", "trail")}
    if isinstance(value, list):
        return sorted((_same(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str) and EVENT_ID.match(value):
        return "<event>"
    return value


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(steps=_history())
def test_business_time_holds_whatever_the_order_of_entry(
    backend: str, tmp_path_factory: pytest.TempPathFactory, steps: list[Step],
) -> None:
    findings = sorted({s.data["finding_id"] for s in steps if "finding_id" in s.data})
    in_business_order = sorted(steps, key=lambda s: s.day)
    with _county(backend, tmp_path_factory.mktemp("generated")) as world:
        entered = _enter(world, steps, snapshot=True)
        _replay_is_the_read_rebuilt(world, entered, findings)
        _rules_held(world, entered)
        _interview_dated_by_the_later_card(world, entered)
        generated = _same(_reads(world, Cut(), findings))
    if entered.refused:
        return
    with _county(backend, tmp_path_factory.mktemp("ordered")) as world:
        ordered = _enter(world, in_business_order, snapshot=False)
        if not ordered.refused:
            assert _same(_reads(world, Cut(), findings)) == generated
