"""Cross-checks (数据比对) against the information system, decided on the household itself.

The household keeps what it was told by business time (`known`: each value with when it held),
so a comparison asks what the ledger knew valid on the record's `as_of_date`, whatever order
the facts were entered in. Each differing field becomes one `DataMismatchFound`, recorded by the
ledger itself; a mismatch stays open until `MismatchResolved`, and a comparison that repeats an
open mismatch records no duplicate.
"""
from __future__ import annotations

import bisect
from typing import Any

from ledger.domain.base import LedgerAggregate, business_moment
from ledger.errors import InvalidTransition, NotFound

RECORD_FIELDS = ("size", "category", "per_capita_income", "poverty_status", "head_name")
POVERTY_STATUSES = ("registered_poor", "exited", "not_registered")
RESOLUTIONS = ("ledger_corrected", "system_corrected", "explained")
MONEY_TOLERANCE = 1.0  # yuan: the two systems round income differently
# Household events and the values they tell, by name in `known`.
TOLD = {"HouseholdRegistered": ("size", "category", "head_name"),
        "HouseholdFactsRecorded": ("size", "category", "income")}

Known = dict[str, list[list[Any]]]  # value name -> [[microseconds, business date, value], ...]


def poverty_status(category: str | None) -> str | None:
    """The poverty status a category stands for; the exit procedure will tell it directly."""
    if category is None:
        return None
    return category if category in ("registered_poor", "exited") else "not_registered"


def note_known(known: Known, event: Any) -> None:
    """Keep the values a household event tells, in business-time order (the same moment: the
    later recorded wins)."""
    told = TOLD.get(type(event).__name__)
    if told is None:
        return
    moment = business_moment(event.occurred_at)
    for name in told:
        value = getattr(event, name)
        if value is None:
            continue
        if name == "income":
            value = sum(float(v) for v in value.values())
        held = known.setdefault(name, [])
        at = bisect.bisect_right([h[:2] for h in held], moment)
        held.insert(at, [*moment, value])


def value_on(known: Known, name: str, on: str) -> Any:
    """The latest value of `name` that happened on or before business date `on`, or None."""
    for _, day, value in reversed(known.get(name, [])):
        if day <= on:
            return value
    return None


def ledger_record(known: Known, on: str) -> dict[str, Any]:
    """Every comparable field as the ledger knew it valid on `on` (None: not known)."""
    size, total = value_on(known, "size", on), value_on(known, "income", on)
    category = value_on(known, "category", on)
    return {
        "size": size,
        "category": category,
        "per_capita_income": None if total is None or not size else round(total / size, 2),
        "poverty_status": poverty_status(category),
        "head_name": value_on(known, "head_name", on),
    }


def _same(name: str, system_value: Any, ledger_value: Any) -> bool:
    if ledger_value is None:
        return False
    if name == "per_capita_income":
        return abs(float(system_value) - float(ledger_value)) <= MONEY_TOLERANCE
    return bool(system_value == ledger_value)


def differences(known: Known, open_mismatches: dict[str, dict[str, Any]], on: str,
                record: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, system value, ledger value) for each field that differs and is not already an
    open mismatch with the same values, in the order of RECORD_FIELDS."""
    ledger = ledger_record(known, on)
    still_open = {(m["field"], repr(m["system_value"]), repr(m["ledger_value"]))
                  for m in open_mismatches.values()}
    found = []
    for name in RECORD_FIELDS:
        if name not in record or _same(name, record[name], ledger[name]):
            continue
        if (name, repr(record[name]), repr(ledger[name])) not in still_open:
            found.append((name, record[name], ledger[name]))
    return found


def require_open(open_mismatches: dict[str, dict[str, Any]], mismatch_event_id: str,
                 resolved: dict[str, str]) -> None:
    if mismatch_event_id in resolved:
        raise InvalidTransition(
            f"mismatch {mismatch_event_id} was already resolved",
            field="mismatch_event_id", resolved_by=resolved[mismatch_event_id])
    if mismatch_event_id not in open_mismatches:
        raise NotFound(f"no mismatch {mismatch_event_id!r} on this household",
                       field="mismatch_event_id", id=mismatch_event_id)


class SystemRecordCompared(LedgerAggregate.Event):
    household_id: str
    source: str
    as_of_date: str
    record: dict[str, Any]


class DataMismatchFound(LedgerAggregate.Event):
    household_id: str
    field: str
    system_value: Any
    ledger_value: Any
    compared_event_id: str

    def apply(self, aggregate: Any) -> None:
        aggregate.open_mismatches[f"{self.originator_id}:{self.originator_version}"] = {
            "field": self.field, "system_value": self.system_value,
            "ledger_value": self.ledger_value}


class MismatchResolved(LedgerAggregate.Event):
    household_id: str
    mismatch_event_id: str
    resolution: str
    note: str

    def apply(self, aggregate: Any) -> None:
        del aggregate.open_mismatches[self.mismatch_event_id]
        aggregate.resolved_mismatches[self.mismatch_event_id] = (
            f"{self.originator_id}:{self.originator_version}")
