"""Under gunicorn with several workers and PROMETHEUS_MULTIPROC_DIR set, every scrape adds up
the counts of all workers, whichever worker answers it."""
from __future__ import annotations

import os
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.faults.harness import VILLAGE, Gunicorn, get, make_token, post


def _writes_counted(port: int) -> float:
    answer = get(port, "/metrics")
    assert answer.status == 200, answer.body
    return sum(s.value for family in text_string_to_metric_families(answer.body["text"])
               for s in family.samples
               if s.name == "ledger_http_requests_total" and s.labels["method"] == "POST")


def test_every_worker_reports_the_sum_of_all_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    env.pop("LEDGER_SIGNING_KEY_FILE", None)
    token = make_token(url)
    server = Gunicorn(env, workers=2, log=tmp_path / "gunicorn.log")
    server.start()
    try:
        statuses = [post(server.port, token, VILLAGE).status for _ in range(12)]
        scrapes = {_writes_counted(server.port) for _ in range(6)}
    finally:
        server.stop()
    assert statuses == [201] + [409] * 11
    assert scrapes == {12.0}
