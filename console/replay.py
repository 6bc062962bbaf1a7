"""The replay cut of a console page, from `?as_of=` (a moment) and `?valid_at=` (a date).

A moment typed without an offset (as a browser's datetime field sends it) is Beijing time,
the business time zone of the ledger's users."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from api.schemas.fields import EARLIEST_DATE, LATEST_DATE
from projections.replay import Cut

BEIJING = timezone(timedelta(hours=8))


class BadReplay(ValueError):
    """A replay argument that is not a moment or a date; the message is for the page."""


OUT_OF_BOUNDS = f"回放日期须在 {EARLIEST_DATE} 至 {LATEST_DATE} 之间"


def moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise BadReplay("回放时刻格式不正确，应如 2020-03-20T10:00") from None
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise BadReplay(OUT_OF_BOUNDS)
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def cut_of(args: dict[str, str]) -> Cut:
    as_of, valid_at = args.get("as_of") or None, args.get("valid_at") or None
    day = None
    if valid_at is not None:
        try:
            day = date.fromisoformat(valid_at.strip())
        except ValueError:
            raise BadReplay("回放日期格式不正确，应如 2020-03-20") from None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise BadReplay(OUT_OF_BOUNDS)
    return Cut(as_of=moment(as_of) if as_of else None, valid_at=day)


def beijing(value: datetime | str | None) -> str:
    """A moment as Beijing time, to the second."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
