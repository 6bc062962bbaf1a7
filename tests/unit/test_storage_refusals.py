"""Which database errors become which answers: unavailable 503, read-only 503, full 507, and
anything else (a bug) no refusal at all, so it stays a 500."""
from __future__ import annotations

import sqlite3

import psycopg
import pytest
from eventsourcing import persistence
from psycopg_pool import PoolTimeout

from api.errors import STORAGE_ERRORS, storage_refusal


@pytest.mark.parametrize(("error", "status", "code"), [
    (psycopg.OperationalError("connection refused"), 503, "storage_unavailable"),
    (PoolTimeout("couldn't get a connection after 0.50 sec"), 503, "storage_unavailable"),
    (persistence.OperationalError("terminating connection due to administrator command"),
     503, "storage_unavailable"),
    (persistence.InterfaceError("the connection is closed"), 503, "storage_unavailable"),
    (sqlite3.OperationalError("database is locked"), 503, "storage_unavailable"),
    (sqlite3.OperationalError("attempt to write a readonly database"), 503,
     "storage_read_only"),
    (persistence.InternalError("cannot execute INSERT in a read-only transaction"), 503,
     "storage_read_only"),
    (sqlite3.OperationalError("database or disk is full"), 507, "storage_full"),
    (persistence.OperationalError("could not extend file: No space left on device"), 507,
     "storage_full"),
])
def test_unavailable_read_only_and_full_databases_are_refusals(
    error: Exception, status: int, code: str
) -> None:
    assert isinstance(error, STORAGE_ERRORS)
    refusal = storage_refusal(error)
    assert refusal is not None and refusal[:2] == (status, code)


def test_an_internal_error_that_is_not_about_writing_is_no_refusal() -> None:
    assert storage_refusal(persistence.InternalError("cache lookup failed")) is None
    assert not isinstance(persistence.ProgrammingError("syntax error"), STORAGE_ERRORS)
