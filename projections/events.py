"""Stored events decoded for projection: plain dicts, no domain classes, so folds stay cheap."""
from __future__ import annotations

import orjson
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

# Business dates (due dates, valid_at, visit days) are read on China Standard Time.
BUSINESS_TZ = timezone(timedelta(hours=8))
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
METADATA = ("timestamp", "originator_topic", "actor", "occurred_at")


@dataclass(frozen=True)
class RawEvent:
    """One row of the global log as stored."""

    position: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


@dataclass(slots=True)
class Event:
    """A logged event, as folds see it (not frozen: frozen dataclasses build slowly, and
    rebuild speed is bounded by how fast events are decoded)."""

    position: int
    event_id: str
    type: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]
    occurred_on: str  # business date of occurred_at
    recorded_us: int  # recorded_at in microseconds since 1970


def business_date(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_TZ).date().isoformat()


def microseconds(moment: datetime) -> int:
    """A moment as whole microseconds since 1970, exact (no float rounding)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def today(moment: datetime | None = None) -> date:
    return (moment or datetime.now(timezone.utc)).astimezone(BUSINESS_TZ).date()


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(value["_data_"])


def decode(raw: RawEvent) -> Event:
    state = orjson.loads(raw.state)
    originator = raw.originator_id
    if not (isinstance(originator, str) and len(originator) == 36):
        originator = UUID(str(originator))  # PostgreSQL gives UUIDs; SQLite gives their text
    occurred_at = _moment(state["occurred_at"])
    recorded_at = _moment(state["timestamp"])
    return Event(
        position=raw.position,
        event_id=f"{originator}:{raw.originator_version}",
        type=raw.topic.rsplit(".", 1)[-1],
        actor=state["actor"],
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        data={k: v for k, v in state.items() if k not in METADATA and v is not None},
        occurred_on=business_date(occurred_at),
        recorded_us=microseconds(recorded_at),
    )
