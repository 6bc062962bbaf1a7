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
Target (issue 8): every ratio within 1.5.
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledger.application import Command, Ledger  # noqa: E402
from ledger.identity import Actor  # noqa: E402
from ledger.snapshots import SNAPSHOT_AFTER  # noqa: E402
from service.config import Config  # noqa: E402
from service.root import open_ledger  # noqa: E402

ADMIN = Actor("bench-admin", "admin")
INSPECTOR = Actor("bench-inspector", "inspector")
BATCH = 100


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/growth.db"
    else:
        from tests.backends import fresh_postgres_url

        with fresh_postgres_url() as url:
            yield url


def village(unit_id: str) -> Command:
    return Command("UnitRegistered", {"unit_id": unit_id, "name": unit_id, "kind": "village"})


def finding(finding_id: str, unit_id: str) -> Command:
    return Command("FindingRaised", {
        "finding_id": finding_id, "subject_type": "unit", "subject_id": unit_id,
        "category": "visits", "description": "helper cadre visits not done",
        "responsible_unit_id": unit_id, "due_date": "2020-03-31",
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
    with database(backend) as url:
        ledger = open_ledger(Config(database_url=url))
        try:
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
        finally:
            ledger.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", default="0,1000,10000",
                        help="prior findings per village; 0 is a fresh village each round")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    history = sorted({int(n) for n in args.history.split(",")} | {0})
    print(f"command: python bench/growth_bench.py {shlex.join(sys.argv[1:])}".rstrip())
    times = {b: run(b, history, args.samples) for b in args.backends.split(",")}
    print(f"\none FindingRaised over {args.samples} rounds, in ms, with the ratio to a fresh "
          f"village (target <= 1.5); the mean includes the snapshot a grown village takes "
          f"every {SNAPSHOT_AFTER} writes")
    print("  prior findings" + "".join(f"  {b + ' median':>17} {b + ' mean':>17}" for b in times))
    for n in history:
        cells = ""
        for per_size in times.values():
            for measure in (statistics.median, statistics.mean):
                value, fresh = measure(per_size[n]), measure(per_size[0])
                cells += f"  {value * 1000:>8.2f} {value / fresh:>5.2f} x"
        print(f"  {n:>14,}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
