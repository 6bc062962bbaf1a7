"""Stored events decoded for projection: plain dicts, no domain classes, so folds stay cheap."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import orjson

from ledger.domain.base import KEPT_WHEN_NULL

# Business dates (due dates, valid_at, visit days) are read on China Standard Time.
BUSINESS_TZ = timezone(timedelta(hours=8))
BUSINESS_OFFSET = "+08:00"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class RawEvent:
    """One row of the global log as stored."""

    position: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes


class Event:
    """A logged event, as folds see it. The two moments are kept as the ISO text they were
    stored as and parsed only when asked for: rebuild speed is bounded by how fast events are
    decoded, and most folds need only the business date and the recorded microsecond."""

    __slots__ = ("position", "event_id", "type", "actor", "occurred_text", "recorded_text",
                 "data", "occurred_on", "recorded_us")

    def __init__(self, position: int, event_id: str, type: str, actor: str,
                 occurred_at: datetime | str, recorded_at: datetime | str, data: dict[str, Any],
                 occurred_on: str, recorded_us: int) -> None:
        self.position = position
        self.event_id = event_id
        self.type = type
        self.actor = actor
        self.occurred_text = occurred_at if isinstance(occurred_at, str) else \
            occurred_at.isoformat()
        self.recorded_text = recorded_at if isinstance(recorded_at, str) else \
            recorded_at.isoformat()
        self.data = data
        self.occurred_on = occurred_on  # business date of occurred_at
        self.recorded_us = recorded_us  # recorded_at in microseconds since 1970

    @property
    def occurred_at(self) -> datetime:
        return datetime.fromisoformat(self.occurred_text)

    @property
    def recorded_at(self) -> datetime:
        return datetime.fromisoformat(self.recorded_text)


def business_date(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_TZ).date().isoformat()


def microseconds(moment: datetime) -> int:
    """A moment as whole microseconds since 1970, exact (no float rounding)."""
    return (moment - EPOCH) // ONE_MICROSECOND


def today(moment: datetime | None = None) -> date:
    return (moment or datetime.now(UTC)).astimezone(BUSINESS_TZ).date()


def _business_date_of(text: str) -> str:
    """The business date of a stored moment; moments written on business time need no parse."""
    if text.endswith(BUSINESS_OFFSET):
        return text[:10]
    return business_date(datetime.fromisoformat(text))


def _event_id(originator: Any, version: int) -> str:
    if isinstance(originator, str) and len(originator) == 32:  # SQLite keeps the bare hex
        o = originator
        return f"{o[:8]}-{o[8:12]}-{o[12:16]}-{o[16:20]}-{o[20:]}:{version}"
    return f"{originator}:{version}"  # a UUID (PostgreSQL), or already its text


def decode(raw: RawEvent) -> Event:
    data = orjson.loads(raw.state)
    occurred = data.pop("occurred_at")["_data_"]
    recorded = data.pop("timestamp")["_data_"]
    actor = data.pop("actor")
    data.pop("originator_topic", None)
    if None in data.values():
        data = {k: v for k, v in data.items() if v is not None or k in KEPT_WHEN_NULL}
    return Event(
        raw.position,
        _event_id(raw.originator_id, raw.originator_version),
        raw.topic.rpartition(".")[2],
        actor,
        occurred,
        recorded,
        data,
        _business_date_of(occurred),
        microseconds(datetime.fromisoformat(recorded)),
    )
