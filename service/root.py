"""The composition root: the one place that turns configuration into working parts.

The app factory, every CLI command, the benches and the tests build the ledger, the projection
store, the views, the runner, the checkpoints and the signer here, and nowhere else. Parts are
built on first use, so a command that only needs the ledger never opens the read models.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.application import Ledger
from ledger.privacy.cipher import MasterKey, key_from_file
from ledger.privacy.evidence_files import EvidenceFiles
from ledger.privacy.keys import KeyDirectory, KeyRing, KeyTable
from ledger.privacy.search_tokens import SearchKey
from ledger.read_audit import ReadAudit
from ledger.recorders.evidence import evidence_table_of
from ledger.recorders.keys import key_table_of
from ledger.tamper.checkpoints import Checkpoints, PeriodicCheckpoints
from ledger.tamper.signing import Signer, load_private_key, load_public_key
from projections.name_index import NameIndex
from projections.runner import PAGE, ProjectionRunner
from projections.store import ProjectionStore, replica_store_for, store_for
from projections.views import Views
from service.config import Config
from service.storage import bound_pool_wait, one_process_creating_tables, persistence_env


def open_ledger(config: Config, create_tables: bool = True) -> Ledger:
    """The event-sourced application on the configured database, sealing personal data under
    keys from the configured key store."""
    env = persistence_env(config.database_url, config.pg_pool_size, config.pg_prepare_threshold)
    if not create_tables:
        env["CREATE_TABLE"] = "no"
    creating = one_process_creating_tables(config.database_url) if create_tables else nullcontext()
    with creating:
        ledger = Ledger(env=env)
        if create_tables:
            table: KeyTable = (KeyDirectory(config.key_directory) if config.key_directory
                               else key_table_of(ledger.recorder))
            keys = KeyRing(table, MasterKey.from_file(config.master_key_file),
                           config.erasure_journal)
            ledger.use_keys(keys)
            ledger.evidence_files = EvidenceFiles(
                evidence_table_of(ledger.recorder, config.evidence_directory), keys)
    bound_pool_wait(ledger.recorder, config.pg_pool_timeout)
    return ledger


@dataclass(frozen=True)
class RecorderOpener:
    """Opens the ledger's recorder in another process (verification workers are processes,
    so what they get must pickle: the configuration, not a connection)."""

    config: Config

    @contextmanager
    def __call__(self) -> Iterator[Any]:
        ledger = open_ledger(self.config, create_tables=False)
        try:
            yield ledger.recorder
        finally:
            ledger.close()


class Root:
    """The service's parts, built from one `Config`; `close()` releases them."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config.from_env()

    @cached_property
    def ledger(self) -> Ledger:
        return open_ledger(self.config)

    @cached_property
    def search_key(self) -> SearchKey:
        return SearchKey(key_from_file(self.config.index_key_file))

    @cached_property
    def store(self) -> ProjectionStore:
        return store_for(self.ledger, self.config.read_database_url, self.config.pg_pool_size,
                         self.config.pg_pool_timeout, self.config.pg_prepare_threshold,
                         NameIndex(self.search_key, self.ledger.reveal))

    @cached_property
    def read_store(self) -> ProjectionStore:
        """Where reads are answered from: a standby's copy of the read models when
        `read_replica_url` names one, else the store the runner writes."""
        if self.config.read_replica_url is None:
            return self.store
        return replica_store_for(self.store, self.config.read_replica_url,
                                 self.config.pg_pool_size, self.config.pg_pool_timeout,
                                 self.config.pg_prepare_threshold)

    @cached_property
    def views(self) -> Views:
        return Views(self.read_store, reveal=self.ledger.reveal, search_key=self.search_key)

    @cached_property
    def read_audit(self) -> ReadAudit:
        """Who read whose personal data, in the ledger's own database (ledger/read_audit.py):
        on its primary, also when reads come from a replica."""
        recorder: Any = self.ledger.recorder
        audit = ReadAudit(recorder.datastore)
        audit.setup()
        return audit

    def runner(self, page: int = PAGE) -> ProjectionRunner:
        return ProjectionRunner(self.store, page=page)

    @cached_property
    def signer(self) -> Signer | None:
        path = self.config.signing_key_file
        return Signer(load_private_key(path)) if path else None

    @cached_property
    def verifying_key(self) -> Ed25519PublicKey | None:
        """The public key checkpoints are checked with: a configured public key file (for a
        verifier without the private key), else the signer's own."""
        if self.config.public_key_file:
            return load_public_key(self.config.public_key_file)
        return self.signer.public_key if self.signer else None

    @cached_property
    def checkpoints(self) -> Checkpoints:
        return Checkpoints(self.ledger.recorder, self.signer, self.verifying_key)

    def periodic_checkpoints(self) -> PeriodicCheckpoints | None:
        """A thread signing the head every configured interval, or None when off."""
        if not self.checkpoints.enabled or self.config.checkpoint_interval <= 0:
            return None
        return PeriodicCheckpoints(self.checkpoints, self.config.checkpoint_interval)

    @property
    def recorder_opener(self) -> RecorderOpener:
        return RecorderOpener(self.config)

    def close(self) -> None:
        if "read_store" in self.__dict__ and self.read_store is not self.__dict__.get("store"):
            self.read_store.close()
        if "store" in self.__dict__:
            self.store.close()
        if "ledger" in self.__dict__:
            self.ledger.close()

    def __enter__(self) -> Root:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
