"""A household's members in the write model: GB 11643 id numbers, and the size rules read on a
date (the recorded size until as many members are registered, then the members present)."""
from __future__ import annotations

from datetime import datetime

import pytest

from ledger.domain.base import recording
from ledger.domain.conditions import per_capita
from ledger.domain.members import id_number_problem
from ledger.domain.registry import Household
from ledger.errors import AlreadyExists, Conflict, NotFound


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00+08:00")


def test_an_id_number_needs_its_check_character_and_the_birth_date() -> None:
    assert id_number_problem("11010519491231002X", "1949-12-31") is None  # GB 11643's example
    assert "check digit" in id_number_problem("110105194912310021", "1949-12-31")
    assert "birth date" in id_number_problem("11010519491231002X", "1950-12-31")
    assert "18 characters" in id_number_problem("1101051949123100", None)


def _household() -> Household:
    with recording("admin", at("2020-01-02")):
        household = Household(household_id="h1", village_id="v1", head_name="Li", size=5,
                              category="registered_poor")
        household.note_inspection("i1", None, {"wage": 20000})
    return household


def _register(household: Household, member_id: str, day: str) -> None:
    with recording("admin", at(day)):
        household.register_member(member_id, name="x", relation="child",
                                  birth_date="2000-01-01")


def test_size_follows_members_only_once_they_are_complete() -> None:
    household = _household()
    for index in range(2):
        _register(household, f"m{index}", "2020-02-01")
    assert per_capita(household.record, "2020-03-01") == 4000  # 20,000 / the recorded 5
    for index in range(2, 5):
        _register(household, f"m{index}", "2020-03-01")
    with recording("admin", at("2020-04-01")):
        household.member_leaves("m4", "death")
        with pytest.raises(Conflict):
            household.member_leaves("m4", "death")
        with pytest.raises(NotFound):
            household.record_member_facts("m9", {"labour": "full"})
    with pytest.raises(AlreadyExists):
        _register(household, "m0", "2020-05-01")
    assert per_capita(household.record, "2020-02-15") == 4000
    assert per_capita(household.record, "2020-03-15") == 4000  # five present of five
    assert per_capita(household.record, "2020-04-15") == 5000  # four present
