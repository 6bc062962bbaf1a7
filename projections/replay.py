"""Replay: fold one subject's events, cut to a moment or a date, with the live folds."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from projections.events import business_date, decode, microseconds, today
from projections.findings import FINDING_EVENTS
from projections.routing import Folder
from projections.routing import subject as subject_of
from projections.store import ProjectionStore

State = dict[str, Any]


@dataclass(frozen=True)
class Cut:
    """What a read may see: events recorded by `as_of` (system time) and/or that happened on
    or before `valid_at` (business time). Neither: the live views."""

    as_of: datetime | None = None
    valid_at: date | None = None

    @property
    def live(self) -> bool:
        return self.as_of is None and self.valid_at is None

    def on(self, now: datetime | None = None) -> str:
        """The business date rules and deadlines are judged on."""
        if self.valid_at is not None:
            return self.valid_at.isoformat()
        if self.as_of is not None:
            return business_date(self.as_of)
        return today(now).isoformat()


def replay(store: ProjectionStore, subject: str, cut: Cut) -> Folder:
    """Fold the events indexed under `subject` that the cut lets through, in log order."""
    folder = Folder()
    as_of_us = None if cut.as_of is None else microseconds(cut.as_of)
    valid_at = None if cut.valid_at is None else cut.valid_at.isoformat()
    for raw, _ in store.subject_log(subject, as_of_us, valid_at):
        folder.fold(decode(raw))
    return folder


def replay_many(store: ProjectionStore, subjects: list[str], cut: Cut
                ) -> tuple[Folder, dict[tuple[str, str], str]]:
    """Fold the events of several subjects that the cut lets through, each once, in log order
    (one query for their positions); with the latest business date folded into each state."""
    statement = ("SELECT DISTINCT position FROM proj_subject_events "
                 f"WHERE subject IN ({', '.join('?' * len(subjects))})")
    params: list[Any] = list(subjects)
    if cut.as_of is not None:
        statement += " AND recorded_us <= ?"
        params.append(microseconds(cut.as_of))
    if cut.valid_at is not None:
        statement += " AND occurred_on <= ?"
        params.append(cut.valid_at.isoformat())
    positions = sorted(int(row[0]) for row in store.query(statement, params)) if subjects else []
    folder = Folder()
    latest: dict[tuple[str, str], str] = {}
    for raw, _ in store.log.rows(positions, False):
        event = decode(raw)
        for target in folder.fold(event):
            latest[target] = max(latest.get(target, ""), event.occurred_on)
    return folder, latest


def replay_with_findings(store: ProjectionStore, subject: str, cut: Cut) -> Folder:
    """`replay`, with every finding the subject's events name folded whole (to the cut).

    A finding transferred to a unit reaches the unit's index only from the transfer on, so the
    unit's own events would fold it from the middle (no raise: no state). Its whole story is
    under its own subject; folded with the unit's events, each once, in log order, a replay
    answers what the live read answered (a transferred finding is the new unit's from the
    transfer's date)."""
    as_of_us = None if cut.as_of is None else microseconds(cut.as_of)
    valid_at = None if cut.valid_at is None else cut.valid_at.isoformat()
    events = [decode(raw) for raw, _ in store.subject_log(subject, as_of_us, valid_at)]
    named = sorted({e.data["finding_id"] for e in events
                    if e.type in FINDING_EVENTS and isinstance(e.data.get("finding_id"), str)})
    if not named:
        folder = Folder()
        for event in events:
            folder.fold(event)
        return folder
    return replay_many(store, [subject] + [subject_of("finding", f) for f in named], cut)[0]


def states_of(folder: Folder, kind: str) -> list[State]:
    return [s for (k, _), s in folder.states.items() if k == kind and s is not None]
