"""The unit board with its roll-up, over HTTP (by hand, never in the test suite).

    python bench/unit_board_bench.py [--scale 1.0] [--months 1] [--backend sqlite|postgres]
                                     [--database-url URL] [--requests 1000] [--workers 2]

At scale 1 the county is 100,000 households (service.demo.write_county, `--months` months of
2020: registry, visits, findings and their follow-ups), folded into the views by a rebuild. Then
through HTTP against gunicorn (`service.app:create_app()`), p50 and p99 of
`GET /api/v1/units/{id}` for the township nearest 3,000 households and for the county, each
answer carrying the roll-up of everything below it; and, for comparison, one `valid_at` replay
of that township's roll-up in process (replays walk the subtree; only the live board has a
target). With --database-url pointing at a ledger that already holds the county, the writing
is skipped, and so is the rebuild when the views already hold its roll-ups (they catch up).

Targets (issue 10): the township of 3,000 households p99 < 20 ms, the county p99 < 50 ms.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from harness import Target, database, gunicorn, header, print_targets
from read_bench import get, percentile

from ledger.application import Ledger
from ledger.domain.units import Unit
from projections.replay import Cut
from projections.rollups import ROLLUP
from service.config import Config
from service.demo import write_county
from service.root import Root

HOUSEHOLDS_AT_SCALE_1 = 100_000
TOWNSHIP_SIZE = 3_000
SEED = 1


def ensure_county(ledger: Ledger, households: int, months: int) -> None:
    if Unit.id_for("county") in ledger.repository:
        print("county already written: reusing it")
        return
    summary = write_county(ledger, households, months, SEED,
                           progress=lambda line: print("  " + line, flush=True))
    print(f"wrote the county: {summary.events:,} events in {summary.seconds:.0f} s")


def build_views(root: Root) -> None:
    started = time.perf_counter()
    rebuilt = root.runner().rebuild(fresh=True)
    seconds = time.perf_counter() - started
    print(f"rebuilt the views: {rebuilt.folded:,} events in {seconds:.0f} s "
          f"({rebuilt.folded / seconds:,.0f} events/s), with the roll-up counters")


def township_near(root: Root, size: int) -> tuple[str, int]:
    county = root.store.load_one(ROLLUP, "county")
    if county is None:
        raise SystemExit("no roll-up for the county: the views were not built by this branch")
    townships = root.store.load(ROLLUP, county["children"])
    sizes = {t: s["counts"]["households"] for t, s in townships.items()
             if s["counts"]["households"]}
    chosen = min(sizes, key=lambda t: abs(sizes[t] - size))
    return chosen, sizes[chosen]


def interleaved(port: int, token: str, boards: dict[str, tuple[str, str]], requests: int
                ) -> dict[str, dict[str, float]]:
    """p50 and p99 of each board, requested in turn (so a busy spell on the shared machine
    falls on all of them alike), after 100 requests of each to warm the workers."""
    for path, _ in boards.values():
        for _ in range(100):
            get(port, path, token)
    timings: dict[str, list[float]] = {name: [] for name in boards}
    for _ in range(requests):
        for name, (path, _) in boards.items():
            started = time.perf_counter()
            status, body = get(port, path, token)
            timings[name].append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
    results = {}
    for name, (_, label) in boards.items():
        values = timings[name]
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        print(f"  {label:42} {len(values):5} requests  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
              f"max {max(values):6.1f} ms")
        results[name] = {"p50": p50, "p99": p99}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the 100,000-household county")
    parser.add_argument("--months", type=int, default=1, help="months of 2020 written")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="reuse this ledger (kept afterwards)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per board")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    households = max(300, round(HOUSEHOLDS_AT_SCALE_1 * args.scale))
    header("unit_board_bench.py")
    print(f"scale {args.scale}: {households:,} households, {args.months} months, seed {SEED}, "
          f"backend {args.database_url or args.backend}")
    with database(args.backend, args.database_url) as url:
        with Root(Config(database_url=url)) as root:
            ensure_county(root.ledger, households, args.months)
            head = root.ledger.head()
            print(f"log head: position {head[0] if head else 0:,}")
            if root.store.load_one(ROLLUP, "county") is None:
                build_views(root)
            else:
                caught_up = root.runner().catch_up()
                print(f"the views already hold the county's roll-ups: reusing them "
                      f"({caught_up} events folded to catch up)")
            township, size = township_near(root, TOWNSHIP_SIZE)
            county = root.views.unit("county")["rollup"]["households"]["total"]
            print(f"township {township}: {size:,} households; county: {county:,} households")
            started = time.perf_counter()
            root.views.unit(township, Cut(valid_at=date(2020, args.months, 28)))
            print(f"valid_at replay of {township}'s board, walking its subtree, in process: "
                  f"{time.perf_counter() - started:.2f} s (no target)")
            token = root.ledger.create_token("bench-jiwei", "discipline")
        with gunicorn("service.app:create_app()", {"LEDGER_DATABASE_URL": url},
                      args.workers) as port:
            reads = interleaved(port, token, {
                "township": (f"/api/v1/units/{township}",
                             f"unit board + roll-up, {township} ({size:,} hh)"),
                "county": ("/api/v1/units/county",
                           f"unit board + roll-up, county ({county:,} hh)")}, args.requests)
    print_targets([
        Target(f"township board ({size:,} households), HTTP p99", reads["township"]["p99"], 20,
               "ms", at_most=True),
        Target(f"county board ({county:,} households), HTTP p99", reads["county"]["p99"], 50,
               "ms", at_most=True),
    ], title="targets (issue 10)")


if __name__ == "__main__":
    main()
