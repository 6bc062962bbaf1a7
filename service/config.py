"""Configuration from the environment, read in one place.

Every setting has a default that is safe on a newcomer's machine; none of them is a secret.
The signing key has no default: without `LEDGER_SIGNING_KEY_FILE`, checkpoints are off.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from limits import parse

from api.limits import (
    DEFAULT_AUTH_FAILURE_LIMIT,
    DEFAULT_READ_LIMIT,
    DEFAULT_READ_WAITS,
    DEFAULT_WRITE_LIMIT,
)
from service.storage import DEFAULT_DATABASE_URL

DEFAULT_CHECKPOINT_INTERVAL = 600.0
DEFAULT_MASTER_KEY_FILE = "ledger-master.key"
DEFAULT_INDEX_KEY_FILE = "ledger-index.key"


def _threshold(value: str) -> int | None:
    return None if value.strip().lower() in ("off", "none") else int(value)


@dataclass(frozen=True)
class Config:
    """What the composition root needs to build the service."""

    database_url: str = DEFAULT_DATABASE_URL
    # Where the read models live; None keeps them in the ledger's own database.
    read_database_url: str | None = None
    # A standby's copy of the read models (streaming replication) that reads are served from;
    # None: reads go to the read models the runner writes. Read audits stay on the primary.
    read_replica_url: str | None = None
    signing_key_file: str | None = None
    public_key_file: str | None = None
    checkpoint_interval: float = DEFAULT_CHECKPOINT_INTERVAL
    max_body_bytes: int | None = None
    # How long a read waits for its min_position before answering 503; None: the app's default.
    read_wait_seconds: float | None = None
    pg_pool_size: int = 5
    # Seconds a request waits for a PostgreSQL connection before its storage is called
    # unavailable (503); after such a wait the pool fails at once for a moment, so the
    # library's retries of a call (10, 0.2 s apart) do not each wait again (service/storage.py).
    pg_pool_timeout: float = 1.0
    # After how many runs a statement is prepared on a connection (psycopg's setting); None
    # never prepares, as pgbouncer in transaction mode before 1.21 needs (README, Scaling out).
    pg_prepare_threshold: int | None = 5
    # Wraps the per-subject keys of personal data; made (mode 600) when missing. Keep it
    # outside the database and its backups: without it no personal field can be read.
    master_key_file: str = DEFAULT_MASTER_KEY_FILE
    # The key of the search index of names (keyed hashes of name tokens); kept like the
    # master key: made (mode 600) when missing, outside the database and its backups.
    index_key_file: str = DEFAULT_INDEX_KEY_FILE
    # Keep the wrapped subject keys as files in this directory instead of a database table.
    key_directory: str | None = None
    # Keep sealed evidence files in this directory instead of a database table.
    evidence_directory: str | None = None
    # Every erasure is also appended here, outside the database and its backups (default:
    # beside the master key, `<master key file>.erasures`); `ledger restore` applies it.
    erasure_journal_file: str | None = None
    # Rate limits, as "N/second|minute|hour|day": failed authentications per client address,
    # writes per token; counted in process memory unless a shared store is named.
    auth_failure_limit: str = DEFAULT_AUTH_FAILURE_LIMIT
    write_limit: str = DEFAULT_WRITE_LIMIT
    # Reads per token, and how many of a token's reads may wait for min_position at once in
    # one process (more: 429).
    read_limit: str = DEFAULT_READ_LIMIT
    read_waits: int = DEFAULT_READ_WAITS
    ratelimit_storage_uri: str = "memory://"
    # Proxies in front whose X-Forwarded-For names the client (0: the socket peer is the client).
    trusted_proxies: int = 0
    # Who may scrape GET /metrics: "loopback" (clients on this machine), "on" (anyone), "off".
    metrics: str = "loopback"
    # Level of the JSON request log on standard error (DEBUG, INFO, WARNING, ERROR).
    log_level: str = "INFO"
    # The console: where its server-side sessions are kept (default: a table in the ledger's
    # database; else a directory the service makes with mode 0700 and refuses if it is not its
    # own) and the key its CSRF tokens are signed with (default: one made at start, so workers
    # of one deployment must be given the same one).
    console_session_dir: str | None = None
    console_secret_key: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        env = os.environ if environ is None else environ
        config = cls(
            database_url=env.get("LEDGER_DATABASE_URL") or DEFAULT_DATABASE_URL,
            read_database_url=env.get("LEDGER_READ_DATABASE_URL") or None,
            read_replica_url=env.get("LEDGER_READ_REPLICA_URL") or None,
            signing_key_file=env.get("LEDGER_SIGNING_KEY_FILE") or None,
            public_key_file=env.get("LEDGER_PUBLIC_KEY_FILE") or None,
            checkpoint_interval=float(
                env.get("LEDGER_CHECKPOINT_INTERVAL", DEFAULT_CHECKPOINT_INTERVAL)
            ),
            max_body_bytes=(
                int(env["LEDGER_MAX_BODY_BYTES"]) if env.get("LEDGER_MAX_BODY_BYTES") else None
            ),
            read_wait_seconds=(
                float(env["LEDGER_READ_WAIT_SECONDS"])
                if env.get("LEDGER_READ_WAIT_SECONDS") else None
            ),
            pg_pool_size=int(env.get("LEDGER_PG_POOL_SIZE", "5")),
            pg_pool_timeout=float(env.get("LEDGER_PG_POOL_TIMEOUT", "1.0")),
            pg_prepare_threshold=_threshold(env.get("LEDGER_PG_PREPARE_THRESHOLD", "5")),
            master_key_file=env.get("LEDGER_MASTER_KEY_FILE") or DEFAULT_MASTER_KEY_FILE,
            key_directory=env.get("LEDGER_KEY_DIRECTORY") or None,
            evidence_directory=env.get("LEDGER_EVIDENCE_DIR") or None,
            erasure_journal_file=env.get("LEDGER_ERASURE_JOURNAL_FILE") or None,
            index_key_file=env.get("LEDGER_INDEX_KEY_FILE") or DEFAULT_INDEX_KEY_FILE,
            auth_failure_limit=env.get("LEDGER_AUTH_FAILURE_LIMIT") or DEFAULT_AUTH_FAILURE_LIMIT,
            write_limit=env.get("LEDGER_WRITE_LIMIT") or DEFAULT_WRITE_LIMIT,
            read_limit=env.get("LEDGER_READ_LIMIT") or DEFAULT_READ_LIMIT,
            read_waits=int(env.get("LEDGER_READ_WAITS") or DEFAULT_READ_WAITS),
            ratelimit_storage_uri=env.get("LEDGER_RATELIMIT_STORAGE_URI") or "memory://",
            trusted_proxies=int(env.get("LEDGER_TRUSTED_PROXIES", "0")),
            metrics=env.get("LEDGER_METRICS") or "loopback",
            log_level=env.get("LEDGER_LOG_LEVEL") or "INFO",
            console_session_dir=env.get("LEDGER_CONSOLE_SESSION_DIR") or None,
            console_secret_key=env.get("LEDGER_CONSOLE_SECRET_KEY") or None,
        )
        config = replace(config, **overrides)
        for name in ("auth_failure_limit", "write_limit", "read_limit"):
            try:
                parse(getattr(config, name))
            except ValueError as error:
                raise ValueError(f"LEDGER_{name.upper()}: {error}") from error
        return config

    @property
    def erasure_journal(self) -> str:
        return self.erasure_journal_file or f"{self.master_key_file}.erasures"

    def flask_settings(self) -> dict[str, Any]:
        """The settings the HTTP layer reads from the Flask config."""
        settings: dict[str, Any] = {
            "AUTH_FAILURE_LIMIT": self.auth_failure_limit,
            "WRITE_LIMIT": self.write_limit,
            "READ_LIMIT": self.read_limit,
            "READ_WAITS": self.read_waits,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "METRICS": self.metrics,
        }
        if self.max_body_bytes is not None:
            settings["MAX_CONTENT_LENGTH"] = self.max_body_bytes
        if self.read_wait_seconds is not None:
            settings["READ_WAIT_SECONDS"] = self.read_wait_seconds
        return settings
