"""Does a household's members slow a visit's write? Measured in one run (by hand, never in the
test suite).

    python bench/member_write_bench.py [--households 500] [--rounds 8]

Two fresh SQLite ledgers built by the composition root, the same households in both; in one
every household is registered in full (three members, each with a 身份证号). Rounds alternate
between the two, so both see the same load: each round records 100 visits in one request and
then 20 visits one request each, in process (no HTTP), and the medians are printed side by side
with their ratio (target: members ≤ 1.1 × without, issue 17).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from write_bench import id_number

from ledger.application import Command, Ledger
from ledger.identity import Actor
from service.config import Config
from service.root import Root

ADMIN = Actor("bench-admin", "admin")
INSPECTOR = Actor("bench-inspector", "inspector")
MEMBERS = 3


def county(directory: Path, households: int, members: bool) -> Root:
    root = Root(Config.from_env(database_url=f"sqlite:///{directory}/ledger.db"))
    ledger = root.ledger
    ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v", "name": "Village", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p", "name": "Inspector", "unit_id": "v"})])
    _in_batches(ledger, [Command("HouseholdRegistered", {
        "household_id": f"h{i}", "village_id": "v", "head_name": "Head", "size": MEMBERS,
        "category": "registered_poor"}) for i in range(households)])
    if members:
        _in_batches(ledger, [Command("MemberRegistered", {
            "household_id": f"h{i}", "member_id": f"m{m}", "name": "Member",
            "relation": "head" if m == 0 else "child", "birth_date": "1970-01-01",
            "id_number": id_number(i * MEMBERS + m), "labour": "full", "health": "healthy"})
            for i in range(households) for m in range(MEMBERS)])
    return root


def _in_batches(ledger: Ledger, commands: list[Command]) -> None:
    for first in range(0, len(commands), 500):
        ledger.record(ADMIN, commands[first:first + 500])


def visit(inspection_id: str, household_id: str) -> Command:
    return Command("InspectionRecorded", {
        "inspection_id": inspection_id, "subject_type": "household", "subject_id": household_id,
        "method": "visit", "inspector_ids": ["p"], "checks": {"food": "met"},
        "income": {"wage": 12000}})


def one_round(ledger: Ledger, households: int, number: int) -> tuple[float, float]:
    """Seconds for a 100-visit request, and per single-visit request (mean of 20)."""
    batch = [visit(f"b{number}-{k}", f"h{(number * 100 + k) % households}") for k in range(100)]
    started = time.perf_counter()
    ledger.record(INSPECTOR, batch)
    batched = time.perf_counter() - started
    started = time.perf_counter()
    for k in range(20):
        ledger.record(INSPECTOR, [visit(f"s{number}-{k}", f"h{(number * 37 + k) % households}")])
    return batched, (time.perf_counter() - started) / 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as plain, tempfile.TemporaryDirectory() as full:
        roots = {False: county(Path(plain), args.households, members=False),
                 True: county(Path(full), args.households, members=True)}
        timings: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for number in range(args.rounds):
            for members, root in roots.items():
                timings[members].append(one_round(root.ledger, args.households, number))
        for root in roots.values():
            root.close()
    medians = {m: (statistics.median(b for b, _ in t), statistics.median(s for _, s in t))
               for m, t in timings.items()}
    for index, what in enumerate(("100 visits in one request", "1 visit per request")):
        plain, full = medians[False][index] * 1000, medians[True][index] * 1000
        print(f"{what:28} without members {plain:7.2f} ms   with members {full:7.2f} ms   "
              f"ratio {full / plain:.2f} (target ≤ 1.10)")


if __name__ == "__main__":
    main()
