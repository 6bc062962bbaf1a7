"""Request and answer shapes of the events endpoints."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from api.schemas.event_data import DATA_SCHEMAS
from ledger.application import Command
from ledger.catalog import DERIVED_TYPES

MAX_BATCH = 1000
# One loader per type, built once: schema construction is costly on the write path.
_DATA_LOADERS = {name: schema() for name, schema in DATA_SCHEMAS.items()}
CLOCK_SKEW = timedelta(minutes=5)


class EventRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(required=True, metadata={"enum": sorted(DATA_SCHEMAS)})
    occurred_at = fields.AwareDateTime(
        metadata={"description": "when it happened in the world; defaults to receipt"}
    )
    data = fields.Dict(required=True, metadata={"description": "fields of the event type"})

    @validates_schema(skip_on_field_errors=False)
    def validate_data(self, request: dict[str, Any], **_: Any) -> None:
        type_name = request.get("type")
        if type_name in DERIVED_TYPES:
            raise ValidationError(
                f"{type_name} is recorded by the ledger itself and never accepted from clients",
                "type",
            )
        if type_name not in DATA_SCHEMAS:
            if isinstance(type_name, str):
                raise ValidationError(f"unknown event type {type_name!r}", "type")
            return
        occurred_at = request.get("occurred_at")
        if occurred_at is not None and occurred_at > datetime.now(timezone.utc) + CLOCK_SKEW:
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


class LoggedEventSchema(Schema):
    """An event as it stands in the global log."""

    event_id = fields.String()
    type = fields.String()
    position = fields.Integer()
    occurred_at = fields.DateTime()
    recorded_at = fields.DateTime()
    actor = fields.String()
    hash = fields.String()
    data = fields.Dict()


class RecordedEventSchema(LoggedEventSchema):
    consequences = fields.List(
        fields.Nested(LoggedEventSchema),
        metadata={"description": "events the ledger recorded itself because of this one"},
    )


class BatchAnswerSchema(Schema):
    events = fields.List(fields.Nested(RecordedEventSchema))


class LogQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class LogPageSchema(Schema):
    events = fields.List(fields.Nested(LoggedEventSchema))
    next_after = fields.Integer(metadata={"description": "pass as `after` for the next page"})
