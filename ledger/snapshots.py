"""Aggregate snapshots: when to take one, and how the state that is not plain JSON is stored.

Snapshots are a cache of the write model, kept in the library's snapshot table: never in the
events table, so they are not in the global log, the hash chain, exports or proofs, and a
lost or missing snapshot only costs a longer replay. Each is taken after a successful save,
from the aggregate as it stands in memory, once an aggregate needed `SNAPSHOT_AFTER` or more
events replayed on top of its latest snapshot; so deciding a write never reads more than that
many events of one aggregate (plus those of the batch itself), however long its history.

A snapshot holds the aggregate's attributes as they were when it was taken. When a change to an
aggregate class gives its state another shape, raise the class's `class_version` and give it
the library's `upcast_v1_v2` (and so on) static methods, so older snapshots are brought up to
the new shape on load; snapshots are never rewritten.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import EventStore, IntegrityError, JSONTranscoder, Transcoding

from ledger.domain.base import LedgerAggregate
from ledger.domain.units import DueInterview

SNAPSHOT_AFTER = 20
# An aggregate's first snapshot comes sooner: a household registered with its members is read
# by every visit after, from one snapshot rather than its registration's events.
FIRST_SNAPSHOT_AFTER = 4

log = logging.getLogger(__name__)


class DueInterviewAsDict(Transcoding):
    type = DueInterview
    name = "due_interview"

    def encode(self, obj: DueInterview) -> dict[str, Any]:
        return {"periods": list(obj.periods), "warning_ids": obj.warning_ids, "voided": obj.voided}

    def decode(self, data: dict[str, Any]) -> DueInterview:
        first, second = data["periods"]
        return DueInterview((first, second), list(data["warning_ids"]), data["voided"])


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """What aggregate state needs beyond the library's own transcodings."""
    transcoder.register(DueInterviewAsDict())


def due(loaded: Iterable[tuple[LedgerAggregate, int]]) -> list[LedgerAggregate]:
    """The aggregates, each with the version of the snapshot it was rebuilt from (0: none),
    that have replayed enough events since to deserve a new snapshot."""
    return [a for a, base in loaded
            if a.version - base >= (SNAPSHOT_AFTER if base else FIRST_SNAPSHOT_AFTER)]


def take(store: EventStore, aggregates: Iterable[LedgerAggregate]) -> None:
    """Snapshot aggregates whose events are already recorded.

    Runs after the write committed, so a failure here must not fail the write: another process
    may have taken the same snapshot first (kept: it is the same state), and any other error is
    logged and the aggregate simply replays a little longer next time."""
    for aggregate in aggregates:
        try:
            store.put([Snapshot.take(aggregate)])
        except IntegrityError:
            pass
        except Exception:  # noqa: BLE001 - the write is committed; a snapshot is only a cache
            log.exception("could not snapshot %s %s", type(aggregate).__name__, aggregate.id)
