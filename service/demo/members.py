"""The county's people: each household's members (家庭成员), drawn to agree with its facts.

Most households are registered in full, so their size and the criteria that speak of people
follow the members; a few only in part (the status shows `members_incomplete`) and a few not
yet. About half the members carry a 身份证号, each unique in the county. Members are drawn from
a random stream of their own, so the rest of the county is the same with or without them.
"""
from __future__ import annotations

from datetime import date, timedelta

from service.demo.base import CountyBase
from service.demo.plan import GIVEN, SURNAMES, YEAR, Household

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
UPPER = ("high_school", "vocational", "college")


def id_number(serial: int, born: date) -> str:
    """A GB 11643 number: a region code and a sequence number made unique by `serial`."""
    body = f"{430000 + serial // 1000 % 100000:06d}{born:%Y%m%d}{serial % 1000:03d}"
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


class Members(CountyBase):
    def register_members(self, household: Household, head_name: str, facts: dict,
                         on: date) -> None:
        rng = self.people
        share = rng.random()
        if share < 0.05:
            return  # not registered yet
        size = household.size
        count = size if share >= 0.10 else rng.randint(1, max(1, size - 1))
        surname = head_name[0]
        workers = round(facts["labour_coefficient"] * size)
        ill = min(size, facts["seriously_ill_members"])
        pupils = min(max(0, size - 2), facts["children_in_non_compulsory_education"])
        head_age = rng.randint(46, 75) if facts["single_over_45"] else rng.randint(28, 70)
        for index in range(count):
            relation, age = self.relation_and_age(index, head_age, pupils)
            born = date(YEAR - age, rng.randint(1, 12), rng.randint(1, 28))
            member_id = f"{household.household_id}-m{index + 1}"
            data = {
                "household_id": household.household_id, "member_id": member_id,
                "name": head_name if index == 0 else self.member_name(surname, relation),
                "relation": relation, "birth_date": born.isoformat(),
                "labour": "full" if index < workers else "none",
                "health": "serious_illness" if size - index <= ill else rng.choice(
                    ("healthy", "healthy", "healthy", "chronic_illness")),
                "schooling": self.schooling(index, age, pupils),
            }
            if rng.random() < 0.5:
                self.ids["id-number"] += 1
                data["id_number"] = id_number(self.ids["id-number"], born)
            household.members.append(member_id)
            self.admin("MemberRegistered", data, on)

    def member_name(self, surname: str, relation: str) -> str:
        """A spouse keeps a surname of her or his own; children take the head's."""
        rng = self.people
        given = "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        return (rng.choice(SURNAMES) if relation == "spouse" else surname) + given

    def relation_and_age(self, index: int, head_age: int, pupils: int) -> tuple[str, int]:
        """The head first, then a spouse, then the pupils and other children, a parent last."""
        rng = self.people
        if index == 0:
            return "head", head_age
        if index == 1 and head_age > 24:
            return "spouse", max(20, head_age + rng.randint(-5, 5))
        if index - 2 < pupils:
            return "child", rng.randint(15, 21)
        if head_age > 45 and rng.random() < 0.3:
            return "parent", min(95, head_age + rng.randint(20, 30))
        return "child", max(0, min(head_age - 20, rng.randint(0, 14)))

    @staticmethod
    def schooling(index: int, age: int, pupils: int) -> str:
        if 2 <= index < 2 + pupils:
            return UPPER[(index - 2) % len(UPPER)]
        if 6 <= age <= 14:
            return "compulsory"
        return "preschool" if age < 6 else "none"

    def member_leaves(self, household: Household, day: date) -> None:
        """A member who is not the head moves out or dies."""
        if len(household.members) < 2:
            return
        member_id = household.members.pop()
        self.admin("MemberLeft", {"household_id": household.household_id,
                                  "member_id": member_id,
                                  "reason": self.people.choice(("moved_out", "death",
                                                                "marriage_out"))},
                   day + timedelta(days=self.people.randint(0, 3)))
