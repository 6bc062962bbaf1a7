"""The subject an event is about: the household, unit, finding or person its data names.

One answer for every place that needs it: whose scope a dispute about the event falls in (the
read policy and the cadre's `DisputeOpened`), and the view and evidence pack of a dispute."""
from __future__ import annotations

from typing import Any

# In order: the first field an event's data holds names its subject. A registration or
# assignment naming a `subject_type`/`subject_id` (an inspection, a responsibility) comes after
# the fields naming an aggregate, and a scored village last.
SUBJECT_KEYS = (("finding_id", "finding"), ("household_id", "household"), ("unit_id", "unit"),
                ("person_id", "person"))
SUBJECT_TYPES = ("household", "unit")


def event_subject(data: dict[str, Any]) -> tuple[str, str] | None:
    """(subject type, subject id) of the event with this data, or None if it names none."""
    for key, kind in SUBJECT_KEYS:
        if isinstance(data.get(key), str) and data[key]:
            return kind, data[key]
    if data.get("subject_type") in SUBJECT_TYPES and isinstance(data.get("subject_id"), str):
        return data["subject_type"], data["subject_id"]
    if isinstance(data.get("village_id"), str) and data["village_id"]:
        return "unit", data["village_id"]
    return None
