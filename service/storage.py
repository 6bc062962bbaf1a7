"""Turn a database URL into the eventsourcing library's persistence settings."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import PoolTimeout

from ledger.recorders.postgres import EXTRA_CONNINFO, PREPARE_THRESHOLD

DEFAULT_DATABASE_URL = "sqlite:///ledger.db"
# Seconds a pool that just failed to connect answers "unavailable" without trying again.
DOWN_HOLD_SECONDS = 2.0
# Session advisory lock held while one process creates the tables ("ledgerbo" in ASCII);
# not the recorders' own schema lock, which they take inside it.
STARTUP_LOCK = 0x6C6564676572626F


# What a URL names that the library's own settings carry; the rest goes to libpq as it is.
LIBRARY_KEYS = ("dbname", "host", "port", "user", "password")


class DatabaseUrlError(ValueError):
    pass


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def libpq_params(url: str) -> dict[str, str]:
    """What libpq makes of `url`: any libpq URL, several hosts included
    (`postgresql://u@h1:5432,h2:5432/db?target_session_attrs=read-write`)."""
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(url).items()}
    except psycopg.ProgrammingError as error:
        raise DatabaseUrlError(f"not a libpq URL: {error}") from None
    if not params.get("dbname"):
        raise DatabaseUrlError("a postgresql URL needs a database name")
    return params


def persistence_env(url: str, pool_size: int = 5,
                    prepare_threshold: int | None = 5) -> dict[str, str]:
    """Library environment for `sqlite:///rel.db`, `sqlite:////abs.db` or a libpq URL
    (`postgresql://...`, several hosts and any libpq parameter included)."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not path:
            raise DatabaseUrlError("a sqlite URL needs a file path: sqlite:///ledger.db")
        return {
            "PERSISTENCE_MODULE": "ledger.recorders.sqlite:LedgerSQLiteFactory",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": (
                "ledger.recorders.sqlite:ChainedSQLiteApplicationRecorder"
            ),
        }
    if is_postgres_url(url):
        params = libpq_params(url)
        extra = {k: v for k, v in params.items() if k not in LIBRARY_KEYS}
        return {
            "PERSISTENCE_MODULE": "ledger.recorders.postgres:LedgerPostgresFactory",
            "POSTGRES_DBNAME": params["dbname"],
            "POSTGRES_HOST": params.get("host", "127.0.0.1"),
            "POSTGRES_PORT": params.get("port", "5432"),
            "POSTGRES_USER": params.get("user", "postgres"),
            "POSTGRES_PASSWORD": params.get("password", ""),
            EXTRA_CONNINFO: make_conninfo(**extra),
            PREPARE_THRESHOLD: "off" if prepare_threshold is None else str(prepare_threshold),
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": (
                "ledger.recorders.postgres:ChainedPostgresApplicationRecorder"
            ),
        }
    raise DatabaseUrlError(
        f"unsupported LEDGER_DATABASE_URL {url!r}: use sqlite:///path.db or postgresql://..."
    )


def bound_pool_wait(recorder: Any, seconds: float, hold: float = DOWN_HOLD_SECONDS) -> None:
    """Make a request wait at most `seconds` for a PostgreSQL connection, and none at all for
    `hold` seconds after the pool last failed to get one.

    While the server is down or restarting the pool cannot connect, and the library retries
    each call up to 10 times with 0.2 s pauses; with its default wait (30 s, and whole seconds
    only in `POSTGRES_CONNECT_TIMEOUT`) every retry would wait the full time before the 503.
    Failing at once while the server is known to be down keeps a request's wait near the
    library's pauses (about 2 s a call). SQLite recorders have no pool and are left alone."""
    pool = getattr(getattr(recorder, "datastore", None), "pool", None)
    if pool is None or not hasattr(pool, "getconn"):
        return
    pool.timeout = seconds
    getconn = pool.getconn
    down_until = [0.0]

    def getconn_unless_down(timeout: float | None = None) -> Any:
        if time.monotonic() < down_until[0]:
            raise PoolTimeout("the database was unreachable moments ago; not waiting again")
        try:
            return getconn(timeout)
        except PoolTimeout:
            down_until[0] = time.monotonic() + hold
            raise

    pool.getconn = getconn_unless_down


@contextmanager
def one_process_creating_tables(url: str) -> Iterator[None]:
    """On PostgreSQL, let one process at a time create the tables: gunicorn's workers start
    together on a fresh database, and the library creates some of its tables (snapshots)
    without a lock of its own, so the loser of that race died at boot. SQLite serialises
    schema changes itself. The lock is held by an open transaction, not a session: through
    pgbouncer in transaction mode a session lock stays with whichever server session took it
    and its unlock may reach another one."""
    if not is_postgres_url(url):
        yield
        return
    with psycopg.connect(url, prepare_threshold=None) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (STARTUP_LOCK,))
        yield
