"""PostgreSQL round trips and statements per write, counted from libpq's protocol trace.

    python bench/round_trips.py

Makes and drops a fresh PostgreSQL database (LEDGER_TEST_POSTGRES, default
postgresql://postgres@127.0.0.1:5432). Counts, on a warm connection (each case runs six
times before it is counted, so statement preparation is left out):
  - the recorder's insert_events alone: 1 event, 100 events, each with and without an
    idempotency claim;
  - a whole request as POST /api/v1/events and /events/batch run it (Ledger.record, the token
    already cached): one InspectionRecorded, and 100 of them, with an Idempotency-Key.
Counts, not times: tests/integration/test_round_trips.py pins the recorder's figures.
"""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eventsourcing.persistence import StoredEvent  # noqa: E402

from ledger.application import Command, Ledger  # noqa: E402
from ledger.identity import Actor  # noqa: E402
from ledger.recorders import IdempotencyClaim  # noqa: E402
from service.config import Config  # noqa: E402
from service.root import open_ledger  # noqa: E402
from tests.backends import fresh_postgres_url  # noqa: E402
from tests.integration.round_trips import Traffic, counting  # noqa: E402

HOUSEHOLDS = 200
WARM_UP = 6  # psycopg prepares a statement on its fifth run, which costs a round trip then


def stored(count: int) -> list[StoredEvent]:
    return [StoredEvent(uuid.uuid4(), 1, "bench:Event", b"{}") for _ in range(count)]


def inspection(n: int) -> Command:
    return Command("InspectionRecorded", {
        "inspection_id": f"i-{uuid.uuid4().hex}", "subject_type": "household",
        "subject_id": f"h{n % HOUSEHOLDS:05d}", "method": "visit", "inspector_ids": ["p-bench"],
    })


def setup(ledger: Ledger) -> None:
    admin = Actor("bench-admin", "admin")
    ledger.record(admin, [
        Command("UnitRegistered", {"unit_id": "v-bench", "name": "Bench", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p-bench", "name": "I", "unit_id": "v-bench"}),
    ])
    ledger.record(admin, [
        Command("HouseholdRegistered", {"household_id": f"h{i:05d}", "village_id": "v-bench",
                                        "head_name": f"Head {i}", "size": 3,
                                        "category": "registered_poor"})
        for i in range(HOUSEHOLDS)
    ])


def warm_count(datastore: object, write: object) -> Traffic:
    for _ in range(WARM_UP):
        write()  # type: ignore[operator]
    with counting(datastore) as traffic:  # type: ignore[arg-type]
        write()  # type: ignore[operator]
    return traffic


def main() -> None:
    inspector = Actor("bench-inspector", "inspector")
    with fresh_postgres_url() as url:
        ledger = open_ledger(Config.from_env(database_url=url))
        try:
            setup(ledger)
            recorder = ledger.recorder
            datastore = recorder.datastore  # type: ignore[attr-defined]
            rows = []
            for size in (1, 100):
                rows.append((f"insert_events, {size} event(s)", warm_count(
                    datastore, lambda size=size: recorder.insert_events(stored(size)))))
                rows.append((f"insert_events, {size} event(s), with a claim", warm_count(
                    datastore, lambda size=size: recorder.insert_events(
                        stored(size), idempotency=IdempotencyClaim(
                            "bench", uuid.uuid4().hex, "0" * 64)))))
            for size in (1, 100):
                rows.append((f"Ledger.record, {size} InspectionRecorded, Idempotency-Key",
                             warm_count(datastore, lambda size=size: ledger.record(
                                 inspector, [inspection(n) for n in range(size)],
                                 uuid.uuid4().hex))))
        finally:
            ledger.close()
    width = max(len(name) for name, _ in rows)
    print(f"{'case':<{width}}  round trips  statements")
    for name, traffic in rows:
        print(f"{name:<{width}}  {traffic.round_trips:>11}  {traffic.statements:>10}")


if __name__ == "__main__":
    main()
