"""A household's members (家庭成员, 一人一措施): who lives in it, and its size from them.

A mixin of `Household`. Each member's presence is kept on the household's record by business
time (`member:<id>`: present from its registration, left from its `MemberLeft`), so the size a
rule reads on a date follows the members once as many are registered as the recorded size, and
stays the recorded size until then (registering two of five members must not raise per-capita
income). Names, birth dates, id numbers and health are sealed in the events: the household keeps
none of them, only which event last gave a member an id number.
"""
from __future__ import annotations

import re
from typing import Any

from ledger.domain.base import LedgerAggregate, occurring_at
from ledger.domain.timeline import Timeline, business_day, latest, note, on
from ledger.errors import AlreadyExists, Conflict, NotFound

RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
HEALTH = ("healthy", "chronic_illness", "serious_illness", "disability")
LABOUR = ("full", "partial", "none")
SCHOOLING = ("preschool", "compulsory", "high_school", "vocational", "college", "none")
LEAVING_REASONS = ("death", "marriage_out", "moved_out", "other")
MEMBER_FACTS = ("id_number", "health", "labour", "schooling")
PRESENT, LEFT = "present", "left"
MEMBER_PREFIX = "member:"

# GB 11643: 17 digits and an ISO 7064 MOD 11-2 check character.
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK = "10X98765432"


def normalised_id_number(text: str) -> str:
    return text.strip().upper()


def id_number_problem(number: str, birth_date: str | None) -> str | None:
    """Why `number` (normalised) is not a valid 身份证号 of someone born on `birth_date`, or
    None when it is (no birth date given: its check digit alone)."""
    if not ID_NUMBER.match(number):
        return "must be 18 characters: 17 digits and a digit or X"
    expected = ID_CHECK[sum(int(d) * w for d, w in zip(number, ID_WEIGHTS, strict=False)) % 11]
    if number[17] != expected:
        return f"check digit is {number[17]}, GB 11643 (MOD 11-2) gives {expected}"
    if birth_date is not None and number[6:14] != birth_date.replace("-", ""):
        return f"digits 7-14 ({number[6:14]}) are not the birth date {birth_date}"
    return None


def member_key(member_id: str) -> str:
    return MEMBER_PREFIX + member_id


def size_on(record: Timeline, day: str) -> int | None:
    """The household's size on `day`: the recorded size while fewer members are registered by
    then, else the members present on that day."""
    recorded = on(record, "size", day)
    keys = [k for k in record if k.startswith(MEMBER_PREFIX)]
    registered = sum(1 for k in keys if record[k][0][0] <= day)
    if recorded is None or registered < recorded:
        return recorded
    return sum(1 for k in keys if on(record, k, day) == PRESENT)


def members_of(household: Any) -> dict[str, dict[str, Any]]:
    """member id -> {"id_version": the version of the event that last gave its id number}.
    (Snapshots from before members have none.)"""
    found: dict[str, dict[str, Any]] = household.__dict__.setdefault("members", {})
    return found


class Members:
    household_id: str
    record: Timeline
    trigger_event: Any

    class MemberRegistered(LedgerAggregate.Event):
        household_id: str
        member_id: str
        name: Any
        relation: str
        birth_date: Any
        id_number: Any = None
        health: Any = None
        labour: str | None = None
        schooling: str | None = None

        def apply(self, household: Any) -> None:
            note(household.record, member_key(self.member_id), self.occurred_at, PRESENT)
            members_of(household)[self.member_id] = {
                "registered_version": self.originator_version,
                "id_version": None if self.id_number is None else self.originator_version}

    class MemberFactsRecorded(LedgerAggregate.Event):
        household_id: str
        member_id: str
        id_number: Any = None
        health: Any = None
        labour: str | None = None
        schooling: str | None = None

        def apply(self, household: Any) -> None:
            if self.id_number is not None:
                members_of(household)[self.member_id]["id_version"] = self.originator_version

    class MemberLeft(LedgerAggregate.Event):
        household_id: str
        member_id: str
        reason: str

        def apply(self, household: Any) -> None:
            note(household.record, member_key(self.member_id), self.occurred_at, LEFT)

    def register_member(self, member_id: str, **data: Any) -> None:
        if member_id in members_of(self):
            raise AlreadyExists(
                f"member {member_id!r} is already registered in household {self.household_id}",
                field="member_id", id=member_id)
        self.trigger_event(self.MemberRegistered, household_id=self.household_id,
                           member_id=member_id, **data)

    def record_member_facts(self, member_id: str, facts: dict[str, Any]) -> None:
        self.present_member(member_id)
        self.trigger_event(self.MemberFactsRecorded, household_id=self.household_id,
                           member_id=member_id, **facts)

    def member_leaves(self, member_id: str, reason: str) -> None:
        self.present_member(member_id)
        self.trigger_event(self.MemberLeft, household_id=self.household_id,
                           member_id=member_id, reason=reason)

    def present_member(self, member_id: str, field: str = "member_id") -> dict[str, Any]:
        """The member, registered in this household and not left (as known now), on the
        command's date; NotFound or Conflict naming `member_id` otherwise."""
        member = members_of(self).get(member_id)
        if member is None:
            raise NotFound(
                f"member {member_id!r} is not registered in household {self.household_id}",
                field=field, id=member_id, household_id=self.household_id)
        key = member_key(member_id)
        day = business_day(occurring_at())
        if latest(self.record, key) == LEFT:
            raise Conflict(f"member {member_id!r} has already left household "
                           f"{self.household_id}", field=field, id=member_id)
        if self.record[key][0][0] > day:
            raise Conflict(f"member {member_id!r} was registered after {day}",
                           field=field, id=member_id, on=day)
        return member
