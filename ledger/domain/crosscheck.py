"""Cross-checks (数据比对) against the information system, decided on the household itself.

A mixin of `Household`. The household's record by business time (`ledger.domain.timeline`)
says what the ledger knew valid on the compared record's `as_of_date`, whatever order the facts
were entered in. Each differing field becomes one `DataMismatchFound`, recorded by the ledger
itself; a mismatch stays open until `MismatchResolved`, and a comparison that repeats an open
mismatch records no duplicate. The head's name is not kept in the household's state (snapshots
would hold it): the caller hands over the one in the household's registration.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from ledger.domain.base import LedgerAggregate, as_system, occurring_at
from ledger.domain.members import size_on
from ledger.domain.order import mark_of, require_not_before
from ledger.domain.timeline import Timeline, business_day, on
from ledger.errors import InvalidTransition, NotFound

RECORD_FIELDS = ("size", "category", "per_capita_income", "poverty_status", "head_name")
# Compared too, from what the caller opens of sealed personal data (the members' id numbers).
COMPARED_FIELDS = (*RECORD_FIELDS, "id_numbers")
POVERTY_STATUSES = ("registered_poor", "exited", "not_registered")
RESOLUTIONS = ("ledger_corrected", "system_corrected", "explained")
MONEY_TOLERANCE = 1.0  # yuan: the two systems round income differently
# An open mismatch on one of these says the household may not be what its exit claims.
EXIT_BLOCKING_FIELDS = ("category", "poverty_status", "per_capita_income", "size")


def poverty_status(category: str | None) -> str | None:
    """The poverty status a category stands for (None: the household was not known yet)."""
    if category is None:
        return None
    return category if category in ("registered_poor", "exited") else "not_registered"


def ledger_record(record: Timeline, day: str, head_name: str) -> dict[str, Any]:
    """Every comparable field as the ledger knew it valid on `day` (None: not known)."""
    size, income = size_on(record, day), on(record, "income", day)
    category = on(record, "category", day)
    return {
        "size": size,
        "category": category,
        "per_capita_income": None if income is None or not size
        else round(sum(income.values()) / size, 2),
        "poverty_status": poverty_status(category),
        "head_name": None if size is None else head_name,
    }


def _same(name: str, system_value: Any, ledger_value: Any) -> bool:
    if ledger_value is None:
        return False
    if name == "per_capita_income":
        return abs(float(system_value) - float(ledger_value)) <= MONEY_TOLERANCE
    if name == "id_numbers":  # the members' numbers, in any order
        return sorted(system_value) == sorted(ledger_value)
    return bool(system_value == ledger_value)


class CrossChecks:
    household_id: str
    id: UUID
    version: int
    record: Timeline
    open_mismatches: dict[str, dict[str, Any]]
    resolved_mismatches: dict[str, str]
    responsible: dict[str, dict[str, str]]
    trigger_event: Any

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
        # Third round: the deadline (the comparison's date + mismatch_days) and its owners.
        due_date: str | None = None
        responsible_person_ids: list[str] | None = None

        def apply(self, household: Any) -> None:
            household.open_mismatches[f"{self.originator_id}:{self.originator_version}"] = {
                "field": self.field, "system_value": self.system_value,
                "ledger_value": self.ledger_value, "found": mark_of(self),
                "on": business_day(self.occurred_at)}

    class MismatchResolved(LedgerAggregate.Event):
        household_id: str
        mismatch_event_id: str
        resolution: str
        note: str

        def apply(self, household: Any) -> None:
            closed = household.open_mismatches.pop(self.mismatch_event_id)
            # Kept for a dispute that reopens it (ledger.domain.reversals).
            household.__dict__.setdefault("closed_mismatches", {})[self.mismatch_event_id] = closed
            household.resolved_mismatches[self.mismatch_event_id] = (
                f"{self.originator_id}:{self.originator_version}")

    def differences(self, as_of_date: str, compared: dict[str, Any], head_name: str,
                    opened: dict[str, Any] | None = None) -> list[tuple[str, Any, Any]]:
        """(field, system value, ledger value) for each field that differs and is not already
        an open mismatch with the same values, in the order of COMPARED_FIELDS. `opened`: what
        the caller opened of the sealed personal data (the members' id numbers)."""
        ledger = {"id_numbers": None, **ledger_record(self.record, as_of_date, head_name),
                  **(opened or {})}
        still_open = {(m["field"], repr(m["system_value"]), repr(m["ledger_value"]))
                      for m in self.open_mismatches.values()}
        found = []
        for name in COMPARED_FIELDS:
            if name not in compared or _same(name, compared[name], ledger[name]):
                continue
            if (name, repr(compared[name]), repr(ledger[name])) not in still_open:
                found.append((name, compared[name], ledger[name]))
        return found

    def helper_cadres_on(self, day: str) -> list[str]:
        """Who held helper_cadre for the household on business day `day` (and still does)."""
        held = self.responsible.get("helper_cadre", {})
        return sorted(person for person, since in held.items() if since <= day)

    def compare_system_record(self, source: str, as_of_date: str, compared: dict[str, Any],
                              head_name: str, mismatch_days: int = 30,
                              opened: dict[str, Any] | None = None) -> None:
        """Record the comparison, then, as the ledger itself, each field that differs: due
        `mismatch_days` after the comparison's own date, owned by the helper cadres then."""
        found = self.differences(as_of_date, compared, head_name, opened)
        self.trigger_event(self.SystemRecordCompared, household_id=self.household_id,
                           source=source, as_of_date=as_of_date, record=compared)
        compared_event_id = f"{self.id}:{self.version}"
        day = business_day(occurring_at())
        due_date = (date.fromisoformat(day) + timedelta(days=mismatch_days)).isoformat()
        owners = self.helper_cadres_on(day)
        with as_system():
            for name, system_value, ledger_value in found:
                self.trigger_event(self.DataMismatchFound, household_id=self.household_id,
                                   field=name, system_value=system_value,
                                   ledger_value=ledger_value,
                                   compared_event_id=compared_event_id, due_date=due_date,
                                   responsible_person_ids=owners)

    def blocking_mismatches(self, day: str) -> list[dict[str, Any]]:
        """The exit's unmet condition for open mismatches found by `day` on a field that an
        exit depends on (none: an empty list)."""
        blocking = sorted(event_id for event_id, m in self.open_mismatches.items()
                          if m["field"] in EXIT_BLOCKING_FIELDS and m.get("on", "") <= day)
        if not blocking:
            return []
        fields = sorted({self.open_mismatches[e]["field"] for e in blocking})
        return [{"condition": "open_mismatches", "mismatch_event_ids": blocking,
                 "fields": fields,
                 "message": f"{len(blocking)} open mismatch(es) with the information system "
                            f"on {', '.join(fields)}"}]

    def resolve_mismatch(self, mismatch_event_id: str, resolution: str, note: str) -> None:
        if mismatch_event_id in self.resolved_mismatches:
            raise InvalidTransition(
                f"mismatch {mismatch_event_id} was already resolved",
                field="mismatch_event_id",
                resolved_by=self.resolved_mismatches[mismatch_event_id])
        if mismatch_event_id not in self.open_mismatches:
            raise NotFound(f"no mismatch {mismatch_event_id!r} on household "
                           f"{self.household_id}", field="mismatch_event_id",
                           id=mismatch_event_id)
        require_not_before(self.open_mismatches[mismatch_event_id].get("found"),
                           "the mismatch was found", mismatch_event_id=mismatch_event_id)
        self.trigger_event(self.MismatchResolved, household_id=self.household_id,
                           mismatch_event_id=mismatch_event_id, resolution=resolution,
                           note=note)
