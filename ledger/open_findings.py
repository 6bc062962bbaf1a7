"""Keeping each unit's tally of open findings current (see `Unit`): which units a finding
concerns, and the derived events a raise, a transfer or a closing records on them.

A finding concerns its responsible unit, its subject (the unit itself, or the village of a
household), and every unit above either of them. Units never move in the tree, so walking up
`parent_id` from the two gives the same answer on every write of the finding.
"""
from __future__ import annotations

from collections.abc import Iterable

from ledger.domain.registry import Household
from ledger.domain.supervision import Finding
from ledger.domain.timeline import business_day
from ledger.domain.units import TALLY_CHANGES, Unit
from ledger.session import Session


def _up_from(session: Session, unit_id: str | None) -> list[Unit]:
    """The unit and every unit above it, nearest first."""
    chain: list[Unit] = []
    while unit_id is not None:
        unit = session.get(Unit, unit_id, "unit_id")
        chain.append(unit)
        unit_id = unit.parent_id
    return chain


def _subject_unit(session: Session, finding: Finding) -> str | None:
    if finding.subject_type == "household" and finding.subject_id is not None:
        return session.get(Household, finding.subject_id, "subject_id").village_id
    return finding.subject_id


def concerned(session: Session, finding: Finding, responsible_unit_id: str) -> dict[str, Unit]:
    """The units that count `finding` while `responsible_unit_id` answers for it, by id."""
    units = _up_from(session, responsible_unit_id) + _up_from(
        session, _subject_unit(session, finding))
    return {unit.unit_id: unit for unit in units}


def count_raised(session: Session, finding: Finding) -> None:
    """A new finding enters its responsible unit's ledger and every concerned unit's tally."""
    _enter(finding, concerned(session, finding, finding.responsible_unit_id).values())


def _enter(finding: Finding, units: Iterable[Unit]) -> None:
    for unit in units:
        if unit.unit_id == finding.responsible_unit_id:
            unit.attach_finding(finding.finding_id)
        else:
            unit.count_open_finding(finding.finding_id)


def settle(session: Session, finding: Finding, reason: str) -> None:
    """A finding closed or withdrawn leaves every tally that counted it; a withdrawn one from
    the day it was raised (it never stood)."""
    since = finding.raised_on() if reason == "withdrawn" else None
    for unit in concerned(session, finding, finding.responsible_unit_id).values():
        unit.settle_open_finding(finding.finding_id, reason, since)


def transferred(session: Session, finding: Finding, from_unit_id: str, reason: str) -> None:
    """After a transfer: units that now answer for it count it, units that no longer do
    settle it; the units above its subject count it throughout."""
    before = concerned(session, finding, from_unit_id)
    after = concerned(session, finding, finding.responsible_unit_id)
    for unit_id, unit in before.items():
        if unit_id not in after:
            unit.settle_open_finding(finding.finding_id, reason)
    _enter(finding, [unit for unit_id, unit in after.items() if unit_id not in before])


def read_back_open(session: Session, unit: Unit, day: str) -> list[str]:
    """The findings open in the unit's tally on business day `day`, as known now, read back
    from its whole stream (the slow path, taken only to name them in a refusal)."""
    changes: dict[str, int] = {}
    for event in session.history(unit):
        change = TALLY_CHANGES.get(type(event).__name__)
        if change is None:
            continue
        if (getattr(event, "since", None) or business_day(event.occurred_at)) <= day:
            changes[event.finding_id] = changes.get(event.finding_id, 0) + change
    return [finding_id for finding_id, count in changes.items() if count > 0]
