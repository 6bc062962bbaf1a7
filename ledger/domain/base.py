"""What every recorded event carries: who recorded it and when it happened in the world.

The actor and the business time reach events through a context variable set once per command
(as in the eventsourcing content-management example), so no command signature can forget them.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

SYSTEM_ACTOR = "system"
NAMESPACE = uuid5(NAMESPACE_URL, "https://supervision-ledger/ids")


@dataclass(frozen=True)
class Recording:
    """The circumstances of one command: the actor and when it happened."""

    actor: str
    occurred_at: datetime | None = None
    triggered: list = field(default_factory=list)


_recording: ContextVar[Recording | None] = ContextVar("recording", default=None)


@contextmanager
def recording(actor: str, occurred_at: datetime | None = None) -> Iterator[Recording]:
    """Stamp every event triggered inside the block with this actor and business time."""
    current = Recording(actor=actor, occurred_at=occurred_at)
    token = _recording.set(current)
    try:
        yield current
    finally:
        _recording.reset(token)


@contextmanager
def as_system(occurred_at: datetime | None = None) -> Iterator[None]:
    """Events the ledger records itself (for instance a due interview) have actor `system`;
    they happen when the command does, or at `occurred_at` (undoing a decision as of its date)."""
    outer = _recording.get()
    inner = Recording(
        actor=SYSTEM_ACTOR,
        occurred_at=occurred_at or (outer.occurred_at if outer else None),
        triggered=outer.triggered if outer else [],
    )
    token = _recording.set(inner)
    try:
        yield
    finally:
        _recording.reset(token)


def _current_actor() -> str:
    current = _recording.get()
    if current is None:
        raise RuntimeError("an event was triggered outside a recording context")
    return current.actor


def _current_occurred_at() -> datetime:
    current = _recording.get()
    if current is not None and current.occurred_at is not None:
        return current.occurred_at
    return datetime.now(UTC)


def occurring_at() -> datetime:
    """The business time of the command being recorded (now when it names none)."""
    return _current_occurred_at()


def _note_triggered(event: Any) -> None:
    """Keep the order in which events were triggered across aggregates, for saving in order."""
    current = _recording.get()
    if current is not None:
        current.triggered.append(event)


@lru_cache(maxsize=16384)
def natural_id(kind: str, value: str) -> UUID:
    """The aggregate id for a client-chosen identifier, so lookups need no index table.

    Cached: a batch asks for the same ids several times (loading, checking, creating)."""
    return uuid5(NAMESPACE, f"{kind}:{value}")


class LedgerAggregate(Aggregate):
    """Base of every aggregate: events record actor and business time."""

    KIND = ""

    class Event(Aggregate.Event):
        actor: str = field(default_factory=_current_actor, init=False)
        occurred_at: datetime = field(default_factory=_current_occurred_at, init=False)

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: Any, *, id: UUID | None = None, **kwargs: Any) -> Any:  # noqa: A002
        aggregate = super()._create(event_class, id=id, **kwargs)
        _note_triggered(aggregate.pending_events[-1])
        return aggregate

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        super().trigger_event(event_class, **kwargs)
        _note_triggered(self.pending_events[-1])

    @classmethod
    def id_for(cls, value: str) -> UUID:
        return natural_id(cls.KIND, value)

    def personal_subject(self) -> str | None:
        """The data subject (`household:ID`, `person:ID`) whose personal data this aggregate's
        events hold, when their own fields do not name it; None for most aggregates."""
        return None


# Fields whose null says something ("the ledger did not know"), so answers show it.
KEPT_WHEN_NULL = frozenset({"ledger_value"})
EVENT_METADATA = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "actor", "occurred_at"}
)


def event_data(event: Any) -> dict[str, Any]:
    """The client-facing `data` of an event: its own fields, without the common metadata.

    Optional fields that were not given are left out rather than shown as null.
    """
    return {
        k: v for k, v in event.__dict__.items()
        if k not in EVENT_METADATA and (v is not None or k in KEPT_WHEN_NULL)
    }
