"""Field types shared by the event schemas, with the limits of CONTRACT.md."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

IDENTIFIER_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
SHORT_TEXT = 200
LONG_TEXT = 4000
MAX_LIST = 1000
# Positions, offsets and tree sizes are stored as 64-bit integers; larger ones cannot exist.
INT64_MAX = 2**63 - 1


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
        metadata = {"format": "date", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if not FULL_DATE.match(text):  # RFC 3339 full-date, as `format: date` says
                raise ValidationError("not YYYY-MM-DD")
            return _DATE_LOADER.deserialize(text).isoformat()
        except ValidationError:
            raise self.make_error("invalid_date") from None


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
