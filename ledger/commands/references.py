"""What an event's data refers to, so the session can load all of it in one query."""
from __future__ import annotations

from collections.abc import Iterator

from ledger.commands.guards import Data, registration_event_id
from ledger.domain.base import LedgerAggregate
from ledger.domain.registry import Household, Person
from ledger.domain.scoring import Dispute
from ledger.domain.supervision import Finding, Inspection, Warning
from ledger.domain.units import Unit
from ledger.session import Reference

# Fields that name an aggregate, whatever the event type: the contract gives each one meaning.
REFERENCE_FIELDS: dict[str, type[LedgerAggregate]] = {
    "unit_id": Unit,
    "parent_id": Unit,
    "supervising_unit_id": Unit,
    "to_unit_id": Unit,
    "to_person_id": Person,
    "village_id": Unit,
    "responsible_unit_id": Unit,
    "person_id": Person,
    "responsible_person_id": Person,
    "approved_by": Person,
    "inspector_ids": Person,
    "household_id": Household,
    "finding_id": Finding,
    "finding_ids": Finding,
    "inspection_id": Inspection,
    "warning_id": Warning,
    "dispute_id": Dispute,
}
# Fields that name recorded events by event id.
EVENT_FIELDS = ("basis", "contested_event_id")


def references(data: Data) -> Iterator[Reference]:
    """The aggregates an event's data names, existing or about to be created.

    Only a hint for loading in bulk: a handler still asks the session for each aggregate, and
    one not named here (the unit of a revoked warning) is loaded when it is asked for."""
    for name, value in data.items():
        cls = REFERENCE_FIELDS.get(name)
        if name == "subject_id":
            cls = Household if data.get("subject_type") == "household" else Unit
        if cls is None:
            continue
        for natural_id in value if isinstance(value, list) else [value]:
            if isinstance(natural_id, str):
                yield cls, natural_id


def event_references(data: Data) -> Iterator[str]:
    """The event ids an event's data names (and a compared head's name, its registration)."""
    for name in EVENT_FIELDS:
        value = data.get(name)
        for event_id in value if isinstance(value, list) else [value]:
            if isinstance(event_id, str):
                yield event_id
    if "head_name" in (data.get("record") or {}) and isinstance(data.get("household_id"), str):
        yield registration_event_id(data["household_id"])
