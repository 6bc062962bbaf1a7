"""A household's record by business time: each value with the moment it held from.

The write model decides on the world as it was on a date (an exit verified on 1 July is judged
on what held on 1 July), and late entries are normal, so a value is never simply overwritten:
each name keeps its values in order of `occurred_at`, and a question names the date it is
asked about. Plain lists of text, so snapshots store them as they are.
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

# Business dates (due dates, notice periods, valid_at) are read on China Standard Time.
BUSINESS_TZ = timezone(timedelta(hours=8))

# name -> [[business day, UTC moment, value], ...] in order of the moment (ties: as recorded).
Timeline = dict[str, list[list[Any]]]


# The events of a batch mostly share a few moments, and every fold of a household asks for the
# same ones again: the texts are kept for the moments seen last.
FORMATTED_MOMENTS = 4096


@lru_cache(maxsize=FORMATTED_MOMENTS)
def business_day(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_TZ).date().isoformat()


@lru_cache(maxsize=FORMATTED_MOMENTS)
def instant(moment: datetime) -> str:
    """A moment as text that sorts as time does, whatever offset it was given with."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def note(timeline: Timeline, name: str, moment: datetime, value: Any) -> None:
    """`value` holds for `name` from `moment` on (until a value of a later moment)."""
    held = timeline.setdefault(name, [])
    at = instant(moment)
    index = bisect_right([entry[1] for entry in held], at)
    held.insert(index, [business_day(moment), at, value])


def on(timeline: Timeline, name: str, day: str) -> Any | None:
    """The value that held on business day `day` by what is known now (None: none yet)."""
    for entry_day, _, value in reversed(timeline.get(name, [])):
        if entry_day <= day:
            return value
    return None


def latest(timeline: Timeline, name: str) -> Any | None:
    held = timeline.get(name)
    return held[-1][2] if held else None
