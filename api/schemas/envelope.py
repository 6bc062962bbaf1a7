"""Request and answer shapes of the events endpoints."""
from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from api.schemas.answer import Answer, hex_digest, moment, text, whole
from api.schemas.event_types import CLIENT_DATA, DATA_SCHEMAS
from api.schemas.fields import BoundedMoment, Count
from ledger.application import Command
from ledger.catalog import DERIVED_TYPES
from ledger.privacy.fields import PERSONAL_FIELDS

MAX_BATCH = 1000
# One loader per type, built once: schema construction is costly on the write path.
_DATA_LOADERS = {name: schema() for name, schema in CLIENT_DATA.items()}
CLOCK_SKEW = timedelta(minutes=5)
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,128}$"


def _occurred_at() -> fields.AwareDateTime:
    return BoundedMoment(metadata={
        "description": "when it happened in the world, with its offset; defaults to receipt; "
                       "not more than 5 minutes in the future"})


class _Refinement(Schema):
    """Leaves the fields it does not name to the schema it refines."""

    class Meta:
        unknown = EXCLUDE


def _variant(base: type[Schema], name: str, suffix: str, data: type[Schema],
             **more: fields.Field) -> type[Schema]:
    """The shape of one event type: `type` names it, `data` follows its schema."""
    return base.from_dict(
        {"type": fields.String(required=True, validate=validate.OneOf([name])), **more,
         "data": fields.Nested(data, required=True)},
        name=f"{name}{suffix}",
    )


ERASED_NOTE = "personal fields of this object that were erased (their values are null)"


def erasable(schema: type[Schema], _made: dict[type[Schema], type[Schema]] = {}  # noqa: B006
             ) -> type[Schema]:
    """`schema` as logged data shows it: a personal field may be null once its subject's data
    was erased, and `erased` then names it (at any depth: a measure's description)."""
    if schema in _made:
        return _made[schema]
    declared: dict[str, fields.Field] = {}
    for name, field in schema._declared_fields.items():
        copy = field
        if name in PERSONAL_FIELDS:
            copy = copy_field(field, allow_none=True)
        elif isinstance(field, fields.Nested) and isinstance(field.nested, type):
            copy = copy_field(field, nested=erasable(field.nested))
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested) \
                and isinstance(field.inner.nested, type):
            copy = fields.List(copy_field(field.inner, nested=erasable(field.inner.nested)),
                               required=field.required, metadata=field.metadata)
        declared[name] = copy
    declared["erased"] = fields.List(fields.String(), metadata={"description": ERASED_NOTE})
    made = schema.from_dict(declared, name=f"Erasable{schema.__name__}")
    _made[schema] = made
    return made


def copy_field(field: fields.Field, **changes: Any) -> fields.Field:
    clone = copy.copy(field)
    for name, value in changes.items():
        setattr(clone, name, value)
    return clone


# Documentation only: each client type's request, each catalogued type's logged form.
REQUEST_VARIANTS = {name: _variant(Schema, name, "Request", data, occurred_at=_occurred_at())
                    for name, data in CLIENT_DATA.items()}
LOGGED_VARIANTS = {name: _variant(_Refinement, name, "Logged", erasable(data))
                   for name, data in DATA_SCHEMAS.items()}


def one_of_by_type(converter: Any, variants: dict[str, type[Schema]]) -> dict[str, Any]:
    """`oneOf` the variants, told apart by `type` (a discriminator when they are components)."""
    refs = [converter.resolve_nested_schema(variant) for variant in variants.values()]
    answer: dict[str, Any] = {"oneOf": refs}
    if all("$ref" in ref for ref in refs):
        answer["discriminator"] = {
            "propertyName": "type",
            "mapping": {name: ref["$ref"] for name, ref in zip(variants, refs, strict=True)},
        }
    return answer


class TypedData:
    """Documents `data` by the event's `type`: one of the catalogued data schemas."""

    @classmethod
    def openapi(cls, converter: Any, generated: dict[str, Any]) -> dict[str, Any]:
        return {**generated, **one_of_by_type(converter, LOGGED_VARIANTS)}


class EventRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(required=True)
    occurred_at = _occurred_at()
    data = fields.Dict(required=True)

    @classmethod
    def openapi(cls, converter: Any, generated: dict[str, Any]) -> dict[str, Any]:
        """One shape per client type; the ledger's own types are refused."""
        return {"description": "an event to record: its `data` as its `type` requires",
                **one_of_by_type(converter, REQUEST_VARIANTS)}

    @validates_schema(skip_on_field_errors=False)
    def validate_data(self, request: dict[str, Any], **_: Any) -> None:
        type_name = request.get("type")
        if type_name in DERIVED_TYPES:
            raise ValidationError(
                f"{type_name} is recorded by the ledger itself and never accepted from clients",
                "type",
            )
        if type_name not in CLIENT_DATA:
            if isinstance(type_name, str):
                raise ValidationError(f"unknown event type {type_name!r}", "type")
            return
        occurred_at = request.get("occurred_at")
        if occurred_at is not None and occurred_at > datetime.now(UTC) + CLOCK_SKEW:
            raise ValidationError("occurred_at is in the future", "occurred_at")
        if isinstance(request.get("data"), dict):
            try:
                request["data"] = _DATA_LOADERS[type_name].load(request["data"])
            except ValidationError as error:
                raise ValidationError({"data": error.messages}) from None

    @post_load
    def to_command(self, request: dict[str, Any], **_: Any) -> Command:
        return Command(
            type=request["type"], data=request["data"], occurred_at=request.get("occurred_at")
        )


class BatchRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    events = fields.List(
        fields.Nested(EventRequestSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
    )


class IdempotencyHeaderSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        validate=validate.Regexp(IDEMPOTENCY_KEY,
                                 error="must be 1-128 printable ASCII characters"),
        metadata={"description": "a retry with the same key and body records nothing new and "
                                 "answers as the first time; the same key with another body "
                                 "is a 409"},
    )


class LoggedEventSchema(TypedData, Answer):
    """An event as it stands in the global log."""

    event_id = text("`<aggregate uuid>:<version>`")
    type = text(choices=tuple(DATA_SCHEMAS))
    position = whole("its place in the global log")
    occurred_at = moment("when it happened in the world")
    recorded_at = moment("when the ledger recorded it")
    actor = text("the token's actor, or `system` for what the ledger records itself")
    hash = hex_digest("the chain hash: SHA-256 over the previous hash and this event")
    data = fields.Dict(required=True)


class RecordedEventSchema(LoggedEventSchema):
    consequences = fields.List(
        fields.Nested(LoggedEventSchema), required=True,
        metadata={"description": "events the ledger recorded itself because of this one"},
    )


class BatchAnswerSchema(Answer):
    events = fields.List(fields.Nested(RecordedEventSchema), required=True)


class LogQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    after = Count(load_default=0)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class LogPageSchema(Answer):
    events = fields.List(fields.Nested(LoggedEventSchema), required=True)
    next_after = fields.Integer(required=True,
                                metadata={"description": "pass as `after` for the next page"})
