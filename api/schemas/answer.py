"""What answer schemas share: strictness in tests, and the field kinds answers are made of."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context
from marshmallow import Schema, fields, pre_dump, validate


class UndeclaredKeys(LookupError):
    pass


class Answer(Schema):
    """The schema of an answer. Dumping keeps only declared fields, so a key a view adds and
    the schema lacks would vanish unseen; under TESTING it is an error instead."""

    erased = fields.List(fields.String(), metadata={
        "description": "personal fields of this object that were erased (their values are null)"})

    @pre_dump
    def declares_every_key(self, data: Any, **_: Any) -> Any:
        if isinstance(data, Mapping) and has_app_context() and current_app.testing:
            declared = {field.attribute or name for name, field in self.fields.items()}
            undeclared = sorted(set(data) - declared)
            if undeclared:
                raise UndeclaredKeys(f"{type(self).__name__} does not declare {undeclared}")
        return data


class Timestamp(fields.DateTime):
    """A moment with its offset; views hand some over as ISO text already."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


def _meta(description: str | None, **more: Any) -> dict[str, Any]:
    return {**more, **({"description": description} if description else {})}


def text(description: str | None = None, nullable: bool = False,
         choices: tuple[str, ...] | None = None) -> fields.String:
    # OpenAPI 3.0.3: a nullable enum lists null among its values.
    enum = {"enum": [*choices, *([None] if nullable else [])]} if choices else {}
    return fields.String(required=True, allow_none=nullable, metadata=_meta(description, **enum))


def personal(description: str | None = None) -> fields.String:
    """A name or free text about a household or person: null once their data was erased."""
    return text(f"{description + '; ' if description else ''}null once erased", nullable=True)


def day(description: str | None = None, nullable: bool = False, key: str | None = None
        ) -> fields.String:
    """A date as ISO text (`2020-03-12`); `key` names it when Python cannot (`from`)."""
    return fields.String(required=True, allow_none=nullable, attribute=key, data_key=key,
                         metadata=_meta(description, format="date"))


def moment(description: str | None = None, nullable: bool = False) -> Timestamp:
    return Timestamp(required=True, allow_none=nullable, metadata=_meta(description))


def whole(description: str | None = None, nullable: bool = False) -> fields.Integer:
    return fields.Integer(required=True, allow_none=nullable, metadata=_meta(description))


def number(description: str | None = None, nullable: bool = False) -> fields.Float:
    return fields.Float(required=True, allow_none=nullable, metadata=_meta(description))


def flag(description: str | None = None, nullable: bool = False) -> fields.Boolean:
    return fields.Boolean(required=True, allow_none=nullable, metadata=_meta(description))


def texts(description: str | None = None) -> fields.List:
    return fields.List(fields.String(), required=True, metadata=_meta(description))


def event_ids(description: str = "the events that prove it") -> fields.List:
    return texts(description)


def one(schema: type[Schema], description: str | None = None,
        nullable: bool = False) -> fields.Nested:
    return fields.Nested(schema, required=True, allow_none=nullable,
                         metadata=_meta(description))


def many(schema: type[Schema], description: str | None = None) -> fields.List:
    return fields.List(fields.Nested(schema), required=True, metadata=_meta(description))


def hex_digest(description: str | None = None, nullable: bool = False) -> fields.String:
    return fields.String(required=True, allow_none=nullable,
                         validate=validate.Regexp(r"^[0-9a-f]{64}$"), metadata=_meta(description))
