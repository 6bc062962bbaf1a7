"""Household status: category, the ten key-household criteria, the guarantees, income, A/B/C."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.domain.supervision import CHECK_NAMES, INCOME_SOURCES
from projections import (
    findings,
    flags,
    household_plans,
    lifecycle,
    members,
    responsibility,
    rulebook,
)
from projections.business_time import AT, is_latest, keep_latest, moment, shown
from projections.events import Event

State = dict[str, Any]
VISIT_METHODS = ("visit", "unannounced")
PASSING_CHECKS = ("met", "na")


def apply(state: State | None, event: Event) -> State | None:
    data = event.data
    if event.type == "HouseholdRegistered":
        state = {
            "household_id": data["household_id"],
            "village_id": data["village_id"],
            "head_name": data["head_name"],
            "size": data["size"],
            "category": data["category"],
            "registered_event": event.event_id,
            "facts": {},
            "income": None,
            "checks": {},
            "last_visit": None,
            "visits": [],
            "responsibilities": [],
            "held": {},
            "exit_year": data.get("exit_year"),
        }
        _hold(state, "size", data["size"], event)
        _hold(state, "category", data["category"], event)
        return state
    if state is None:
        return None
    if event.type == "HouseholdFactsRecorded":
        _record_facts(state, event)
    elif event.type == "InspectionRecorded":
        _record_inspection(state, event)
    elif event.type in ("ResponsibilityAssigned", "ResponsibilityEnded"):
        responsibility.apply(state["responsibilities"], event)
    elif event.type in household_plans.EVENTS:
        household_plans.apply(state, event)
    elif event.type in lifecycle.LIFECYCLE_EVENTS:
        lifecycle.apply(state, event, _hold)
    elif event.type == "DecisionContradicted":
        state.setdefault("contradicted_decisions", []).append(flags.contradiction(event))
    elif event.type in members.EVENTS:
        members.apply(state, event)
    elif event.type == "HouseholdReclassified":
        _reclassify(state, event)
    return state


def _reclassify(state: State, event: Event) -> None:
    """Dynamic adjustment: the category moves; an exit story in progress or finished ends
    here (kept under `earlier_exits`), and a return to poverty begins a new one."""
    data = event.data
    state.setdefault("reclassifications", []).append({
        "reason": data["reason"], "from": state["category"], "to": data["to"],
        "on": event.occurred_on, "basis": data["basis"], "event_id": event.event_id})
    _hold(state, "category", data["to"], event)
    if state.get("exit"):
        state.setdefault("earlier_exits", []).append(state["exit"])
        state["exit"] = None
    if data["to"] == "registered_poor":  # 新识别 or 返贫: a new exit story begins
        state["exit_year"] = None


def _hold(state: State, name: str, value: Any, event: Event) -> None:
    """A top-level value (size, category) as of the latest event by business time."""
    held = state.setdefault("held", {})
    if keep_latest(held, name, {"value": value, "event_id": event.event_id}, event):
        state[name] = value


def _record_facts(state: State, event: Event) -> None:
    for name, value in event.data.items():
        if name == "household_id":
            continue
        if name == "income":
            _record_income(state, value, event, "facts")
            continue
        if name in ("size", "category"):
            _hold(state, name, value, event)
        keep_latest(state["facts"], name, {"value": value, "event_id": event.event_id}, event)


def _record_income(state: State, income: dict, event: Event, source: str) -> None:
    if not is_latest(state["income"], event):
        return
    state["income"] = {
        **{name: float(income.get(name, 0)) for name in INCOME_SOURCES},
        "event_id": event.event_id,
        "source": source,
        "on": event.occurred_on,
        AT: moment(event),
    }


def _record_inspection(state: State, event: Event) -> None:
    data = event.data
    for name, value in (data.get("checks") or {}).items():
        keep_latest(state["checks"], name,
                    {"value": value, "event_id": event.event_id, "on": event.occurred_on}, event)
    if data.get("income"):
        _record_income(state, data["income"], event, "inspection")
    if data["method"] in VISIT_METHODS:
        state["visits"].append([event.occurred_on, event.event_id, data["inspector_ids"]])
        keep_latest(state, "last_visit", {
            "inspection_id": data["inspection_id"],
            "on": event.occurred_on,
            "occurred_at": event.occurred_text,
            "inspector_ids": data["inspector_ids"],
            "event_id": event.event_id,
        }, event)


# Rendering -------------------------------------------------------------------
def _fact(state: State, name: str) -> Any:
    found = state["facts"].get(name)
    return None if found is None else found["value"]


def _fact_criterion(name: str, test: Callable[[Any], bool]) -> Callable[[State], State]:
    def evaluate(state: State) -> State:
        value = _fact(state, name)
        return {
            "holds": None if value is None else bool(test(value)),
            "facts": {name: value},
            "event_ids": [state["facts"][name]["event_id"]] if value is not None else [],
        }

    return evaluate


def _transfer_share(state: State) -> State:
    income = state["income"]
    total = _total_income(income)
    if not total:
        return {"holds": None, "facts": {"transfer": None, "total": None}, "event_ids": []}
    share = income["transfer"] / total
    return {
        "holds": share > 0.4,
        "facts": {"transfer": income["transfer"], "total": total, "share": round(share, 4)},
        "event_ids": [income["event_id"]],
    }


def _labour_without_work(state: State) -> State:
    has_labour = _fact(state, "has_labour")
    covered = _fact(state, "has_industry_or_employment")
    known = has_labour is not None and covered is not None
    return {
        "holds": (has_labour and not covered) if known else None,
        "facts": {"has_labour": has_labour, "has_industry_or_employment": covered},
        "event_ids": sorted(
            {
                state["facts"][n]["event_id"]
                for n in ("has_labour", "has_industry_or_employment")
                if n in state["facts"]
            }
        ),
    }


# The ten key-household criteria of seed 001, in its order.
CRITERIA: list[tuple[str, Callable[[State], State]]] = [
    ("transfer_income_over_40_percent", _transfer_share),
    ("labour_coefficient_below_half", _fact_criterion("labour_coefficient", lambda v: v < 0.5)),
    ("labour_without_industry_or_employment", _labour_without_work),
    ("seriously_ill_member", _fact_criterion("seriously_ill_members", lambda v: v >= 1)),
    (
        "three_children_in_non_compulsory_education",
        _fact_criterion("children_in_non_compulsory_education", lambda v: v >= 3),
    ),
    ("only_house_earthen", _fact_criterion("only_house_earthen", bool)),
    ("near_disaster_hazard", _fact_criterion("near_disaster_hazard", bool)),
    (
        "failed_industry_or_unstable_employment",
        _fact_criterion("failed_industry_or_unstable_employment", bool),
    ),
    ("lacks_motivation", _fact_criterion("lacks_motivation", bool)),
    ("single_over_45", _fact_criterion("single_over_45", bool)),
]


def _total_income(income: State | None) -> float | None:
    if income is None:
        return None
    return sum(income[name] for name in INCOME_SOURCES)


def _income(state: State, rules: State | None, on: str) -> State:
    year = int(on[:4])
    standard = rulebook.value(rules, "income_standard", year)
    edge_line = rulebook.value(rules, "edge_line", year)
    income = state["income"]
    total = _total_income(income)
    size = members.size(state, on)[0]
    per_capita = None if total is None or not size else round(total / size, 2)
    return {
        "sources": None if income is None else {n: income[n] for n in INCOME_SOURCES},
        "total": total,
        "size": size,
        "per_capita": per_capita,
        "event_id": None if income is None else income["event_id"],
        "year": year,
        "standard": standard,
        "meets_standard": None if per_capita is None else per_capita >= standard["value"],
        "edge_line": edge_line,
        "below_edge_line": None if per_capita is None else per_capita < edge_line["value"],
    }


def _exit_class(state: State, income: State, guarantees: dict, open_count: int) -> str | None:
    """Seed 003: A income and every indicator met; B income met, other shortfalls; C not."""
    if state["category"] != "registered_poor" or income["meets_standard"] is None:
        return None
    if not income["meets_standard"]:
        return "C"
    all_met = all(g["value"] in PASSING_CHECKS for g in guarantees.values())
    return "A" if all_met and open_count == 0 else "B"


def render(
    state: State, finding_states: list[State], rules: State | None, on: str
) -> State:
    """The status as of business date `on`, from the household's and its findings' states."""
    criteria = []
    from_members = members.criteria(state, on)
    for number, (name, evaluate) in enumerate(CRITERIA, start=1):
        judged = from_members.get(name) or evaluate(state)
        criteria.append({"number": number, "name": name, **judged})
    size, incomplete = members.size(state, on)
    guarantees = {
        name: shown(state["checks"].get(name)) or {"value": "unknown", "event_id": None, "on": None}
        for name in CHECK_NAMES
    }
    open_findings = [f for f in finding_states if findings.is_open(f)]
    overdue = [f for f in open_findings if findings.is_overdue(f, on)]
    income = _income(state, rules, on)
    exit_class = _exit_class(state, income, guarantees, len(open_findings))
    return {
        "household_id": state["household_id"],
        "village_id": state["village_id"],
        "head_name": state["head_name"],
        "size": size,
        "members_incomplete": incomplete,
        **members.render(state, on),
        "category": state["category"],
        **lifecycle.render(state),
        "reclassifications": state.get("reclassifications", []),
        "earlier_exits": state.get("earlier_exits", []),
        "as_of_date": on,
        "key_household": any(c["holds"] for c in criteria),
        "criteria": criteria,
        "guarantees": guarantees,
        "income": income,
        "exit_class": exit_class,
        "pre_exit": exit_class in ("A", "B"),
        "open_findings": [findings.summary(f, on) for f in open_findings],
        "overdue_findings": [f["finding_id"] for f in overdue],
        "last_visit": shown(state["last_visit"]),
        "responsible": responsibility.responsible_on(state["responsibilities"], on),
        **household_plans.render(state, on),
        "contradicted_decisions": state.get("contradicted_decisions", []),
    }
