"""The event-sourced application: records commands as events and reads the global log."""
from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    StoredEvent,
)
from eventsourcing.utils import get_topic

from ledger import snapshots
from ledger.commands import HANDLERS, event_references, references
from ledger.domain.base import SYSTEM_ACTOR, event_data, recording
from ledger.domain.flags import Contradiction, LateEntryFlag
from ledger.errors import (
    Forbidden,
    IdempotencyKeyReused,
    Invalid,
    LedgerError,
    NotFound,
)
from ledger.identity import (
    REPLICATE,
    ROLES,
    SCOPES,
    TOKEN_ID_LENGTH,
    UNIT_SCOPED_ROLES,
    WRITERS,
    Actor,
    Credential,
    TokenListing,
    new_token,
    token_digest,
)
from ledger.privacy.evidence_files import EvidenceFiles
from ledger.privacy.fields import subject_key
from ledger.privacy.fingerprints import Fingerprints
from ledger.privacy.keys import KeyRing
from ledger.privacy.sealing import (
    Revealer,
    SealingMapper,
    sealing_subjects,
    subjects_of_aggregates,
)
from ledger.recorders import ChainedEvent, IdempotencyClaim, as_uuid
from ledger.session import AggregateStore, Session

# The shortest digest prefix `revoke_token` accepts as a token's name.
MIN_TOKEN_ID_LENGTH = 8


@dataclass(frozen=True)
class Command:
    """One client event: its type, its validated data and when it happened."""

    type: str
    data: dict[str, Any]
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class LoggedEvent:
    """An event as it stands in the global log."""

    event_id: str
    type: str
    position: int
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    hash: str
    data: dict[str, Any]
    consequences: list[LoggedEvent] = field(default_factory=list)


def event_id_of(originator_id: UUID, version: int) -> str:
    return f"{originator_id}:{version}"


def request_digest(commands: list[Command]) -> str:
    """A digest of what was asked, to tell a retry from a different request under one key."""
    text = repr([(c.type, sorted(c.data.items()), c.occurred_at) for c in commands])
    return hashlib.sha256(text.encode()).hexdigest()


class Ledger(Application):
    name = "ledger"
    is_snapshotting_enabled = True

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        if self.snapshots is None:
            raise ValueError("the ledger needs snapshots: leave IS_SNAPSHOTTING_ENABLED unset")
        self.snapshot_store: EventStore = self.snapshots
        self.aggregates = AggregateStore(
            self.recorder, self.mapper, self.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        snapshots.register_transcodings(transcoder)

    def construct_mapper(self) -> Mapper:
        return self.factory.mapper(transcoder=self.construct_transcoder(),
                                   mapper_class=SealingMapper)

    # Personal data -----------------------------------------------------------------
    keys: KeyRing | None = None
    reveal: Revealer = Revealer(None)
    fingerprint: Fingerprints = Fingerprints(None)

    def use_keys(self, keys: KeyRing) -> None:
        """Seal personal fields under subject keys from `keys` from now on, and open them on
        reads. Without keys (a bare ledger in a unit test) they are stored as given."""
        self.keys = keys
        self.mapper.keys = keys  # type: ignore[attr-defined]
        self.reveal = Revealer(keys)
        self.fingerprint = Fingerprints(keys.derive("fingerprints"))

    evidence_files: EvidenceFiles | None = None

    def _destroy_erased_keys(self, events: list[Any], chained: list[ChainedEvent]) -> None:
        """After an erasure is recorded, its subject's key goes; from then on every sealed
        field about the subject reads as erased."""
        if self.keys is None:
            return
        for event, stored in zip(events, chained, strict=True):
            if type(event).__name__ == "PersonalDataErased":
                self.keys.erase(subject_key(event.subject_type, event.subject_id),
                                stored.position)

    # Commands ------------------------------------------------------------------
    def record(
        self, actor: Actor, commands: list[Command], idempotency_key: str | None = None
    ) -> list[LoggedEvent]:
        """Record all commands, in order, as one atomic append, or nothing.

        Returns one logged event per command, each with the consequences the ledger recorded
        itself. A retry under the same idempotency key returns the first answer.

        The write decides on current state, then appends holding the writers' lock (every
        writer takes it to append), where it also looks for the idempotency key. If another
        write appended to an aggregate it read in between, the append fails on that
        aggregate's version and the write decides once more, this time under the lock, where
        no write can get in between: no write is ever refused for a concurrent change, and the
        lock is held across a decision only when that happened.
        """
        for command in commands:
            self._authorise(actor, command.type)
        claim = None
        if idempotency_key is not None:
            claim = IdempotencyClaim(actor.id, idempotency_key, request_digest(commands))
        decided: tuple[Session, list[Any]] | None = None
        try:
            decided = self._decide(actor, commands)
        except LedgerError:
            if claim is None or (earlier := self._replay_claim(claim)) is None:
                raise
            return earlier  # the same request, written meanwhile under this key
        try:
            return self._append(actor, commands, claim, decided)
        except IntegrityError:
            # Another write appended to an aggregate this one read: decide again, this time
            # under the lock, where no write can get in between.
            return self._append(actor, commands, claim, None)

    def _append(self, actor: Actor, commands: list[Command], claim: IdempotencyClaim | None,
                decided: tuple[Session, list[Any]] | None) -> list[LoggedEvent]:
        """Append what was decided (or, given None, decide under the lock first) in the
        writers' lock, which every writer takes to append."""
        chained: list[ChainedEvent] = []
        with self.recorder.writing(), self._provisional_keys():  # type: ignore[attr-defined]
            earlier = self._replay_claim(claim) if claim is not None else None
            if earlier is not None:
                return earlier
            session, events = decided or self._decide(actor, commands)
            owners = {a.id: s for a, _ in session.loaded() if (s := a.personal_subject())}
            if self.keys is not None:
                self.keys.prepare(sealing_subjects(events, owners))
            with subjects_of_aggregates(owners):
                # The event store directly: `save` would check each event against the
                # library's runtime protocols and look for snapshots and followers the ledger
                # does not use (it snapshots itself, below, and projections tail the log).
                self.events.put(events, idempotency=claim, chained=chained)
        self._destroy_erased_keys(events, chained)
        snapshots.take(self.snapshot_store, snapshots.due(session.loaded()))
        logged = [self._logged(r, e) for r, e in zip(chained, events, strict=True)]
        return self._answers(logged)

    def _provisional_keys(self) -> AbstractContextManager[None]:
        return self.keys.provisional() if self.keys is not None else nullcontext()

    def _authorise(self, actor: Actor, type_name: str) -> None:
        if type_name not in HANDLERS:
            raise Invalid(f"unknown or client-forbidden event type {type_name!r}", field="type")
        if REPLICATE in actor.scopes:
            raise Forbidden("a replicate token reads the log and records nothing",
                            scope=REPLICATE)
        if actor.role not in WRITERS[type_name]:
            raise Forbidden(
                f"role {actor.role} may not record {type_name}", role=actor.role, type=type_name
            )

    def _decide(self, actor: Actor, commands: list[Command]) -> tuple[Session, list[Any]]:
        """Run every command against current state; the events in the order they happened."""
        session = Session(self.aggregates, self.reveal, self.fingerprint)
        session.prefetch(
            [r for c in commands for r in references(c.data)],
            [e for c in commands for e in event_references(c.data)],
        )
        events: list[Any] = []
        for index, command in enumerate(commands):
            try:
                with recording(actor.id, command.occurred_at) as context:
                    HANDLERS[command.type](session, actor, command.data)
            except LedgerError as error:
                if len(commands) > 1:  # say which command of a batch failed
                    error.details.setdefault("index", index)
                raise
            events.extend(context.triggered)
        return session, events

    def _replay_claim(self, claim: IdempotencyClaim) -> list[LoggedEvent] | None:
        found = self.recorder.find_claim(claim.actor, claim.key)  # type: ignore[attr-defined]
        if found is None:
            return None
        if found.request_sha256 != claim.request_sha256:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with a different request", key=claim.key
            )
        return self._answers(self._read_range(found.first_position, found.last_position))

    @staticmethod
    def _answers(logged: list[LoggedEvent]) -> list[LoggedEvent]:
        """One answer per client event, with the events the ledger derived from it.

        Derived events always follow the client event that caused them, and are either of a
        type clients never submit or recorded by the `system` actor (no token can carry that
        name), so the log itself says where each answer ends."""
        answers: list[LoggedEvent] = []
        for event in logged:
            if (event.type in HANDLERS and event.actor != SYSTEM_ACTOR) or not answers:
                answers.append(event)
            else:
                answers[-1].consequences.append(event)
        return answers

    # Flags the ledger raises itself ------------------------------------------------
    def flag(self, kind: str, occurred_at: datetime, **data: Any) -> LoggedEvent | None:
        """Record a `late_entry` or `contradiction` flag (actor `system`) about the event
        `data["event_id"]`, dated on `occurred_at`; None if that event was flagged already."""
        cls = {"late_entry": LateEntryFlag, "contradiction": Contradiction}[kind]
        with recording(SYSTEM_ACTOR, occurred_at):
            flag = cls(**data)
        chained: list[ChainedEvent] = []
        events = flag.collect_events()
        try:
            self.save(*events, chained=chained)
        except IntegrityError:
            return None
        return self._logged(chained[0], events[0])

    # Identity --------------------------------------------------------------------
    def create_token(
        self,
        actor_id: str,
        role: str,
        unit_id: str | None = None,
        expires_at: datetime | None = None,
        scopes: tuple[str, ...] = (),
    ) -> str:
        """A new bearer token, shown only here; the ledger keeps its SHA-256 digest."""
        if actor_id == SYSTEM_ACTOR:
            raise Invalid(f"{SYSTEM_ACTOR!r} is the ledger's own name", field="actor")
        if role not in ROLES:
            raise Invalid(f"unknown role {role!r}", field="role")
        if role in UNIT_SCOPED_ROLES and not unit_id:
            # A scoped role with no unit would fall outside every scope check.
            raise Invalid(f"a {role} token needs a unit", field="unit")
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise Invalid(f"unknown scope {unknown[0]!r}", field="scope")
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise Invalid("an expiry needs a UTC offset", field="expires")
            if expires_at <= datetime.now(UTC):
                raise Invalid("the expiry is already past", field="expires")
        token = new_token()
        with recording(SYSTEM_ACTOR):
            credential = Credential(
                token_sha256=token_digest(token),
                actor_id=actor_id,
                role=role,
                unit_id=unit_id,
                expires_at=expires_at.isoformat() if expires_at else None,
                **({"scopes": sorted(set(scopes))} if scopes else {}),
            )
        self.save(credential)
        return token

    def credential(self, token: str) -> Credential | None:
        """The token's credential as it stands, whatever its state, or None if never issued."""
        return self._credential_by_digest(token_digest(token))

    def credential_version(self, token: str) -> int | None:
        """The current version of the token's credential (None: never issued), read as one
        row by its key. A cache of credentials stays true by comparing versions: a revocation
        in any process raises it."""
        last = self.recorder.select_events(
            Credential.id_for(token_digest(token)), desc=True, limit=1
        )
        return last[0].originator_version if last else None

    def authenticate(self, token: str, now: datetime | None = None) -> Actor | None:
        """The token's actor, or None when it is unknown, revoked or expired."""
        credential = self.credential(token)
        if credential is None or credential.state(now or datetime.now(UTC)) != "active":
            return None
        return credential.actor

    def list_tokens(self, now: datetime | None = None) -> list[TokenListing]:
        """Every token ever issued, oldest first, with its state at `now` (default: now)."""
        moment = now or datetime.now(UTC)
        return [TokenListing.of(c, moment) for c in self._credentials()]

    def revoke_token(self, token_or_id: str, reason: str) -> TokenListing:
        """Revoke a token named by itself or by a prefix of its digest (its listed id)."""
        if token_or_id.startswith("lgr_"):
            credential = self.credential(token_or_id)
        else:
            credential = self._credential_by_prefix(token_or_id.lower())
        if credential is None:
            raise NotFound("no such token", token=token_or_id[:TOKEN_ID_LENGTH])
        with recording(SYSTEM_ACTOR):
            credential.revoke(reason)
        self.save(credential)
        return TokenListing.of(credential, datetime.now(UTC))

    def _credential_by_digest(self, digest: str) -> Credential | None:
        credential_id = Credential.id_for(digest)
        found, _ = self.aggregates.load([credential_id]).get(credential_id, (None, 0))
        return found if isinstance(found, Credential) else None

    def _credential_by_prefix(self, prefix: str) -> Credential | None:
        if len(prefix) < MIN_TOKEN_ID_LENGTH or not all(c in "0123456789abcdef" for c in prefix):
            raise Invalid(
                f"name a token by itself or by at least {MIN_TOKEN_ID_LENGTH} hex digits of "
                "its listed id", field="token",
            )
        matches = [c for c in self._credentials() if c.token_sha256.startswith(prefix)]
        if len(matches) > 1:
            raise Invalid("more than one token has this id; give more of it", field="token")
        return matches[0] if matches else None

    def _credentials(self, page: int = 1000) -> list[Credential]:
        """Every credential, in the order issued: the log read for TokenIssued events only."""
        topic = get_topic(Credential.TokenIssued)  # type: ignore[attr-defined]
        ids: list[UUID] = []
        start = 1
        while True:
            notes = self.recorder.select_notifications(start, page, topics=[topic])
            ids.extend(as_uuid(n.originator_id) for n in notes)
            if len(notes) < page:
                break
            start = notes[-1].id + 1
        found: list[Credential] = []
        for first in range(0, len(ids), page):
            chunk = ids[first : first + page]
            loaded = self.aggregates.load(chunk)
            found.extend(c for c, _ in map(loaded.__getitem__, chunk) if isinstance(c, Credential))
        return found

    # The global log ---------------------------------------------------------------
    def read_log(self, after: int = 0, limit: int = 100, sealed: bool = False
                 ) -> list[LoggedEvent]:
        """A page of the global log; `sealed`: personal fields as stored (sealed), unopened."""
        rows = self.recorder.select_chained(after, limit)  # type: ignore[attr-defined]
        logged = [self._logged(row) for row in rows]
        return logged if sealed else self._revealed(logged)

    def _read_range(self, first: int, last: int) -> list[LoggedEvent]:
        rows = self.recorder.select_chained(first - 1, last - first + 1, stop=last)  # type: ignore[attr-defined]
        return self._revealed([self._logged(row) for row in rows])

    def reveal_logged(self, logged: list[LoggedEvent]) -> list[LoggedEvent]:
        """Logged events read `sealed`, with their personal fields opened (or shown erased)."""
        return self._revealed(logged)

    def _revealed(self, logged: list[LoggedEvent]) -> list[LoggedEvent]:
        """The events with their sealed fields opened, or shown as erased."""
        datas = self.reveal([e.data for e in logged])
        return [e if d is e.data else replace(e, data=d)
                for e, d in zip(logged, datas, strict=True)]

    def position_of(self, event_id: str) -> int | None:
        """The log position of the event named `<aggregate uuid>:<version>`, if recorded."""
        try:
            raw_id, raw_version = event_id.rsplit(":", 1)
            originator_id, version = UUID(raw_id), int(raw_version)
        except ValueError:
            return None
        return self.recorder.position_of(originator_id, version)  # type: ignore[attr-defined]

    def head(self) -> tuple[int, str] | None:
        found = self.recorder.chain_head()  # type: ignore[attr-defined]
        return (found[0], found[1].hex()) if found else None

    def _logged(self, row: ChainedEvent, event: Any = None) -> LoggedEvent:
        """The logged form of a row; `event` is the row's domain event when the caller holds
        it (it just recorded it), sparing a decode."""
        if event is None:
            event = self.mapper.to_domain_event(
                StoredEvent(row.originator_id, row.originator_version, row.topic, row.state)
            )
        return LoggedEvent(
            event_id=event_id_of(row.originator_id, row.originator_version),
            type=type(event).__name__,
            position=row.position,
            occurred_at=event.occurred_at,
            recorded_at=event.timestamp,
            actor=event.actor,
            hash=row.hash.hex(),
            data=event_data(event),
        )
