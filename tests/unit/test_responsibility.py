"""Responsibility for households and units: assigned and ended by dated events, never ending
before it began, so "who was responsible on 1 March" has one answer."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.domain.base import recording
from ledger.domain.registry import Household
from ledger.domain.units import Unit
from ledger.errors import Conflict, Invalid


@pytest.fixture(autouse=True)
def _recording() -> Iterator[None]:
    with recording("county-admin"):
        yield


def _household() -> Household:
    return Household(household_id="h1", village_id="v1", head_name="Li Si", size=4,
                     category="registered_poor")


def _unit() -> Unit:
    return Unit(unit_id="v1", name="Sanjiayu", kind="village", parent_id=None)


def _count(aggregate: Household | Unit) -> int:
    return len(aggregate.pending_events)


def test_household_assignment_twice_and_ending_what_is_not_held_are_conflicts() -> None:
    household = _household()
    household.assign("p1", "helper_cadre", "2020-01-01")
    with pytest.raises(Conflict):
        household.assign("p1", "helper_cadre", "2020-02-01")
    with pytest.raises(Conflict):
        household.end_assignment("p2", "helper_cadre", "2020-06-30")
    with pytest.raises(Conflict):
        household.end_assignment("p1", "first_secretary", "2020-06-30")
    assert _count(household) == 2
    household.assign("p1", "first_secretary", "2020-01-01")  # another role is another duty
    household.end_assignment("p1", "helper_cadre", "2020-06-30")
    assert household.responsible == {"helper_cadre": {}, "first_secretary": {"p1": "2020-01-01"}}
    household.assign("p1", "helper_cadre", "2021-01-01")
    assert household.responsible["helper_cadre"] == {"p1": "2021-01-01"}


@pytest.mark.parametrize("make", [_household, _unit], ids=["household", "unit"])
def test_an_assignment_cannot_end_before_it_began(make) -> None:  # type: ignore[no-untyped-def]
    subject = make()
    subject.assign("p1", "first_secretary", "2020-03-01")
    before = _count(subject)
    with pytest.raises(Invalid) as caught:
        subject.end_assignment("p1", "first_secretary", "2020-02-29")
    assert caught.value.details == {"field": "effective_to"}
    assert _count(subject) == before
    subject.end_assignment("p1", "first_secretary", "2020-03-01")  # same day: never held
    assert type(subject.pending_events[-1]).__name__ == "ResponsibilityEnded"


@pytest.mark.parametrize("make", [_household, _unit], ids=["household", "unit"])
def test_a_new_term_is_measured_from_its_own_start(make) -> None:  # type: ignore[no-untyped-def]
    subject = make()
    subject.assign("p1", "first_secretary", "2019-01-01")
    subject.end_assignment("p1", "first_secretary", "2019-12-31")
    subject.assign("p1", "first_secretary", "2020-06-01")
    with pytest.raises(Invalid):
        subject.end_assignment("p1", "first_secretary", "2020-05-31")
    subject.end_assignment("p1", "first_secretary", "2020-12-31")


def test_every_spell_is_kept_so_a_role_is_judged_on_a_date() -> None:
    household = _household()
    household.assign("p1", "helper_cadre", "2020-01-01")
    household.end_assignment("p1", "helper_cadre", "2020-06-30")
    household.assign("p1", "helper_cadre", "2021-01-01")
    held = {day: household.holds_on("p1", "helper_cadre", day)
            for day in ("2019-12-31", "2020-01-01", "2020-06-30", "2020-07-01", "2021-01-01")}
    assert held == {"2019-12-31": False, "2020-01-01": True, "2020-06-30": True,
                    "2020-07-01": False, "2021-01-01": True}
    assert not household.holds_on("p1", "first_secretary", "2020-03-01")


def test_a_snapshot_from_before_spells_starts_from_its_current_holders() -> None:
    unit = _unit()
    unit.assign("p1", "village_secretary", "2020-03-01")
    del unit.__dict__["responsibility_spells"]  # as an older snapshot holds it
    assert unit.holds_on("p1", "village_secretary", "2020-03-01")
    assert not unit.holds_on("p1", "village_secretary", "2020-02-28")
    unit.end_assignment("p1", "village_secretary", "2020-05-31")
    assert not unit.holds_on("p1", "village_secretary", "2020-06-01")
