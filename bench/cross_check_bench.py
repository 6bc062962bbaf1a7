"""How fast does `ledger cross-check` record the information system's export? (by hand, never in
the test suite)

    python bench/cross_check_bench.py [--rows 100000] [--backend sqlite|postgres]
                                      [--batch 500] [--database-url URL]

Registers one village of `--rows` households, then, in the same run and on the same ledger
(built by the composition root), measures:
  - the plain batch-write rate: one `HouseholdFactsRecorded` per household, `--batch` commands
    per `Ledger.record` (each loads its household, as a comparison does);
  - the cross-check: a CSV of one row per household (household_id, as_of_date and all five
    record fields; every 20th row differs in size, so about 5 % of rows find a mismatch) read
    and recorded by service.cross_check.cross_check, exactly what `ledger cross-check` runs.
Prints both rates side by side and the target of issue 9: 100,000 rows on SQLite in under
2 minutes.
"""
from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import datetime
from pathlib import Path

from harness import Target, database, header, load_average, print_targets

from ledger.application import Command, Ledger
from ledger.identity import Actor
from service.config import Config
from service.cross_check import Summary, cross_check
from service.root import Root

ADMIN = Actor("county-admin", "admin")
CLERK = Actor("data-office", "inspector")
TARGET_SECONDS_PER_100K = 120.0
REGISTERED = datetime.fromisoformat("2020-01-02T10:00+08:00")
FACTS_ON = datetime.fromisoformat("2020-03-01T10:00+08:00")


def _household(n: int) -> str:
    return f"h{n:07d}"


def _in_batches(ledger: Ledger, commands: list[Command], batch: int) -> float:
    """Record `commands` `batch` at a time; the seconds it took."""
    started = time.perf_counter()
    for first in range(0, len(commands), batch):
        ledger.record(ADMIN, commands[first:first + batch])
    return time.perf_counter() - started


def _export(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["household_id", "as_of_date", "size", "category", "per_capita_income",
                         "poverty_status", "head_name"])
        for n in range(rows):
            size = 5 if n % 20 == 0 else 4  # the ledger knows 4
            writer.writerow([_household(n), "2020-06-30", size, "registered_poor", "3000.4",
                             "registered_poor", f"Head {n}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    header("cross_check_bench.py")
    with database(args.backend, args.database_url) as url, \
            Root(Config(database_url=url)) as root, \
            tempfile.TemporaryDirectory(prefix="cross-check-bench-") as folder:
        ledger = root.ledger
        ledger.record(ADMIN, [Command("UnitRegistered", {
            "unit_id": "v1", "name": "Village", "kind": "village"}, REGISTERED)])
        registry = [Command("HouseholdRegistered", {
            "household_id": _household(n), "village_id": "v1", "head_name": f"Head {n}",
            "size": 4, "category": "registered_poor"}, REGISTERED) for n in range(args.rows)]
        seconds = _in_batches(ledger, registry, args.batch)
        print(f"registered {args.rows:,} households in {seconds:.1f} s "
              f"({args.rows / seconds:,.0f} events/s)")
        facts = [Command("HouseholdFactsRecorded", {
            "household_id": _household(n), "income": {"wage": 12000}}, FACTS_ON)
            for n in range(args.rows)]
        plain = args.rows / _in_batches(ledger, facts, args.batch)
        print(f"plain batch writes (one fact per household): {plain:,.0f} events/s")

        export = Path(folder) / "export.csv"
        _export(export, args.rows)

        def progress(summary: Summary) -> None:
            if summary.rows % (args.batch * 40) == 0:
                print(f"  rows {summary.rows:,}: {summary.rate:,.0f} rows/s", flush=True)

        done = cross_check(ledger, export, "national_system", CLERK, args.batch, progress)
    events = done.recorded + done.mismatches
    print(f"cross-check: {done.rows:,} rows in {done.seconds:.1f} s: {done.rate:,.0f} rows/s, "
          f"{events / done.seconds:,.0f} events/s ({done.recorded:,} comparisons, "
          f"{done.mismatches:,} mismatches, {len(done.refused)} refused)")
    print(f"cross-check rows/s ÷ plain batch-write events/s: {done.rate / plain:.2f}")
    print(f"load average after: {load_average()}")
    per_100k = 100_000 / done.rate
    print_targets([Target(
        f"cross-check of 100,000 rows, {args.backend}", per_100k, TARGET_SECONDS_PER_100K, "s",
        basis=f"{done.rows:,} rows at {done.rate:,.0f} rows/s; plain batch writes "
              f"{plain:,.0f} events/s", at_most=True)], title="target (issue 9)")


if __name__ == "__main__":
    main()
