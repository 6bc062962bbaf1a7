"""Fault (e): the primary of a pg_auto_failover formation killed under four writers.

The ledger's URL names both nodes (`target_session_attrs=read-write`); the standby is
synchronous, so a commit is acknowledged only once the standby has it. The writers retry every
request under its own Idempotency-Key until it is answered 201, as a client that must get its
write through does. When the primary's keeper and PostgreSQL are SIGKILLed (as when its machine
goes), the monitor promotes the standby; then: no acknowledged event is lost, none recorded
twice, writes resume on the new primary, its chain verifies, and the time without an
acknowledged write is printed. Never skipped: `.ci/run` installs pg_auto_failover."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.formation import Formation, formation
from tests.faults.harness import (
    REQUEST_TIMEOUT,
    VILLAGE,
    Gunicorn,
    Writers,
    count,
    make_token,
    post,
)


@pytest.fixture
def nodes() -> Iterator[Formation]:
    with formation() as made:
        yield made


def test_killing_the_primary_loses_no_acknowledged_write(
    nodes: Formation, tmp_path: Path
) -> None:
    first_node, second_node = nodes.ports()
    assert nodes.primary_port() == first_node
    env = {**os.environ, "LEDGER_DATABASE_URL": nodes.url, "LEDGER_PG_POOL_SIZE": "2"}
    env.pop("LEDGER_SIGNING_KEY_FILE", None)
    env.pop("LEDGER_READ_DATABASE_URL", None)
    server = Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log")
    server.start()
    try:
        token = make_token(nodes.url)
        assert post(server.port, token, VILLAGE).status == 201
        writers = Writers(server.port, token, threads=4, retry_in_place=True)
        writers.start()
        writers.wait_for(20)
        killed_at = time.monotonic()
        nodes.kill("node1")
        writers.wait_for(40, deadline=60)
        writers.stop()
        writers.retry_unanswered()
    finally:
        server.stop()

    silence, resumed_at = writers.longest_silence(killed_at)
    after = sum(1 for t in writers.answered_at if t >= resumed_at)
    counts = count(nodes.url, writers.acknowledged)
    print(counts.line("primary killed"), f"no_writes_for={silence:.1f}s",
          f"acknowledged_after_promotion={after}", dict(writers.statuses))
    assert nodes.primary_port() == second_node
    assert writers.failures == [], [(a.status, a.body) for a in writers.failures]
    assert writers.slowest < REQUEST_TIMEOUT
    assert not writers.unanswered
    assert after >= 20, "writes did not resume on the new primary"
    assert counts.lost == 0 and counts.doubled == 0 and counts.chain_ok
    assert counts.recorded == counts.acknowledged
