"""Write-path speed, measured in one run (by hand, never in the test suite).

    python bench/write_bench.py [--duration 15] [--connections 8] [--backends sqlite,postgres]

Needs `wrk` on the PATH (Debian: `apt-get install -y wrk`) and gunicorn in this venv; installs
nothing. Over loopback, gunicorn with 2 workers serves, and wrk (bench/events.lua: a distinct
valid InspectionRecorded per event, on 1,000 pre-registered households, each with its three
members) measures:
  (a) bench/echo_app.py: bare Flask + marshmallow validating the same body and echoing it;
  (b) the ledger's POST /api/v1/events, one event per request;
  (c) the ledger's POST /api/v1/events/batch, 100 events per request;
  (d) the same with 8 gunicorn workers and 8 connections, each batch on households drawn at
      random, so concurrent batches touch the same households: every answer must be a 201;
(b) and (c) on a fresh SQLite file (WAL, synchronous FULL) and a fresh PostgreSQL database
(synchronous_commit on; made and dropped here). After every wrk run the events in the log are
counted against the 2xx answers. (a) runs again before each backend, and b/a uses the run
just before it, because the figures move with whatever else the machine is doing.

Targets (issues 8 and 20), printed side by side at the end: b/a >= 0.5 on SQLite and on
PostgreSQL; c >= 10,000 events/s on PostgreSQL and on SQLite; no request of (d) refused. The
log check after each run prints stored ÷ client events (what the ledger derived besides).
The ledger is built by the composition root (service.root) from a Config naming the database,
and gunicorn serves `service.app:create_app()` on the same database.
"""
from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from harness import (
    ROOT,
    Target,
    database,
    gunicorn,
    header,
    load_average,
    print_targets,
)

from ledger.application import Command, Ledger
from ledger.identity import Actor
from service.config import Config
from service.root import Root

LUA = ROOT / "bench" / "events.lua"
HOUSEHOLDS = 5000
BATCH = 100
WARMUP_SECONDS = 2
WORKERS = 2
CONTENDING_WRITERS = 8


# Setup ---------------------------------------------------------------------------------------
def register_households(ledger: Ledger) -> None:
    admin = Actor("bench-admin", "admin")
    ledger.record(admin, [
        Command("UnitRegistered", {"unit_id": "v-bench", "name": "Bench village",
                                   "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p-bench", "name": "Inspector",
                                     "unit_id": "v-bench"}),
    ])
    households = [
        Command("HouseholdRegistered", {"household_id": f"h{i:05d}", "village_id": "v-bench",
                                        "head_name": f"Head {i}", "size": 3,
                                        "category": "registered_poor"})
        for i in range(HOUSEHOLDS)
    ]
    for first in range(0, HOUSEHOLDS, 500):
        ledger.record(admin, households[first:first + 500])
    # Every household is registered in full (its three members, each with a 身份证号), so a
    # visit is written to a household that holds members (issue 17: members must not slow it).
    members = [Command("MemberRegistered", {
        "household_id": f"h{i:05d}", "member_id": f"h{i:05d}-m{m}", "name": f"Member {m}",
        "relation": "head" if m == 0 else "child", "birth_date": "1970-01-01",
        "id_number": id_number(i * 3 + m), "labour": "full", "health": "healthy"})
        for i in range(HOUSEHOLDS) for m in range(3)]
    for first in range(0, len(members), 500):
        ledger.record(admin, members[first:first + 500])


def id_number(serial: int) -> str:
    """A GB 11643 number of someone born on 1970-01-01, unique by `serial` (< 1,000,000)."""
    body = f"{430000 + serial // 1000:06d}19700101{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def durability(ledger: Ledger, backend: str) -> str:
    """The settings the ledger's own connections commit with; refuses to measure without them."""
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    if backend == "sqlite":
        with datastore.transaction(commit=False) as c:
            c.execute("PRAGMA journal_mode")
            journal = c.fetchone()[0]
            c.execute("PRAGMA synchronous")
            synchronous = c.fetchone()[0]
        ok = journal == "wal" and synchronous == 2
        found = f"journal_mode={journal}, synchronous={synchronous} (2 = FULL)"
    else:
        with datastore.get_connection() as conn:
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[f"{name}"]
                        for name in ("synchronous_commit", "fsync", "wal_sync_method")}
        ok = settings["synchronous_commit"] == "on" and settings["fsync"] == "on"
        found = ", ".join(f"{k}={v}" for k, v in settings.items())
    if not ok:
        raise SystemExit(f"commits are not durable: {found}")
    return found


INSPECTIONS = "topic LIKE '%.InspectionRecorded'"


def count_events(ledger: Ledger, backend: str) -> tuple[int, int, int]:
    """(InspectionRecorded rows, rows in the events table, rows in the chain). The first grows
    by the events clients sent; the other two together, by those and what the ledger derived
    from them (each inspection of a household is noted on the household's record too)."""
    recorder = ledger.recorder
    table = recorder.events_table_name  # type: ignore[attr-defined]
    if backend == "sqlite":
        with recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(f"SELECT (SELECT count(*) FROM {table} WHERE {INSPECTIONS}), "
                      f"(SELECT count(*) FROM {table}), (SELECT count(*) FROM ledger_chain)")
            row = c.fetchone()
            return row[0], row[1], row[2]
    schema = recorder.datastore.schema  # type: ignore[attr-defined]
    with recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        row = conn.execute(
            f'SELECT (SELECT count(*) FROM "{schema}"."{table}" WHERE {INSPECTIONS}) AS i, '
            f'(SELECT count(*) FROM "{schema}"."{table}") AS e, '
            f'(SELECT count(*) FROM "{schema}".ledger_chain) AS c').fetchone()
        return row["i"], row["e"], row["c"]


def settled_count(ledger: Ledger, backend: str) -> tuple[int, int, int]:
    """The counts once requests wrk left in flight have finished (no change for a second)."""
    counts = count_events(ledger, backend)
    while True:
        time.sleep(1)
        again = count_events(ledger, backend)
        if again == counts:
            return counts
        counts = again


# Serving and loading ---------------------------------------------------------------------------
def wrk(port: int, path: str, token: str, prefix: str, per_request: int, seconds: int,
        connections: int, show: bool = False, random: bool = False) -> dict[str, int]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(LUA), f"http://127.0.0.1:{port}{path}", "--", token, prefix,
               str(HOUSEHOLDS), str(per_request), *(["random"] if random else [])]
    if show:
        print(f"  $ {shlex.join(command[:10] + ['<token>'] + command[11:])}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    result = json.loads(line[4:])
    result["ok"] = result["completed"] - result["non2xx"]
    return result


class Checker:
    """Counts the log around each wrk run against the answers wrk got."""

    def __init__(self, ledger: Ledger | None, backend: str) -> None:
        self.ledger, self.backend = ledger, backend
        self.failures: list[str] = []
        self.stored_per_client = 0.0
        self.last: dict[str, int] = {}

    @contextmanager
    def around(self, label: str, per_request: int) -> Iterator[dict[str, int]]:
        result: dict[str, int] = {}
        before = count_events(self.ledger, self.backend) if self.ledger else (0, 0, 0)
        yield result
        errors = sum(result[k] for k in ("non2xx", "connect", "read", "write", "timeout"))
        if result["non2xx"]:
            self.failures.append(f"{label}: {result['non2xx']} non-2xx answers")
        if errors - result["non2xx"]:
            self.failures.append(f"{label}: {errors - result['non2xx']} socket errors")
        if self.ledger is None:
            return
        after = settled_count(self.ledger, self.backend)
        events, rows, chained = (a - b for a, b in zip(after, before, strict=True))
        acknowledged, sent = result["ok"] * per_request, result["sent"] * per_request
        in_flight = (events - acknowledged) // per_request
        self.stored_per_client = rows / events if events else 0.0
        print(f"    log check: {events:,} events recorded ({rows:,} with what the ledger "
              f"derived: stored ÷ client {self.stored_per_client:.2f}, {chained:,} chained), "
              f"{acknowledged:,} acknowledged by 2xx, {in_flight} requests committed but "
              f"unanswered when wrk stopped, non-2xx {result['non2xx']}, socket errors "
              f"{errors - result['non2xx']}")
        if not (acknowledged <= events <= sent and rows == chained
                and events % per_request == 0):
            self.failures.append(f"{label}: log has {events} events ({rows} rows, {chained} "
                                 "chained), "
                                 f"{acknowledged} acknowledged, at most {sent} sent")


def measure(port: int, path: str, token: str, label: str, per_request: int, seconds: int,
            connections: int, checker: Checker, random: bool = False) -> float:
    with checker.around(f"{label} warm-up", per_request) as result:
        result.update(wrk(port, path, token, f"{label}w", per_request, WARMUP_SECONDS,
                          connections, random=random))
    with checker.around(label, per_request) as result:
        result.update(wrk(port, path, token, label, per_request, seconds, connections, True,
                          random))
    checker.last = result
    rate = result["ok"] * per_request / (result["duration_us"] / 1e6)
    print(f"  {label}: {rate:,.0f} events/s ({result['ok']:,} requests of {per_request} in "
          f"{result['duration_us'] / 1e6:.1f} s; latency p50 {result['p50_us'] / 1000:.1f} ms, "
          f"p99 {result['p99_us'] / 1000:.1f} ms)")
    return rate


# The run -------------------------------------------------------------------------------------
def run_echo(seconds: int, connections: int, failures: list[str]) -> float:
    print("(a) bare Flask + marshmallow echo")
    checker = Checker(None, "")
    with gunicorn("echo_app:app", {}, WORKERS, chdir=ROOT / "bench") as port:
        rate = measure(port, "/api/v1/events", "none", "a", 1, seconds, connections, checker)
    failures.extend(checker.failures)
    return rate


def run_ledger(backend: str, seconds: int, connections: int, failures: list[str]
               ) -> tuple[float, float, float, int, int]:
    print(f"(b), (c), (d) the ledger on {backend}")
    with database(backend) as url, Root(Config(database_url=url)) as root:
        register_households(root.ledger)
        print(f"  durable commits: {durability(root.ledger, backend)}")
        token = root.ledger.create_token("bench-inspector", "inspector")
        checker = Checker(root.ledger, backend)
        with gunicorn("service.app:create_app()", {"LEDGER_DATABASE_URL": url}, WORKERS) as port:
            single = measure(port, "/api/v1/events", token, f"b-{backend}", 1, seconds,
                             connections, checker)
            batch = measure(port, "/api/v1/events/batch", token, f"c-{backend}", BATCH,
                            seconds, connections, checker)
            stored = checker.stored_per_client
        print(f"  (d) {CONTENDING_WRITERS} writers (gunicorn workers), {BATCH}-event batches on "
              f"households drawn at random from {HOUSEHOLDS:,}")
        with gunicorn("service.app:create_app()", {"LEDGER_DATABASE_URL": url},
                      CONTENDING_WRITERS) as port:
            measure(port, "/api/v1/events/batch", token, f"d-{backend}", BATCH, seconds,
                    CONTENDING_WRITERS, checker, random=True)
        refused, answered = checker.last["non2xx"], checker.last["completed"]
    failures.extend(checker.failures)
    return single, batch, stored, refused, answered


NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def targets(rates: dict[str, tuple[float, float, float, float, int, int]]) -> list[Target]:
    found = []
    for backend, (echo, single, *_) in rates.items():
        found.append(Target(f"(b)/(a) 1 event/request ÷ echo, {NAMES[backend]}", single / echo,
                            0.5, "×", f"{single:,.0f}/s ÷ {echo:,.0f}/s"))
    for backend, (_, _, batch, *_) in rates.items():
        found.append(Target(f"(c) {BATCH} events/request, {NAMES[backend]}", batch, 10_000,
                            "events/s"))
    for backend, (*_, refused, answered) in rates.items():
        found.append(Target(f"(d) batches refused, {CONTENDING_WRITERS} writers, "
                            f"{NAMES[backend]}", refused, 0, "requests",
                            f"of {answered:,} answered", at_most=True))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if unknown := set(backends) - set(NAMES):
        parser.error(f"unknown backend {', '.join(sorted(unknown))}: sqlite, postgres")
    header("write_bench.py")
    print(f"gunicorn {WORKERS} sync workers; wrk 1 thread, {args.connections} connections, "
          f"{args.duration} s per run after a {WARMUP_SECONDS} s warm-up")
    started, failures = time.monotonic(), list[str]()
    # (a) is measured again right before each backend, so each b/a compares runs that saw
    # the same load on the machine.
    rates = {}
    for backend in backends:
        echo = run_echo(args.duration, args.connections, failures)
        rates[backend] = (echo, *run_ledger(backend, args.duration, args.connections, failures))

    print("\nevents/s")
    for backend, (echo, single, batch, stored, _, _) in rates.items():
        print(f"  (a) echo, run before {backend:8}    {echo:>9,.0f}")
        print(f"  (b) {backend:8} 1 event/request   {single:>9,.0f}")
        print(f"  (c) {backend:8} {BATCH} events/request {batch:>9,.0f}   "
              f"(stored ÷ client events {stored:.2f})")
    print(f"whole run: {time.monotonic() - started:.0f} s; load average after: {load_average()}")
    print_targets(targets(rates))
    for failure in failures:
        print(f"CHECK FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
