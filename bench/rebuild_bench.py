"""Rebuild against the raw log read, side by side in one run (by hand, never in the test suite).

    python bench/rebuild_bench.py [--scale 0.2] [--backend sqlite|postgres] [--database-url URL]

Writes the demo county (service.demo.write_county, as read_bench.py does; scale 1 is about
1,090,000 events, 0.2 about 220,000) unless --database-url names a ledger that already holds
it, then:
1. the floor: the raw global log read in pages (store.read_log, what a rebuild reads at least,
   and select_chained, which also reads the chain hashes);
2. `ledger rebuild --verbose` in a subprocess: its events/s, and its peak RSS taken from
   getrusage(RUSAGE_CHILDREN), which covers every process it starts.
Targets (issue 20): the rebuild at >= 0.5 x store.read_log, peak memory under 500 MB.
Without the HTTP reads of read_bench.py, so it is the one to run after changing the rebuild.
"""
from __future__ import annotations

import argparse

from harness import Target, database, header, print_targets
from read_bench import HOUSEHOLDS_AT_SCALE_1, MONTHS, SEED, ensure_county, read_floor, rebuild

from service.config import Config
from service.root import Root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.2,
                        help="share of the 100,000-household county (about 1M events at 1)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="reuse this ledger (kept afterwards)")
    args = parser.parse_args()
    households = max(300, round(HOUSEHOLDS_AT_SCALE_1 * args.scale))
    header("rebuild_bench.py")
    print(f"scale {args.scale}: {households:,} households, {MONTHS} months, seed {SEED}, "
          f"backend {args.database_url or args.backend}")
    with database(args.backend, args.database_url) as url:
        with Root(Config(database_url=url)) as root:
            ensure_county(root.ledger, households)
            head = root.ledger.head()
            events = head[0] if head else 0
            print(f"log head: position {events:,}")
            print("1. raw global log read (the floor)")
            floor = read_floor(root)
        print("2. ledger rebuild")
        built = rebuild(url, events)
    print_targets([
        Target("rebuild ÷ raw log read (store.read_log)", built["rate"] / floor["store.read_log"],
               0.5, "×", f"{built['rate']:,.0f}/s ÷ {floor['store.read_log']:,.0f}/s "
               f"at {events:,} events"),
        Target("rebuild peak RSS (with its children)", built["peak_mb"], 500, "MB",
               at_most=True),
    ], title="targets (issue 20)")


if __name__ == "__main__":
    main()
