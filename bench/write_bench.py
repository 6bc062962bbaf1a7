"""Write-path speed, measured in one run (by hand, never in the test suite).

    python bench/write_bench.py [--duration 15] [--connections 8] [--backends sqlite,postgres]

Needs `wrk` on the PATH (Debian: `apt-get install -y wrk`) and gunicorn in this venv; installs
nothing. Over loopback, gunicorn with 2 workers serves, and wrk (bench/events.lua: a distinct
valid InspectionRecorded per event, on 1,000 pre-registered households) measures:
  (a) bench/echo_app.py: bare Flask + marshmallow validating the same body and echoing it;
  (b) the ledger's POST /api/v1/events, one event per request;
  (c) the ledger's POST /api/v1/events/batch, 100 events per request;
(b) and (c) on a fresh SQLite file (WAL, synchronous FULL) and a fresh PostgreSQL database
(synchronous_commit on; made and dropped here). After every wrk run the events in the log are
counted against the 2xx answers. (a) runs again before each backend, and b/a uses the run just
before it, because the figures move with whatever else the machine is doing. Targets (issue 2): b/a >= 0.5 on both backends; c >= 10,000
events/s on PostgreSQL.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledger.application import Command, Ledger  # noqa: E402
from service.config import Config
from service.root import open_ledger
from ledger.identity import Actor  # noqa: E402

BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "events.lua"
HOUSEHOLDS = 1000
BATCH = 100
WARMUP_SECONDS = 2
WORKERS = 2


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo")
                  if line.startswith("MemTotal"))
    return (f"{cpu}, nproc {os.cpu_count()}, {memory / 2**20:.1f} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def load_average() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        from tests.backends import fresh_postgres_url

        with fresh_postgres_url() as url:
            yield url


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


def create_token(url: str) -> str:
    output = subprocess.run(
        [str(BIN / "ledger"), "token", "create", "--actor", "bench-inspector", "--role",
         "inspector"], env={**os.environ, "LEDGER_DATABASE_URL": url}, cwd=ROOT,
        check=True, capture_output=True, text=True).stdout
    return output.strip().splitlines()[-1]


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
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[f"{name}"]  # type: ignore[index]
                        for name in ("synchronous_commit", "fsync", "wal_sync_method")}
        ok = settings["synchronous_commit"] == "on" and settings["fsync"] == "on"
        found = ", ".join(f"{k}={v}" for k, v in settings.items())
    if not ok:
        raise SystemExit(f"commits are not durable: {found}")
    return found


def count_events(ledger: Ledger, backend: str) -> tuple[int, int]:
    """(rows in the events table, rows in the chain): both must grow by the events recorded."""
    recorder = ledger.recorder
    table = recorder.events_table_name  # type: ignore[attr-defined]
    if backend == "sqlite":
        with recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(f"SELECT (SELECT count(*) FROM {table}), "
                      f"(SELECT count(*) FROM ledger_chain)")
            row = c.fetchone()
            return row[0], row[1]
    schema = recorder.datastore.schema  # type: ignore[attr-defined]
    with recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        row = conn.execute(f'SELECT (SELECT count(*) FROM "{schema}"."{table}") AS e, '
                           f'(SELECT count(*) FROM "{schema}".ledger_chain) AS c').fetchone()
        return row["e"], row["c"]  # type: ignore[index]


def settled_count(ledger: Ledger, backend: str) -> tuple[int, int]:
    """The counts once requests wrk left in flight have finished (no change for a second)."""
    counts = count_events(ledger, backend)
    while True:
        time.sleep(1)
        again = count_events(ledger, backend)
        if again == counts:
            return counts
        counts = again


# Serving and loading ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], chdir: Path = ROOT) -> Iterator[int]:
    """A started server, tried twice: a worker that fails to boot (once seen here: two workers
    racing on PostgreSQL's catalog, since fixed in a814c10) must not turn into a measurement."""
    for attempt in (1, 2):
        try:
            with _gunicorn(app, env, chdir) as port:
                yield port
                return
        except GunicornDidNotStart:
            if attempt == 2:
                raise SystemExit("gunicorn did not start")
            print("  gunicorn did not start (see its log above); trying once more")


class GunicornDidNotStart(Exception):
    pass


@contextmanager
def _gunicorn(app: str, env: dict[str, str], chdir: Path) -> Iterator[int]:
    port = free_port()
    command = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
               "--chdir", str(chdir), "--log-level", "warning", app]
    print(f"  $ {shlex.join(command)}")
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise GunicornDidNotStart
                time.sleep(0.2)
        time.sleep(2)  # a worker that fails to boot takes the server down after the first answers
        if server.poll() is not None:
            raise GunicornDidNotStart
        yield port
    finally:
        server.terminate()
        server.wait(20)


def wrk(port: int, path: str, token: str, prefix: str, per_request: int, seconds: int,
        connections: int, show: bool = False) -> dict[str, int]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(LUA), f"http://127.0.0.1:{port}{path}", "--", token, prefix,
               str(HOUSEHOLDS), str(per_request)]
    if show:
        print(f"  $ {shlex.join(command[:-4] + ['<token>'] + command[-3:])}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    result = json.loads(line[4:])
    result["ok"] = result["completed"] - result["non2xx"]
    return result


class Checker:
    """Counts the log around each wrk run against the answers wrk got."""

    def __init__(self, ledger: Ledger | None, backend: str) -> None:
        self.ledger, self.backend, self.failures = ledger, backend, []  # type: list[str]

    @contextmanager
    def around(self, label: str, per_request: int) -> Iterator[dict[str, int]]:
        result: dict[str, int] = {}
        before = count_events(self.ledger, self.backend) if self.ledger else (0, 0)
        yield result
        errors = sum(result[k] for k in ("non2xx", "connect", "read", "write", "timeout"))
        if result["non2xx"]:
            self.failures.append(f"{label}: {result['non2xx']} non-2xx answers")
        if errors - result["non2xx"]:
            self.failures.append(f"{label}: {errors - result['non2xx']} socket errors")
        if self.ledger is None:
            return
        after = settled_count(self.ledger, self.backend)
        events, chained = after[0] - before[0], after[1] - before[1]
        acknowledged, sent = result["ok"] * per_request, result["sent"] * per_request
        in_flight = (events - acknowledged) // per_request
        print(f"    log check: {events:,} events recorded ({chained:,} chained), "
              f"{acknowledged:,} acknowledged by 2xx, {in_flight} requests committed but "
              f"unanswered when wrk stopped, non-2xx {result['non2xx']}, socket errors "
              f"{errors - result['non2xx']}")
        if not (acknowledged <= events <= sent and events == chained
                and events % per_request == 0):
            self.failures.append(f"{label}: log has {events} events ({chained} chained), "
                                 f"{acknowledged} acknowledged, at most {sent} sent")


def measure(port: int, path: str, token: str, label: str, per_request: int, seconds: int,
            connections: int, checker: Checker) -> float:
    with checker.around(f"{label} warm-up", per_request) as result:
        result.update(wrk(port, path, token, f"{label}w", per_request, WARMUP_SECONDS,
                          connections))
    with checker.around(label, per_request) as result:
        result.update(wrk(port, path, token, label, per_request, seconds, connections, True))
    rate = result["ok"] * per_request / (result["duration_us"] / 1e6)
    print(f"  {label}: {rate:,.0f} events/s ({result['ok']:,} requests of {per_request} in "
          f"{result['duration_us'] / 1e6:.1f} s; latency p50 {result['p50_us'] / 1000:.1f} ms, "
          f"p99 {result['p99_us'] / 1000:.1f} ms)")
    return rate


# The run -------------------------------------------------------------------------------------
def run_echo(seconds: int, connections: int, failures: list[str]) -> float:
    print("(a) bare Flask + marshmallow echo")
    checker = Checker(None, "")
    with gunicorn("echo_app:app", {}, chdir=ROOT / "bench") as port:
        rate = measure(port, "/api/v1/events", "none", "a", 1, seconds, connections, checker)
    failures.extend(checker.failures)
    return rate


def run_ledger(backend: str, seconds: int, connections: int, failures: list[str]
               ) -> tuple[float, float]:
    print(f"(b), (c) the ledger on {backend}")
    with database(backend) as url:
        ledger = open_ledger(Config(database_url=url))
        register_households(ledger)
        print(f"  durable commits: {durability(ledger, backend)}")
        token = create_token(url)
        checker = Checker(ledger, backend)
        with gunicorn("service.app:create_app()", {"LEDGER_DATABASE_URL": url}) as port:
            single = measure(port, "/api/v1/events", token, f"b-{backend}", 1, seconds,
                             connections, checker)
            batch = measure(port, "/api/v1/events/batch", token, f"c-{backend}", BATCH,
                            seconds, connections, checker)
        ledger.close()
    failures.extend(checker.failures)
    return single, batch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    print(f"command: python bench/write_bench.py {shlex.join(sys.argv[1:])}".rstrip())
    print(f"machine: {machine()}")
    print(f"load average before: {load_average()} (other work on the machine skews every figure)")
    print(f"gunicorn {WORKERS} sync workers; wrk 1 thread, {args.connections} connections, "
          f"{args.duration} s per run after a {WARMUP_SECONDS} s warm-up")
    started, failures = time.monotonic(), []  # type: float, list[str]
    # (a) is measured again right before each backend, so each b/a compares runs that saw
    # the same load on the machine.
    rates = {}
    for backend in args.backends.split(","):
        echo = run_echo(args.duration, args.connections, failures)
        rates[backend] = (echo, *run_ledger(backend, args.duration, args.connections, failures))

    print("\nevents/s")
    for backend, (echo, single, batch) in rates.items():
        print(f"  (a) echo, run before {backend:8}    {echo:>9,.0f}")
        print(f"  (b) {backend:8} 1 event/request   {single:>9,.0f}   b/a = {single / echo:.2f}"
              f"  (target >= 0.5)")
        print(f"  (c) {backend:8} {BATCH} events/request {batch:>9,.0f}"
              + ("   (target >= 10,000)" if backend == "postgres" else ""))
    print(f"whole run: {time.monotonic() - started:.0f} s; load average after: {load_average()}")
    for failure in failures:
        print(f"CHECK FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
