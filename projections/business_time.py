"""Values held by business time: each keeps the event whose `occurred_at` is latest.

Late entries are normal (a phone check of 15 April typed in after the visit of 1 June), so a
fold never lets an event override a value that an event later in the world already set,
whatever the order in which they were recorded. Two events of the same moment: the later
recorded wins, so the answer is still one. Held values carry their moment under `AT`, which
renderers leave out (`shown`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.events import Event, microseconds

State = dict[str, Any]
AT = "at"


def moment(event: Event) -> list[int]:
    """When an event happened, comparable across offsets: [UTC microseconds, log position]."""
    return [microseconds(datetime.fromisoformat(event.occurred_text)), event.position]


def is_latest(held: State | None, event: Event) -> bool:
    """Whether `event` happened at or after the held value's event (nothing held: yes)."""
    return held is None or AT not in held or moment(event) >= held[AT]


def keep_latest(holder: State, name: str, value: State, event: Event) -> bool:
    """Hold `value` (a dict) under `name` unless what is held there happened later.
    Returns whether it was kept."""
    if not is_latest(holder.get(name), event):
        return False
    holder[name] = {**value, AT: moment(event)}
    return True


def shown(held: State | None) -> State | None:
    """A held value without its moment, as answers show it."""
    return None if held is None else {k: v for k, v in held.items() if k != AT}
