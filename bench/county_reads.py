"""What a county written by `ledger demo` answers once written (demo_bench.py --reads): its
views rebuilt from the log (timed), then over HTTP (gunicorn) p50 and p99 of the household list
of the township nearest 3,000 households and of the boards of that township and the county,
requested in turn."""
from __future__ import annotations

import time

import psycopg
from harness import gunicorn
from unit_board_bench import TOWNSHIP_SIZE, interleaved, township_near

from service.root import Root


def rebuild(root: Root) -> dict[str, float]:
    started = time.perf_counter()
    rebuilt = root.runner().rebuild(fresh=True)
    seconds = time.perf_counter() - started
    print(f"rebuilt the views: {rebuilt.folded:,} events in {seconds:.0f} s "
          f"({rebuilt.folded / seconds:,.0f} events/s)", flush=True)
    return {"events": rebuilt.folded, "seconds": seconds}


def analyze(url: str) -> None:
    """Give PostgreSQL's planner statistics, as autovacuum does on a server where it is on
    (the shared test server here runs with it off)."""
    if url.startswith("postgres"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        print("analysed the database (autovacuum's statistics)", flush=True)


def http_reads(url: str, root: Root, requests: int, workers: int = 2
               ) -> dict[str, dict[str, float]]:
    analyze(url)
    township, size = township_near(root, TOWNSHIP_SIZE)
    county = root.views.unit("county")["rollup"]["households"]["total"]
    token = root.ledger.create_token("bench-jiwei", "discipline")
    env = {"LEDGER_DATABASE_URL": url, "LEDGER_LOG_LEVEL": "WARNING"}
    with gunicorn("service.app:create_app()", env, workers) as port:
        return interleaved(port, token, {
            "list": (f"/api/v1/households?township_id={township}",
                     f"household list, {township} ({size:,} hh)"),
            "township": (f"/api/v1/units/{township}", f"unit board, {township}"),
            "county": ("/api/v1/units/county", f"unit board, county ({county:,} hh)"),
        }, requests)
