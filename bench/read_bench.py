"""Read-side speed, measured in one run (by hand, never in the test suite).

    python bench/read_bench.py [--scale 1.0] [--backend sqlite|postgres] [--database-url URL]

At scale 1 the county is 100,000 households over 7 months of 2020 (about 1,000,000 events),
written by `ledger demo` through the application. Then:
1. the floor: the raw global log read in pages (recorder.select_chained, and the store's own
   page read that the runner uses);
2. a full rebuild of every projection (`ledger rebuild` in a subprocess): time, events/s,
   peak RSS and RSS sampled along the way (target: >= 0.5 x the floor; < 500 MB, flat);
3. through HTTP against gunicorn: the household status read and the findings ledger query,
   p50 and p99 (target: status p99 < 10 ms);
4. an `as_of` replay of one household with 1,000 events, in process and over HTTP
   (target: < 50 ms).
With --database-url pointing at a ledger that already holds the county (same scale and seed),
the writing is skipped; otherwise a fresh database is made (and dropped at the end).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledger.application import Command, Ledger  # noqa: E402
from service.config import Config
from service.root import open_ledger
from service.demo import BUSINESS_TZ, write_county  # noqa: E402
from ledger.domain.registry import Household  # noqa: E402
from ledger.identity import Actor  # noqa: E402
from projections.replay import Cut  # noqa: E402
from projections.routing import subject  # noqa: E402
from projections.store import store_for  # noqa: E402
from projections.views import Views  # noqa: E402

HOUSEHOLDS_AT_SCALE_1 = 100_000
MONTHS = 7
SEED = 1
LONG_HOUSEHOLD = "h-bench-long"
BIN = Path(sys.executable).parent


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo")
                  if line.startswith("MemTotal"))
    return (f"{cpu}, {os.cpu_count()} CPUs, {memory / 2**20:.0f} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


@contextmanager
def database(backend: str, given: str | None) -> Iterator[str]:
    if given:
        yield given
    elif backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        from tests.backends import fresh_postgres_url

        with fresh_postgres_url() as url:
            yield url


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# Setup -------------------------------------------------------------------------------------
def ensure_county(ledger: Ledger, households: int) -> None:
    if Household.id_for("h0000001") in ledger.repository:
        print("county already written: reusing it")
        return
    summary = write_county(ledger, households, MONTHS, SEED,
                           progress=lambda line: print("  " + line, flush=True))
    print(f"wrote the county: {summary.events:,} events in {summary.seconds:.0f} s "
          f"({summary.rate:,.0f} events/s through Ledger.record)")


def ensure_long_household(ledger: Ledger) -> None:
    """One household with 1,000 events: registration, then visits and facts all year."""
    if Household.id_for(LONG_HOUSEHOLD) in ledger.repository:
        return
    admin, inspector = Actor("county-admin", "admin"), Actor("p-dc-t01", "inspector")
    start = datetime(2020, 1, 2, 9, tzinfo=BUSINESS_TZ)
    ledger.record(admin, [Command("HouseholdRegistered", {
        "household_id": LONG_HOUSEHOLD, "village_id": "t01-v01", "head_name": "王长",
        "size": 4, "category": "registered_poor"}, start)])
    commands = []
    for i in range(999):
        on = start + timedelta(hours=8 * i)
        if i % 3:
            commands.append(Command("InspectionRecorded", {
                "inspection_id": f"i-bench-{i}", "subject_type": "household",
                "subject_id": LONG_HOUSEHOLD, "method": "visit", "inspector_ids": ["p-dc-t01"],
                "checks": {"food": "met", "water": "met", "housing": "met"},
                "income": {"wage": 9000 + i, "transfer": 3000}}, on))
        else:
            commands.append(Command("HouseholdFactsRecorded", {
                "household_id": LONG_HOUSEHOLD, "seriously_ill_members": i % 2}, on))
    for first in range(0, len(commands), 500):
        ledger.record(inspector, commands[first:first + 500])


# 1. The floor ------------------------------------------------------------------------------
def read_floor(ledger: Ledger) -> dict[str, float]:
    rates = {}
    recorder, store = ledger.recorder, store_for(ledger)
    for name, read in (("select_chained", lambda after: recorder.select_chained(after, 10_000)),
                       ("store.read_log", lambda after: store.read_log(after, 10_000))):
        started, after, count = time.perf_counter(), 0, 0
        while rows := read(after):
            count += len(rows)
            last = rows[-1]
            after = last.position
        seconds = time.perf_counter() - started
        rates[name] = count / seconds
        print(f"  {name:15} {count:,} events in {seconds:.1f} s: {count / seconds:,.0f} events/s")
    return rates


# 2. The rebuild ----------------------------------------------------------------------------
def rss_kb(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def rebuild(url: str) -> dict[str, float]:
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    started = time.perf_counter()
    child = subprocess.Popen([str(BIN / "ledger"), "rebuild"], env=env, stdout=subprocess.PIPE,
                             text=True)
    samples = []
    while child.poll() is None:
        samples.append((time.perf_counter() - started, rss_kb(child.pid)))
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    output = child.stdout.read().strip() if child.stdout else ""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  {output}")
    quarters = [samples[min(len(samples) - 1, int(q * len(samples)))] for q in (.25, .5, .75)]
    print(f"  wall {seconds:.1f} s; peak RSS {peak:.0f} MB; RSS at 25/50/75% of the run: "
          + ", ".join(f"{kb / 1024:.0f} MB" for _, kb in quarters))
    if child.returncode:
        raise SystemExit(f"ledger rebuild failed with {child.returncode}")
    rate = float(output.rsplit("(", 1)[1].split(" events/s")[0])
    return {"seconds": seconds, "rate": rate, "peak_mb": peak}


# 3 and 4. HTTP reads -----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level",
         "warning", "service.app:create_app()"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(port, "/healthz", "")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def get(port: int, path: str, token: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def latencies(port: int, token: str, paths: list[str], label: str) -> dict[str, float]:
    for path in paths[:50]:  # warm the workers' connections and caches
        get(port, path, token)
    timings = []
    for path in paths:
        started = time.perf_counter()
        status, body = get(port, path, token)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
    p50, p99 = statistics.median(timings), percentile(timings, 0.99)
    print(f"  {label:42} {len(timings):5} requests  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
          f"max {max(timings):6.1f} ms")
    return {"p50": p50, "p99": p99}


def http_reads(url: str, ledger: Ledger, households: int, requests: int, workers: int
               ) -> dict[str, dict[str, float]]:
    rng = random.Random(7)
    token = ledger.create_token("bench-jiwei", "discipline")
    views = Views(store_for(ledger))
    villages = sorted({views.household_village(f"h{rng.randint(1, households):07d}")
                       for _ in range(200)})
    as_of = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    results = {}
    with gunicorn(url, workers) as port:
        results["status"] = latencies(port, token, [
            f"/api/v1/households/h{rng.randint(1, households):07d}" for _ in range(requests)],
            "household status (live)")
        results["findings"] = latencies(port, token, [
            f"/api/v1/findings?unit_id={rng.choice(villages)}&status=open&overdue=true"
            for _ in range(requests)], "findings ledger (village, open, overdue)")
        results["findings_all"] = latencies(port, token, [
            f"/api/v1/findings?status=open&limit=100&offset={rng.randint(0, 20) * 100}"
            for _ in range(max(50, requests // 10))], "findings ledger (county, open, page)")
        results["replay_http"] = latencies(port, token, [
            f"/api/v1/households/{LONG_HOUSEHOLD}?as_of={as_of}" for _ in range(200)],
            "as_of replay, 1,000 events (HTTP)")
    return results


def replay_in_process(ledger: Ledger) -> float:
    views = Views(store_for(ledger))
    cut = Cut(as_of=datetime.now(timezone.utc))
    assert views.household(LONG_HOUSEHOLD, cut) is not None
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        views.household(LONG_HOUSEHOLD, cut)
        timings.append((time.perf_counter() - started) * 1000)
    count = len(views.store.subject_log(subject("household", LONG_HOUSEHOLD), None, None))
    median = statistics.median(timings)
    print(f"  as_of replay in process: {count} indexed events, median {median:.1f} ms, "
          f"max {max(timings):.1f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the 100,000-household county (about 1M events at 1)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="reuse this ledger (kept afterwards)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per HTTP read")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    households = max(300, round(HOUSEHOLDS_AT_SCALE_1 * args.scale))
    print(f"machine: {machine()}")
    print(f"command: python {' '.join(sys.argv)}")
    print(f"scale {args.scale}: {households:,} households, {MONTHS} months, seed {SEED}, "
          f"backend {args.backend if not args.database_url else args.database_url}")
    with database(args.backend, args.database_url) as url:
        ledger = open_ledger(Config(database_url=url))
        ensure_county(ledger, households)
        ensure_long_household(ledger)
        print(f"log head: position {ledger.head()[0]:,}")
        print("1. raw global log read (the floor)")
        floor = read_floor(ledger)
        print("2. full rebuild of every projection")
        built = rebuild(url)
        print(f"  rebuild / floor (store.read_log): {built['rate'] / floor['store.read_log']:.2f}"
              f"; / floor (select_chained): {built['rate'] / floor['select_chained']:.2f}")
        print("3. and 4. reads")
        replay_in_process(ledger)
        http_reads(url, ledger, households, args.requests, args.workers)
        ledger.close()


if __name__ == "__main__":
    main()
