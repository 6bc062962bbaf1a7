"""What the tallies of open findings cost a finding's writes, deep in the tree or at its top.

    python bench/tally_bench.py [--samples 200] [--backends sqlite,postgres]

In process, without HTTP, on a fresh database per backend: a village with no parent, and a
village under a township under a county, each with a household. Round after round (each
village first as often as the other), one `FindingRaised` on a household of each is timed,
then its `FindingWithdrawn`. In the nested village a raise also counts the finding on the
township and the county (two more events, their units loaded one level at a time) and a
withdrawal settles it on all three. The figure is the median time of one `Ledger.record`
call, and its ratio to the flat village's. No target: issue 10 asks for constant cost per
write, which the tests hold by events read; this prices the extra events.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from harness import database, header

from ledger.application import Command, Ledger
from ledger.identity import Actor
from service.config import Config
from service.root import Root

ADMIN = Actor("bench-admin", "admin")
INSPECTOR = Actor("bench-inspector", "inspector")
TREES = {"flat": ["v-flat"], "nested": ["county", "town", "v-nested"]}
KINDS = ("county", "township", "village")


def registry(ledger: Ledger) -> None:
    commands = []
    for chain in TREES.values():
        for depth, unit_id in enumerate(chain):
            data = {"unit_id": unit_id, "name": unit_id, "kind": KINDS[depth - len(chain)]}
            if depth:
                data["parent_id"] = chain[depth - 1]
            commands.append(Command("UnitRegistered", data))
        commands.append(Command("HouseholdRegistered", {
            "household_id": f"h-{chain[-1]}", "village_id": chain[-1], "head_name": "Li",
            "size": 3, "category": "registered_poor"}))
    ledger.record(ADMIN, commands)


def timed(ledger: Ledger, command: Command) -> float:
    started = time.perf_counter()
    ledger.record(INSPECTOR, [command])
    return time.perf_counter() - started


def run(backend: str, samples: int) -> dict[str, dict[str, list[float]]]:
    """Seconds of each raise and withdrawal, per tree."""
    times = {tree: {"raise": [], "withdraw": []} for tree in TREES}
    with database(backend) as url, Root(Config(database_url=url)) as root:
        ledger = root.ledger
        registry(ledger)
        order = list(TREES)
        for i in range(samples):
            for tree in order[i % 2:] + order[:i % 2]:
                village = TREES[tree][-1]
                finding_id = f"{village}-f{i}"
                times[tree]["raise"].append(timed(ledger, Command("FindingRaised", {
                    "finding_id": finding_id, "subject_type": "household",
                    "subject_id": f"h-{village}", "category": "housing",
                    "description": "roof leaks", "responsible_unit_id": village,
                    "due_date": "2099-03-31"})))
                times[tree]["withdraw"].append(timed(ledger, Command("FindingWithdrawn", {
                    "finding_id": finding_id, "reason": "raised twice"})))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    header("tally_bench.py")
    print("\nmedian ms of one write, and the nested village's ratio to the flat one")
    for backend in args.backends.split(","):
        times = run(backend, args.samples)
        for write in ("raise", "withdraw"):
            flat = statistics.median(times["flat"][write])
            nested = statistics.median(times["nested"][write])
            print(f"  {backend:>8} {write:>8}: flat {flat * 1000:6.2f}  nested "
                  f"{nested * 1000:6.2f}  {nested / flat:4.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
