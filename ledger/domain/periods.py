"""Review periods: a quarter (`2020-Q1`) or a month (`2020-03`)."""
import re

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_period(value: str) -> bool:
    return bool(_QUARTER.match(value) or _MONTH.match(value))


def previous_period(period: str) -> str:
    """The review period just before `period`, at the same granularity."""
    if m := _QUARTER.match(period):
        year, quarter = int(m[1]), int(m[2])
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    if m := _MONTH.match(period):
        year, month = int(m[1]), int(m[2])
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    raise ValueError(f"not a review period: {period!r}")


def next_period(period: str) -> str:
    """The review period just after `period`, at the same granularity."""
    if m := _QUARTER.match(period):
        year, quarter = int(m[1]), int(m[2])
        return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"
    if m := _MONTH.match(period):
        year, month = int(m[1]), int(m[2])
        return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"
    raise ValueError(f"not a review period: {period!r}")
