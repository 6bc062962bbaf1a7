"""Event types: which clients may submit, which the ledger records itself."""
from ledger.identity import WRITERS

CLIENT_TYPES: tuple[str, ...] = tuple(WRITERS)

# Recorded by the ledger as consequences of client events; never accepted from clients.
DERIVED_TYPES: dict[str, str] = {
    "InterviewRequired": "a unit got yellow cards in two consecutive review periods",
    "FindingAttached": "a finding was entered in its responsible unit's ledger",
    "YellowCardNoted": "a yellow card was entered on its unit's record",
    "YellowCardWithdrawn": "a revoked yellow card was taken off its unit's record",
    "InterviewVoided": "the yellow cards that made an interview due no longer stand",
    "TokenIssued": "an API token was created (only its SHA-256 digest is kept)",
    "TokenRevoked": "an API token was revoked",
}
