"""Order within a procedure is order in business time (CONTRACT.md "Business-time integrity").

An aggregate keeps, for the steps a later step must not precede, a *mark*: the step's moment
(UTC text that sorts as time does), its event id and its `occurred_at` as given. A command
dated before such a mark is refused with `OutOfOrder` naming that event. Plain lists, so
snapshots keep them as they are.
"""
from __future__ import annotations

from typing import Any

from ledger.domain.base import occurring_at
from ledger.domain.timeline import instant
from ledger.errors import OutOfOrder

Mark = list[str]  # [UTC instant, event id, occurred_at as recorded]


def mark_of(event: Any) -> Mark:
    return [instant(event.occurred_at), f"{event.originator_id}:{event.originator_version}",
            event.occurred_at.isoformat()]


def later(held: Mark | None, new: Mark) -> Mark:
    """The later of two marks in business time (a late entry may be the earlier one)."""
    return new if held is None or new[0] >= held[0] else held


def require_not_before(mark: Mark | None, what: str, **details: Any) -> None:
    """Refuse a command dated before the step `mark` names (`what` says what that step is)."""
    if mark is None or instant(occurring_at()) >= mark[0]:
        return
    raise OutOfOrder(
        f"dated {occurring_at().isoformat()}, before {what} ({mark[1]}, {mark[2]})",
        event_id=mark[1], occurred_at=mark[2], **details)
