"""Fault (b): PostgreSQL stopped for a few seconds under three writers, then started again.

While it is down every write is answered, promptly, 503 with the error envelope and
`Retry-After` (never a 500, never a hang); once it is back the service recovers by itself, and
the requests answered 503, sent again under their Idempotency-Key, are recorded exactly once.
PostgreSQL only: an embedded SQLite file has no server to lose (its faults are in
test_sqlite_storage_faults.py). The cluster is the test's own, on another port."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from statistics import median

import pytest

from tests.faults.cluster import PrivateCluster, private_cluster
from tests.faults.harness import (
    REQUEST_TIMEOUT,
    VILLAGE,
    Gunicorn,
    Writers,
    count,
    make_token,
    post,
)

# How long the server stays down; longer by hand: LEDGER_FAULT_DOWN_SECONDS=15 pytest -s ...
DOWN_SECONDS = float(os.environ.get("LEDGER_FAULT_DOWN_SECONDS", "4"))


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    with private_cluster() as made:
        if made is None:
            pytest.fail("PostgreSQL binaries not found (pg_ctl under /usr/lib/postgresql)")
        yield made


def test_writes_answer_503_while_postgres_is_down_and_recover_by_themselves(
    cluster: PrivateCluster, tmp_path: Path
) -> None:
    url = cluster.create_database("ledger")
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    env.pop("LEDGER_SIGNING_KEY_FILE", None)
    server = Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log")
    server.start()
    try:
        token = make_token(url)
        first = post(server.port, token, VILLAGE)
        assert first.status == 201, first
        writers = Writers(server.port, token, threads=3)
        writers.start()
        writers.wait_for(20)
        cluster.stop()
        time.sleep(DOWN_SECONDS)
        cluster.start()
        writers.wait_for(20)
        writers.stop()
        retried = writers.retry_unanswered()
    finally:
        server.stop()

    counts = count(url, writers.acknowledged)
    waits = sorted(answer.seconds for answer in writers.unavailable)
    print(counts.line("postgres down"), f"down={DOWN_SECONDS:g}s",
          f"answered_503={len(waits)}", f"unanswered_then_retried={retried}",
          f"503_after_median={median(waits) if waits else 0:.1f}s",
          f"slowest_answer={writers.slowest:.1f}s", dict(writers.statuses))
    assert writers.failures == [], [(a.status, a.body) for a in writers.failures]
    assert None not in writers.statuses, "a request was cut off or hung"
    assert writers.unavailable, "no write was refused while the database was down"
    for answer in writers.unavailable:
        assert answer.body["error"]["code"] == "storage_unavailable", answer.body
        assert int(answer.headers["Retry-After"]) >= 1
    assert writers.slowest < REQUEST_TIMEOUT
    assert not writers.unanswered
    assert counts.lost == 0 and counts.doubled == 0 and counts.chain_ok
    assert counts.recorded == counts.acknowledged
