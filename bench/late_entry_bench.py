"""What a late entry costs the follower that flags it, and what any other event costs it.

    python bench/late_entry_bench.py [--households 2000] [--visits 10] [--samples 100]
                                     [--backends sqlite,postgres]

For each backend, in process (no HTTP): a village of `--households` households, each with a
helper cadre, `--visits` visits over the last 60 days and an open finding, all projected. The
follower (service/late_entries.py) is placed after them, then three kinds of write are timed
one at a time, the follower examining each after the views have it (its own time only, not the
projection's):
- an on-time visit (recorded the day it happened): the follower's check that it is not late;
- a visit back-dated 3 days (not late, under `late_entry_days` 7): the search for decisions it
  could contradict;
- a visit back-dated 30 days with a guarantee changed (a late entry that is flagged): the
  comparison of the household, its finding and its cadre before and after, on the dates where
  a value can change, and the flag written.
The write itself (`Ledger.record`) is timed too: the follower adds nothing to it.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from harness import database, header

from ledger.application import Command, Ledger
from ledger.identity import Actor
from service.config import Config
from service.late_entries import FlagFollower
from service.root import Root

ADMIN = Actor("bench-admin", "admin")
INSPECTOR = Actor("bench-inspector", "inspector")
GUARANTEES = ("food", "clothing", "education", "medical", "housing", "water")
NOW = datetime.now(UTC)


def visit(inspection_id: str, household_id: str, days_ago: int, housing: str = "met"
          ) -> Command:
    return Command("InspectionRecorded", {
        "inspection_id": inspection_id, "subject_type": "household", "subject_id": household_id,
        "method": "visit", "inspector_ids": ["cadre"], "income": {"wage": 30000},
        "checks": {**dict.fromkeys(GUARANTEES, "met"), "housing": housing}},
        NOW - timedelta(days=days_ago))


def build(ledger: Ledger, households: int, visits: int) -> None:
    ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "V1", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "cadre", "name": "Wang", "unit_id": "v1"})])
    for first in range(0, households, 50):
        batch: list[Command] = []
        for n in range(first, min(first + 50, households)):
            h = f"h{n}"
            batch += [
                Command("HouseholdRegistered", {"household_id": h, "village_id": "v1",
                                                "head_name": "Li", "size": 3,
                                                "category": "registered_poor"},
                        NOW - timedelta(days=90)),
                Command("ResponsibilityAssigned", {
                    "person_id": "cadre", "role": "helper_cadre", "subject_type": "household",
                    "subject_id": h, "effective_from": (NOW - timedelta(days=90)).date()
                    .isoformat()}, NOW - timedelta(days=90)),
                *(visit(f"{h}-i{v}", h, 60 - v * 60 // visits) for v in range(visits)),
                Command("FindingRaised", {
                    "finding_id": f"{h}-f", "subject_type": "household", "subject_id": h,
                    "category": "housing", "description": "roof", "responsible_unit_id": "v1",
                    "due_date": (NOW + timedelta(days=30)).date().isoformat(),
                    "responsible_person_id": "cadre"}, NOW - timedelta(days=45))]
        ledger.record(ADMIN, batch)


def timed(root: Root, follower: FlagFollower, command: Command) -> tuple[float, float, int]:
    started = time.perf_counter()
    root.ledger.record(INSPECTOR, [command])
    written = time.perf_counter() - started
    follower.runner.catch_up()
    started = time.perf_counter()
    flagged = follower.catch_up()
    return written, time.perf_counter() - started, flagged


def run(backend: str, households: int, visits: int, samples: int) -> None:
    with database(backend) as url, Root(Config.from_env(database_url=url)) as root:
        started = time.perf_counter()
        build(root.ledger, households, visits)
        runner = root.runner()
        runner.catch_up()
        print(f"{backend}: {root.store.head()} events written and projected in "
              f"{time.perf_counter() - started:.0f} s")
        follower = FlagFollower(root.ledger, runner, root.views, drive=False)
        follower.position = root.store.head()
        kinds = {"on time": (0, "met"), "back-dated 3 days": (3, "met"),
                 "late, 30 days": (30, "unmet")}
        for name, (days, housing) in kinds.items():
            results = [timed(root, follower, visit(f"{name}-{n}", f"h{n % households}", days,
                                                   housing)) for n in range(samples)]
            writes, examined, flags = zip(*results, strict=True)
            print(f"  {name:<18} write p50 {statistics.median(writes) * 1000:7.2f} ms   "
                  f"follower p50 {statistics.median(examined) * 1000:7.2f} ms, "
                  f"max {max(examined) * 1000:7.2f} ms   flags {sum(flags)}/{samples}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    header("late_entry_bench.py")
    for backend in args.backends.split(","):
        run(backend, args.households, args.visits, args.samples)


if __name__ == "__main__":
    main()
