"""The error envelope every failed request gets: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate


class ErrorDetailsSchema(Schema):
    """What went wrong in particular; besides `fields`, keys depend on the error (`id`,
    `unit_id`, `reasons`, `first_bad_position`, ...)."""

    class Meta:
        unknown = INCLUDE

    field_errors = fields.Dict(data_key="fields",
        keys=fields.String(), values=fields.List(fields.String()),
        metadata={"description": "each faulty field (`data.due_date`, `events.3.data.unit_id`, "
                                 "`limit`) with its messages"})


class ErrorBodySchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+$"), metadata={
        "description": "stable and machine-readable: unreadable_body, unauthorized, forbidden, "
                       "not_found, invalid, too_large, unavailable, method_not_allowed, and for "
                       "409 invalid_transition, already_exists, conflict, "
                       "idempotency_key_reused, checkpoints_disabled, log_not_verified"})
    message = fields.String(required=True, metadata={"description": "for people"})
    details = fields.Nested(ErrorDetailsSchema, required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)
