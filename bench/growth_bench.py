"""Does a write get slower as the unit it touches grows? Measured in one run, by hand.

    python bench/growth_bench.py [--history 0,1000,10000] [--samples 200]
                                 [--backends sqlite,postgres]

For each backend (a fresh SQLite file; a fresh PostgreSQL database made and dropped here), in
process, without HTTP: villages are given 0, 1,000 and 10,000 prior findings (raised in batches
of 100, left open), then one `FindingRaised` (subject and responsible unit: the village) is timed
on each of them in turn, round after round (each village first as often as the others), so every
village sees the same load on the machine.
"0" means a fresh village each round: registered beforehand, never written to since. The figure
is the median (and the mean) time of one `Ledger.record` call; the ratio is to the fresh
village's.
Target (issue 8), printed side by side at the end: every median ratio within 1.5. The ledger
is built by the composition root (service.root) from a Config naming the database.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from harness import Target, database, header, print_targets

from ledger.application import Command, Ledger
from ledger.identity import Actor
from ledger.snapshots import SNAPSHOT_AFTER
from service.config import Config
from service.root import Root

ADMIN = Actor("bench-admin", "admin")
INSPECTOR = Actor("bench-inspector", "inspector")
BATCH = 100


def village(unit_id: str) -> Command:
    return Command("UnitRegistered", {"unit_id": unit_id, "name": unit_id, "kind": "village"})


def finding(finding_id: str, unit_id: str) -> Command:
    return Command("FindingRaised", {
        "finding_id": finding_id, "subject_type": "unit", "subject_id": unit_id,
        "category": "visits", "description": "helper cadre visits not done",
        "responsible_unit_id": unit_id, "due_date": "2099-03-31",
    })


def fill(ledger: Ledger, unit_id: str, count: int) -> float:
    """Give the village `count` open findings; the seconds it took."""
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        ids = range(first, min(first + BATCH, count))
        ledger.record(INSPECTOR, [finding(f"{unit_id}-old-{i}", unit_id) for i in ids])
    return time.perf_counter() - started


def timed(ledger: Ledger, command: Command) -> float:
    started = time.perf_counter()
    ledger.record(INSPECTOR, [command])
    return time.perf_counter() - started


def run(backend: str, history: list[int], samples: int) -> dict[int, list[float]]:
    """The seconds of each timed FindingRaised, per prior-history size."""
    with database(backend) as url, Root(Config(database_url=url)) as root:
        ledger = root.ledger
        fresh = [f"v-fresh-{i}" for i in range(samples)]
        grown = {n: f"v-{n}" for n in history if n > 0}
        ledger.record(ADMIN, [village(u) for u in [*fresh, *grown.values()]])
        for n, unit_id in grown.items():
            print(f"  {backend}: {n:,} prior findings on {unit_id} in "
                  f"{fill(ledger, unit_id, n):.1f} s")
        times: dict[int, list[float]] = {n: [] for n in history}
        for i in range(samples):
            turn = i % len(history)  # each village goes first as often as the others
            for n in history[turn:] + history[:turn]:
                unit_id = grown.get(n, fresh[i])
                times[n].append(timed(ledger, finding(f"{unit_id}-new-{i}", unit_id)))
    return times


NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", default="0,1000,10000",
                        help="prior findings per village; 0 is a fresh village each round")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if unknown := set(backends) - set(NAMES):
        parser.error(f"unknown backend {', '.join(sorted(unknown))}: sqlite, postgres")
    history = sorted({int(n) for n in args.history.split(",")} | {0})
    header("growth_bench.py")
    times = {b: run(b, history, args.samples) for b in backends}
    print(f"\none FindingRaised over {args.samples} rounds, in ms, with the ratio to a fresh "
          f"village; the mean includes the snapshot a grown village takes every "
          f"{SNAPSHOT_AFTER} writes")
    print("  prior findings" + "".join(f"  {b + ' median':>17} {b + ' mean':>17}" for b in times))
    for n in history:
        cells = ""
        for per_size in times.values():
            for measure in (statistics.median, statistics.mean):
                value, fresh = measure(per_size[n]), measure(per_size[0])
                cells += f"  {value * 1000:>8.2f} {value / fresh:>5.2f} x"
        print(f"  {n:>14,}{cells}")
    targets = []
    for backend, per_size in times.items():
        fresh = statistics.median(per_size[0])
        for n in history[1:]:
            grown = statistics.median(per_size[n])
            targets.append(Target(
                f"FindingRaised on a village with {n:,} findings ÷ fresh, {NAMES[backend]}",
                grown / fresh, 1.5, "×", f"medians {grown * 1000:.2f} ms ÷ {fresh * 1000:.2f} ms",
                at_most=True))
    print_targets(targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
