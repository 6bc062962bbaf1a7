"""A household's members in its status, and what the status judges from them: its size and
the key-household criteria that speak of people (CONTRACT.md, "Members and the household").

Folded into the household's state (`projections.households` hands these events over). Names,
birth dates, id numbers and health stay sealed in the state; the status read opens them before
rendering (`Views.household`), so the criteria on health and age are judged there, and reads
that render sealed states (lists, roll-ups) judge them from the household's own facts.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from projections.business_time import keep_latest, shown
from projections.events import Event

State = dict[str, Any]
EVENTS = frozenset({"MemberRegistered", "MemberFactsRecorded", "MemberLeft"})
FACTS = ("name", "relation", "birth_date", "id_number", "health", "labour", "schooling")
UPPER_SCHOOLING = ("high_school", "vocational", "college")
LABOUR_WEIGHT = {"full": 1.0, "partial": 0.5, "none": 0.0}


def apply(state: State, event: Event) -> None:
    members = state.setdefault("members", {})
    data = event.data
    if event.type == "MemberRegistered":
        members[data["member_id"]] = {
            "member_id": data["member_id"], "registered_on": event.occurred_on,
            "registered_event": event.event_id, "left": None, "facts": {}}
    member = members.get(data["member_id"])
    if member is None:
        return
    if event.type == "MemberLeft":
        member["left"] = {"on": event.occurred_on, "reason": data["reason"],
                          "event_id": event.event_id}
        return
    for name in FACTS:
        if data.get(name) is not None:
            keep_latest(member["facts"], name, {"value": data[name], "event_id": event.event_id},
                        event)


def present(state: State, on: str) -> list[State]:
    return [m for m in state.get("members", {}).values()
            if m["registered_on"] <= on and (m["left"] is None or m["left"]["on"] > on)]


def size(state: State, on: str) -> tuple[int, bool]:
    """The size on `on` and whether the members are incomplete (fewer registered by then than
    the recorded size: the recorded size stands)."""
    registered = [m for m in state.get("members", {}).values() if m["registered_on"] <= on]
    if len(registered) < state["size"]:
        return state["size"], True
    return len(present(state, on)), False


def render(state: State, on: str) -> State:
    """The members present on `on`, each with its facts and their event ids, and every member
    who left by then."""
    shown_members = []
    for member in state.get("members", {}).values():
        if member["registered_on"] > on:
            continue
        facts = {name: shown(held) for name, held in member["facts"].items()}
        event_ids = sorted({member["registered_event"],
                            *(f["event_id"] for f in facts.values() if f),
                            *([member["left"]["event_id"]] if member["left"] else [])})
        shown_members.append({"member_id": member["member_id"],
                              "registered_on": member["registered_on"],
                              "present": member in present(state, on), "left": member["left"],
                              "facts": facts, "event_ids": event_ids})
    return {"members": shown_members}


# The criteria judged from complete members ---------------------------------------------
def _value(member: State, name: str) -> Any:
    held = member["facts"].get(name)
    value = None if held is None else held["value"]
    return value if isinstance(value, str) else None  # still sealed: not known here


def _ids(members: list[State], name: str) -> list[str]:
    return sorted({m["facts"][name]["event_id"] for m in members if name in m["facts"]})


def _all_known(members: list[State], name: str) -> bool:
    return bool(members) and all(_value(m, name) is not None for m in members)


def _any_known(members: list[State], name: str) -> bool:
    """For a count of members with a fact, one not recorded is not counted."""
    return any(_value(m, name) is not None for m in members)


def labour_coefficient(members: list[State]) -> State | None:
    if not _all_known(members, "labour"):
        return None
    value = sum(LABOUR_WEIGHT[_value(m, "labour")] for m in members) / len(members)
    return {"holds": value < 0.5, "facts": {"labour_coefficient": round(value, 4),
                                            "members": len(members)},
            "event_ids": _ids(members, "labour"), "from_members": True}


def serious_illness(members: list[State]) -> State | None:
    if not _any_known(members, "health"):
        return None
    ill = [m["member_id"] for m in members if _value(m, "health") == "serious_illness"]
    return {"holds": bool(ill), "facts": {"seriously_ill_members": len(ill), "member_ids": ill},
            "event_ids": _ids(members, "health"), "from_members": True}


def upper_schooling(members: list[State]) -> State | None:
    if not _any_known(members, "schooling"):
        return None
    pupils = [m["member_id"] for m in members if _value(m, "schooling") in UPPER_SCHOOLING]
    return {"holds": len(pupils) >= 3,
            "facts": {"children_in_non_compulsory_education": len(pupils), "member_ids": pupils},
            "event_ids": _ids(members, "schooling"), "from_members": True}


def single_over_45(members: list[State], on: str) -> State | None:
    if not _all_known(members, "birth_date"):
        return None
    day = date.fromisoformat(on)
    ages = [_age(date.fromisoformat(_value(m, "birth_date")), day) for m in members]
    return {"holds": len(members) == 1 and ages[0] > 45,
            "facts": {"members": len(members), "ages": ages},
            "event_ids": _ids(members, "birth_date"), "from_members": True}


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def criteria(state: State, on: str) -> dict[str, State]:
    """Criterion name -> its judgement from the members present on `on`, for those the members
    decide (complete, with the facts known); the others are judged from the household's facts."""
    if not state.get("members") or size(state, on)[1]:
        return {}
    members = present(state, on)
    judged = {
        "labour_coefficient_below_half": labour_coefficient(members),
        "seriously_ill_member": serious_illness(members),
        "three_children_in_non_compulsory_education": upper_schooling(members),
        "single_over_45": single_over_45(members, on),
    }
    return {name: found for name, found in judged.items() if found is not None}
