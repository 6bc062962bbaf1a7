"""Console pages' server time, measured in one run (by hand, never in the test suite).

    python bench/console_bench.py [--scale 1.0] [--backend sqlite|postgres] [--database-url URL]

At scale 1 the county is 100,000 households over 7 months of 2020 (the same county as
read_bench.py, written by service.demo.write_county; --scale 0.05 takes about a minute). The
views are caught up, then a discipline token signs in to the console and the two pages of the
issue are requested through the WSGI app in process, so the figure is server time only (no
network, no browser): the household page (status, criteria, timeline) of random households,
and the findings ledger (问题台账) page of 50 rows, filtered by a random village or unfiltered
at a random offset. Reported: p50 and p99 of each, against the target p99 < 100 ms.
"""
from __future__ import annotations

import argparse
import random
import re
import time

from harness import Target, database, header, print_targets
from read_bench import HOUSEHOLDS_AT_SCALE_1, MONTHS, SEED, ensure_county, percentile

from service.app import create_app
from service.config import Config
from service.root import Root

TARGET_MS = 100.0


def timed(client, paths: list[str], label: str) -> float:
    timings = []
    for path in paths:
        started = time.perf_counter()
        answer = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code}")
    p50, p99 = percentile(timings, 0.5), percentile(timings, 0.99)
    print(f"  {label:34} {len(timings):5} requests  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms",
          flush=True)
    return p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="reuse this ledger (kept afterwards)")
    parser.add_argument("--requests", type=int, default=500, help="requests per page")
    args = parser.parse_args()
    households = max(300, round(HOUSEHOLDS_AT_SCALE_1 * args.scale))
    header("console_bench.py")
    print(f"scale {args.scale}: {households:,} households, {MONTHS} months, seed {SEED}")
    with database(args.backend, args.database_url) as url:
        with Root(Config(database_url=url, log_level="WARNING")) as root:
            ensure_county(root.ledger, households)
            root.runner().catch_up()
            app = create_app(root=root, settings={"TESTING": True})
            token = root.ledger.create_token("bench-jiwei", "discipline")
            client = app.test_client()
            csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                             client.get("/login").get_data(as_text=True))
            client.post("/login", data={"token": token, "csrf_token": csrf.group(1)})
            rows = root.views.store.query("SELECT key FROM proj_state WHERE kind = ?",
                                          ("household",))
            villages = sorted({r[0] for r in root.views.store.query(
                "SELECT unit_id FROM proj_findings")})
            pick = random.Random(SEED)
            house = [f"/households/{pick.choice(rows)[0]}" for _ in range(args.requests)]
            ledger = [f"/findings?unit_id={pick.choice(villages)}" if i % 2 else
                      f"/findings?offset={pick.randrange(0, 2000)}"
                      for i in range(args.requests)]
            print("server time (WSGI in process)")
            house_p99 = timed(client, house, "household page")
            ledger_p99 = timed(client, ledger, "findings ledger page (50 rows)")
    print_targets([
        Target("household page, server p99", house_p99, TARGET_MS, "ms", at_most=True),
        Target("findings ledger page, server p99", ledger_p99, TARGET_MS, "ms", at_most=True),
    ], title="targets (issue 11)")


if __name__ == "__main__":
    main()
