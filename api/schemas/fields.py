"""Field types shared by the event schemas, with the limits of CONTRACT.md."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

IDENTIFIER_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
SHORT_TEXT = 200
LONG_TEXT = 4000
MAX_LIST = 1000
# Positions, offsets and tree sizes are stored as 64-bit integers; larger ones cannot exist.
INT64_MAX = 2**63 - 1
# Every date and moment a client sends lies in these years (a later one would overflow date
# arithmetic in the views: 9999-12-31 plus a day is no date).
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)
DATE_BOUNDS_ERROR = f"must be between {EARLIEST_DATE} and {LATEST_DATE}"
# The same bound as the document states it: a year from 1900 to 2999.
YEAR_PATTERN = r"^(19\d\d|2\d\d\d)-"


def _in_bounds(value: date | datetime) -> None:
    """A date, or a moment's own calendar date (as written, with its offset)."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(DATE_BOUNDS_ERROR)


def _bounded(kwargs: dict[str, Any]) -> dict[str, Any]:
    metadata = {"pattern": YEAR_PATTERN, **kwargs.pop("metadata", {})}
    return {"validate": _in_bounds, "metadata": metadata, **kwargs}


def BoundedDate(**kwargs: Any) -> fields.Date:  # noqa: N802
    """A date query argument (`YYYY-MM-DD`) within EARLIEST_DATE..LATEST_DATE."""
    return fields.Date(**_bounded(kwargs))


def BoundedMoment(**kwargs: Any) -> fields.AwareDateTime:  # noqa: N802
    """A moment with its offset, its calendar date within EARLIEST_DATE..LATEST_DATE."""
    return fields.AwareDateTime(**_bounded(kwargs))


def Identifier(**kwargs: Any) -> fields.String:  # noqa: N802 - reads as a field type
    return fields.String(
        validate=validate.Regexp(
            IDENTIFIER_PATTERN, error="must be 1-64 letters, digits, '.', '_', '-' or ':'"
        ),
        **kwargs,
    )


# NUL cannot be stored in PostgreSQL text (it would stop the projections for good, and the
# event can never be removed); an unpaired surrogate cannot be encoded as UTF-8 at all.
STORABLE_TEXT_ERROR = "must not contain NUL characters or unpaired surrogates"
# The NUL rule as a pattern the document can carry (JSON Schema patterns are ECMA-262, where
# a surrogate range is read differently); the surrogate rule is checked beside it.
NO_NUL = r"^[^\x00]*$"
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _encodable(value: str) -> str:
    if LONE_SURROGATE.search(value):
        raise ValidationError(STORABLE_TEXT_ERROR)
    return value


def Text(max_length: int = SHORT_TEXT, **kwargs: Any) -> fields.String:  # noqa: N802
    return fields.String(
        validate=[
            validate.Length(min=1, max=max_length),
            validate.Regexp(NO_NUL, error=STORABLE_TEXT_ERROR),
            _encodable,
        ],
        **kwargs,
    )


def Choice(options: tuple[str, ...], **kwargs: Any) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.OneOf(options), **kwargs)


def Money(**kwargs: Any) -> fields.Float:  # noqa: N802
    return fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1e9), **kwargs)


def IdentifierList(min_length: int = 0, **kwargs: Any) -> fields.List:  # noqa: N802
    return fields.List(
        Identifier(), validate=validate.Length(min=min_length, max=MAX_LIST), **kwargs
    )


class IsoDate(fields.String):
    """An ISO date (`YYYY-MM-DD`, a real calendar day), kept as that text in the event."""

    default_error_messages = {"invalid_date": "Not a valid date."}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"format": "date", "pattern": YEAR_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if not FULL_DATE.match(text):  # RFC 3339 full-date, as `format: date` says
                raise ValidationError("not YYYY-MM-DD")
            day = _DATE_LOADER.deserialize(text)
        except ValidationError:
            raise self.make_error("invalid_date") from None
        _in_bounds(day)
        return day.isoformat()


FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_LOADER = fields.Date()


def Flag(**kwargs: Any) -> fields.Boolean:  # noqa: N802
    """A JSON true or false; not "yes", 1 or "true"."""
    return fields.Boolean(truthy={True}, falsy={False}, **kwargs)


def Count(minimum: int = 0, **kwargs: Any) -> fields.Integer:  # noqa: N802
    """A position, offset or size: from `minimum` up to what a 64-bit column holds."""
    return fields.Integer(validate=validate.Range(min=minimum, max=INT64_MAX), **kwargs)


class Alternatives(fields.Raw):
    """A value dumped as it is and documented as one of several schemas."""

    def __init__(self, *schemas: type[Schema], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alternatives = schemas
