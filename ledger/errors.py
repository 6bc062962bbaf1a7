"""Domain errors. Each names a stable `code`; the HTTP layer maps classes to status codes."""
from typing import Any


class LedgerError(Exception):
    code = "ledger_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(LedgerError):
    code = "not_found"


class Conflict(LedgerError):
    """The command contradicts what the ledger already holds."""

    code = "conflict"


class AlreadyExists(Conflict):
    code = "already_exists"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class OutOfOrder(Conflict):
    """A step dated before the step it follows, or before a later step already recorded that it
    would make break a rule; `details` name that other event (`event_id`, `occurred_at`)."""

    code = "out_of_order"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class Forbidden(LedgerError):
    code = "forbidden"


class Invalid(LedgerError):
    """The command is well formed but its values break a domain rule."""

    code = "invalid"
