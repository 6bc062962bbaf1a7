"""Which fields are personal, whose they are, and how a sealed field looks in stored data."""
from __future__ import annotations

from typing import Any

PERSONAL_FIELDS = frozenset({
    "head_name",  # the household head's name
    "name",  # a person's name; a file name in rectification evidence
    "description", "note", "grounds", "reason",  # free texts about the subject
    "record", "system_value", "ledger_value",  # what an information system holds about it
    "phone", "address", "id_number",  # contact and identity details, where given
    "birth_date", "health",  # a household member's
})
# Events whose `name` is not a person's: units are not data subjects.
IMPERSONAL_TYPES = frozenset({"UnitRegistered"})
# Fields named like free texts that are a choice from a fixed list in these types.
PLAIN_FIELDS_OF: dict[str, frozenset[str]] = {
    "HouseholdReclassified": frozenset({"reason"}),
    "MemberLeft": frozenset({"reason"}),
}
SEALED = "_sealed_"
HOUSEHOLD, PERSON = "household", "person"


def subject_key(subject_type: str, subject_id: str) -> str:
    return f"{subject_type}:{subject_id}"


def subject_from_data(data: dict[str, Any]) -> str | None:
    """The data subject an event's data is about, when its own fields say so."""
    if isinstance(data.get("household_id"), str):
        return subject_key(HOUSEHOLD, data["household_id"])
    if data.get("subject_type") == HOUSEHOLD and isinstance(data.get("subject_id"), str):
        return subject_key(HOUSEHOLD, data["subject_id"])
    if isinstance(data.get("person_id"), str):
        return subject_key(PERSON, data["person_id"])
    return None


def sealed_subjects(value: Any) -> list[tuple[str, str]]:
    """The data subjects whose sealed fields `value` holds (stored data, before opening), in
    the order first met: whose personal data a reader of it is shown."""
    found: dict[tuple[str, str], None] = {}
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if isinstance(item.get(SEALED), str):
                kind, _, natural_id = item[SEALED].partition(":")
                found.setdefault((kind, natural_id), None)
            else:
                todo.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple):
            todo.extend(reversed(item))
    return list(found)
