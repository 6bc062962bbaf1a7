"""A unit of work for one request: aggregates loaded once, new ones visible to later commands."""
from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from ledger.domain.base import LedgerAggregate
from ledger.errors import AlreadyExists, NotFound

A = TypeVar("A", bound=LedgerAggregate)


class Session:
    def __init__(self, repository: Repository) -> None:
        self._repository = repository
        self._loaded: dict[UUID, LedgerAggregate | None] = {}

    def find(self, cls: type[A], natural_id: str) -> A | None:
        aggregate_id = cls.id_for(natural_id)
        if aggregate_id not in self._loaded:
            try:
                self._loaded[aggregate_id] = self._repository.get(aggregate_id)
            except AggregateNotFoundError:
                self._loaded[aggregate_id] = None
        found = self._loaded[aggregate_id]
        if found is not None and not isinstance(found, cls):
            return None
        return found  # type: ignore[return-value]

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

    def event_exists(self, event_id: str) -> bool:
        """Whether `event_id` (`<aggregate uuid>:<version>`) names a recorded event."""
        return self.recorded_event(event_id) is not None

    def recorded_event(self, event_id: str) -> Any | None:
        """The recorded event named by `event_id` (`<aggregate uuid>:<version>`), if any."""
        try:
            raw_id, raw_version = event_id.rsplit(":", 1)
            aggregate_id, version = UUID(raw_id), int(raw_version)
        except ValueError:
            return None
        if version < 1:
            return None
        events = self._repository.event_store.get(aggregate_id, gt=version - 1, lte=version)
        return next(iter(events), None)
