"""A unit of work for one request: aggregates loaded once and in bulk, new ones visible to later
commands."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import Mapper

from ledger.domain.base import LedgerAggregate
from ledger.errors import AlreadyExists, NotFound
from ledger.privacy.fingerprints import Fingerprints

A = TypeVar("A", bound=LedgerAggregate)
Reference = tuple[type[LedgerAggregate], str]


class AggregateStore:
    """Current aggregates, rebuilt from their latest snapshot and the events after it."""

    def __init__(self, recorder: Any, mapper: Mapper, snapshots_table: str) -> None:
        self._recorder = recorder  # with the bulk reads of ledger.recorders.bulk
        self._mapper = mapper
        self._snapshots_table = snapshots_table

    def load(self, ids: Sequence[UUID]) -> dict[UUID, tuple[LedgerAggregate, int]]:
        """Each aggregate found, with the version of the snapshot it was rebuilt from (0: none),
        read in one query however many are wanted."""
        snapshots, events = self._recorder.select_current(ids, self._snapshots_table)
        found: dict[UUID, tuple[Any, int]] = {}
        for stored in snapshots:
            snapshot: Any = self._mapper.to_domain_event(stored)
            found[stored.originator_id] = (snapshot.mutate(None), stored.originator_version)
        for stored in events:  # in version order within each aggregate
            aggregate, base = found.get(stored.originator_id, (None, 0))
            event: Any = self._mapper.to_domain_event(stored)
            found[stored.originator_id] = (event.mutate(aggregate), base)
        return found

    def recorded(self, keys: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], Any]:
        """The recorded events with these (aggregate id, version), in one query."""
        rows = self._recorder.select_recorded(keys)
        return {
            (s.originator_id, s.originator_version): self._mapper.to_domain_event(s) for s in rows
        }

    def history(self, aggregate_id: UUID, through: int) -> list[Any]:
        """Every recorded event of one aggregate up to a version, in order."""
        rows = self._recorder.select_events(aggregate_id, lte=through)
        return [self._mapper.to_domain_event(s) for s in rows]


def parse_event_id(event_id: str) -> tuple[UUID, int] | None:
    """`<aggregate uuid>:<version>` as a key, or None when it cannot name an event."""
    try:
        raw_id, raw_version = event_id.rsplit(":", 1)
        key = UUID(raw_id), int(raw_version)
    except ValueError:
        return None
    return key if key[1] >= 1 else None


class Session:
    def __init__(self, store: AggregateStore,
                 reveal: Callable[[Any], Any] = lambda value: value,
                 fingerprint: Callable[[str, str], str] | None = None) -> None:
        self._store = store
        # Opens sealed personal fields of loaded events (`ledger.privacy`), for the rare rule
        # that compares one (a cross-check of the head's name).
        self.reveal = reveal
        # A keyed hash of a personal value (`ledger.privacy.fingerprints`), for the indexes
        # that keep values unique without holding them (an id number's).
        self.fingerprint = fingerprint or Fingerprints(None)
        self._loaded: dict[UUID, LedgerAggregate | None] = {}
        self._bases: dict[UUID, int] = {}
        self._events: dict[tuple[UUID, int], Any | None] = {}

    # Loading ---------------------------------------------------------------------
    def prefetch(self, references: Iterable[Reference], event_ids: Iterable[str] = ()) -> None:
        """Load in one query each what commands are about to refer to: aggregates by natural
        id, recorded events by event id. Ones that do not exist are remembered as absent, so a
        command that creates them needs no query either."""
        wanted = dict.fromkeys(cls.id_for(natural_id) for cls, natural_id in references)
        ids = [i for i in wanted if i not in self._loaded]
        if ids:
            self._load(ids)
        keys = [
            k for k in dict.fromkeys(map(parse_event_id, event_ids))
            if k is not None and k not in self._events
        ]
        if keys:
            found = self._store.recorded(keys)
            self._events.update({k: found.get(k) for k in keys})

    def _load(self, ids: Sequence[UUID]) -> None:
        found = self._store.load(ids)
        for aggregate_id in ids:
            aggregate, base = found.get(aggregate_id, (None, 0))
            self._loaded[aggregate_id] = aggregate
            self._bases[aggregate_id] = base

    def loaded(self) -> list[tuple[LedgerAggregate, int]]:
        """Every aggregate this session holds, with the version of the snapshot it was
        rebuilt from (0: none, or created here)."""
        return [
            (aggregate, self._bases.get(aggregate_id, 0))
            for aggregate_id, aggregate in self._loaded.items()
            if aggregate is not None
        ]

    # What handlers use -----------------------------------------------------------
    def find(self, cls: type[A], natural_id: str) -> A | None:
        aggregate_id = cls.id_for(natural_id)
        if aggregate_id not in self._loaded:
            self._load([aggregate_id])
        found = self._loaded[aggregate_id]
        return found if isinstance(found, cls) else None

    def get(self, cls: type[A], natural_id: str, field: str) -> A:
        """The aggregate, or NotFound naming the request field that referred to it."""
        found = self.find(cls, natural_id)
        if found is None:
            raise NotFound(
                f"{cls.KIND} {natural_id!r} does not exist", field=field, id=natural_id
            )
        return found

    def create(self, cls: type[A], natural_id: str, field: str, **kwargs: Any) -> A:
        if self.find(cls, natural_id) is not None:
            raise AlreadyExists(
                f"{cls.KIND} {natural_id!r} already exists", field=field, id=natural_id
            )
        aggregate = cls(**kwargs)
        self._loaded[aggregate.id] = aggregate
        return aggregate

    def history(self, aggregate: LedgerAggregate) -> list[Any]:
        """Every event of an aggregate: those recorded and those triggered in this session.

        Reads the aggregate's whole stream, so it is for rare decisions only (a delisting)."""
        pending = aggregate.pending_events
        recorded = aggregate.version - len(pending)
        return [*self._store.history(aggregate.id, recorded), *pending]

    def event_exists(self, event_id: str) -> bool:
        """Whether `event_id` (`<aggregate uuid>:<version>`) names a recorded event."""
        return self.recorded_event(event_id) is not None

    def recorded_event(self, event_id: str) -> Any | None:
        """The recorded event named by `event_id` (`<aggregate uuid>:<version>`), if any."""
        key = parse_event_id(event_id)
        if key is None:
            return None
        if key not in self._events:
            self._events[key] = self._store.recorded([key]).get(key)
        return self._events[key]

