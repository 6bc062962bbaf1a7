"""Fault (a): `kill -9` of a gunicorn worker, then of the master, while three clients write.

Every acknowledged event is in the log exactly once at the position it was answered with, the
chain verifies, and requests that got no answer, sent again under their Idempotency-Key,
record nothing twice (they answer the first answer, or record the event once)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import BACKENDS, fresh_database_url
from tests.faults.harness import (
    VILLAGE,
    Gunicorn,
    Writers,
    count,
    make_token,
    post,
    recorded_households,
)


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Gunicorn]]:
    with fresh_database_url(request.param, tmp_path) as url:
        env = {**os.environ, "LEDGER_DATABASE_URL": url}
        env.pop("LEDGER_SIGNING_KEY_FILE", None)
        server = Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log")
        try:
            server.start()
            yield url, server
        finally:
            server.stop()


def test_killing_a_worker_and_the_master_loses_and_doubles_nothing(
    served: tuple[str, Gunicorn],
) -> None:
    url, server = served
    token = make_token(url)
    first = post(server.port, token, VILLAGE)
    assert first.status == 201, first
    writers = Writers(server.port, token, threads=3)
    writers.start()
    writers.wait_for(15)
    server.kill_worker()  # the master forks a new one
    writers.wait_for(15)
    orphans = server.kill_master()
    writers.wait_for(10)  # the orphaned workers still serve
    server.kill_orphans(orphans)  # now nothing answers: refused or cut connections
    server.start()
    writers.wait_for(15)
    writers.stop()
    # Requests cut off after their commit are in the log without an answer: their retry
    # must answer the first answer, not record them again nor refuse them as duplicates.
    in_doubt = set(writers.unanswered) & recorded_households(url)
    retried = writers.retry_unanswered()

    counts = count(url, writers.acknowledged)
    print(counts.line("killed gunicorn"), f"unanswered_then_retried={retried}",
          f"of_which_recorded_before_retry={len(in_doubt)}", dict(writers.statuses))
    assert not writers.unanswered, writers.unanswered
    assert writers.failures == [], [(a.status, a.body) for a in writers.failures]
    assert counts.acknowledged >= 55
    assert counts.lost == 0 and counts.doubled == 0 and counts.chain_ok
    assert counts.recorded == counts.acknowledged
