"""Sealing personal fields on their way into the store, and opening them on the way out.

The mapper seals; nothing decrypts on load, so aggregates, snapshots and the read models only
ever hold sealed fields (no rule needs a name or a free text). Reads open them at the edge
(`Revealer`), with keys fetched afresh, so an erasure anywhere shows on the next read.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from ledger.privacy.cipher import seal, unseal
from ledger.privacy.fields import (
    IMPERSONAL_TYPES,
    PERSONAL_FIELDS,
    PLAIN_FIELDS_OF,
    SEALED,
    subject_from_data,
)
from ledger.privacy.keys import KeyRing

_owners: ContextVar[Mapping[UUID, str] | None] = ContextVar("owners", default=None)


@contextmanager
def subjects_of_aggregates(owners: Mapping[UUID, str]) -> Iterator[None]:
    """While saving: whose personal data each aggregate's events hold, when the event's own
    fields do not say (a finding's report is about the finding's household)."""
    token = _owners.set(owners)
    try:
        yield
    finally:
        _owners.reset(token)


# In an aggregate's snapshot, `record` is the ledger's own record of a household (sizes,
# categories, incomes by business time), not a compared record: rules read it, so it stays plain.
SNAPSHOT_PERSONAL = PERSONAL_FIELDS - {"record"}


def _sealed(value: Any, subject: str, key: bytes | None,
            personal: frozenset[str] = PERSONAL_FIELDS) -> Any:
    """`value` with every personal field sealed; the same object when it holds none."""
    if isinstance(value, dict):
        changed = {}
        for name, item in value.items():
            if name in personal and item is not None and not (
                    isinstance(item, dict) and SEALED in item):
                changed[name] = seal(item, subject, key)
            elif isinstance(item, dict | list):
                inner = _sealed(item, subject, key, personal)
                if inner is not item:
                    changed[name] = inner
        return {**value, **changed} if changed else value
    if isinstance(value, list):
        items = [_sealed(item, subject, key, personal) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _has_personal(value: Any, personal: frozenset[str] = PERSONAL_FIELDS) -> bool:
    """Whether a personal field with a value sits anywhere in `value`. Every event of a batch
    passes here twice, so it descends only into containers, never calls itself on a scalar."""
    if isinstance(value, dict):
        for name, item in value.items():
            if item is None:
                continue
            if name in personal:
                return True
            if isinstance(item, dict | list) and _has_personal(item, personal):
                return True
        return False
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and _has_personal(item, personal):
                return True
    return False


def _subject_of(event: Any, state: dict[str, Any]) -> str | None:
    if type(event).__name__ in IMPERSONAL_TYPES:
        return None
    return (_owners.get() or {}).get(event.originator_id) or subject_from_data(state)


def sealing_subjects(events: Iterable[Any], owners: Mapping[UUID, str]) -> set[str]:
    """The subjects whose keys saving `events` will seal with."""
    token = _owners.set(owners)
    try:
        return {s for e in events if (s := _subject_of(e, vars(e))) and _has_personal(vars(e))}
    finally:
        _owners.reset(token)


class SealingMapper(Mapper):
    """The library's mapper, sealing the personal fields of events about a data subject."""

    keys: KeyRing | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if self.keys is None:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        if isinstance(domain_event, Snapshot):
            # An aggregate that kept a personal field (its head's name, to compare) keeps it
            # sealed in its snapshots too.
            subject = subject_from_data(state["state"])
            if subject is None or not _has_personal(state["state"], SNAPSHOT_PERSONAL):
                return super().to_stored_event(domain_event)
            state["state"] = _sealed(state["state"], subject, self.keys.for_sealing(subject),
                                     SNAPSHOT_PERSONAL)
        else:
            subject = _subject_of(domain_event, state)
            personal = PERSONAL_FIELDS - PLAIN_FIELDS_OF.get(type(domain_event).__name__, set())
            if subject is None or not _has_personal(state, personal):
                return super().to_stored_event(domain_event)
            state = _sealed(state, subject, self.keys.for_sealing(subject), personal)
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        stored_state = self.transcoder.encode(state)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version,
                           topic=get_topic(type(domain_event)), state=stored_state)


def _subjects(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        if SEALED in value:
            found.add(value[SEALED])
            return
        for item in value.values():
            _subjects(item, found)
    elif isinstance(value, list):
        for item in value:
            _subjects(item, found)


def _opened(value: Any, keys: Mapping[str, bytes | None]) -> Any:
    if isinstance(value, dict):
        opened: dict[str, Any] = {}
        erased: list[str] = []
        for name, item in value.items():
            if isinstance(item, dict) and SEALED in item:
                key = keys.get(item[SEALED])
                if key is None or item["v"] is None:
                    opened[name] = None
                    erased.append(name)
                else:
                    opened[name] = unseal(item, key)
            else:
                opened[name] = _opened(item, keys)
        if erased:
            opened["erased"] = sorted({*opened.get("erased", []), *erased})
        return opened
    if isinstance(value, list):
        return [_opened(item, keys) for item in value]
    return value


class Revealer:
    """Opens the sealed fields of anything a read returns: plain text while the subject's key
    exists; `null`, named under `erased` in the enclosing object, once it was erased."""

    def __init__(self, keys: KeyRing | None) -> None:
        self._keys = keys

    def __call__(self, value: Any) -> Any:
        if self._keys is None or not _mentions_sealed(value):
            return value
        found: set[str] = set()
        _subjects(value, found)
        return _opened(value, self._keys.for_reading(found))


def _mentions_sealed(value: Any) -> bool:
    """A quick look before the walk: most reads hold no personal field at all."""
    try:
        return SEALED.encode() in orjson.dumps(value, default=str)
    except TypeError:
        return True

