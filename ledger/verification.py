"""Recompute the hash chain over the whole log and find the first position that disagrees."""
from __future__ import annotations

from dataclasses import dataclass

from ledger.chain import GENESIS, link

PAGE = 5000


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    checked: int
    head_position: int | None
    head_hash: str | None
    first_bad_position: int | None


def verify_chain(recorder) -> VerificationReport:  # type: ignore[no-untyped-def]
    """Walk the log in order; each stored hash must equal the hash recomputed from the rows."""
    previous = GENESIS
    after = 0
    checked = 0
    last_position: int | None = None
    while True:
        rows = recorder.select_chained(after, PAGE)
        if not rows:
            break
        for row in rows:
            expected = link(
                previous,
                row.position,
                row.originator_id,
                row.originator_version,
                row.topic,
                row.state,
            )
            if expected != row.hash:
                return VerificationReport(False, checked, last_position, previous.hex(), row.position)
            previous = expected
            last_position = row.position
            checked += 1
        after = rows[-1].position
    return VerificationReport(True, checked, last_position, previous.hex() if checked else None, None)
