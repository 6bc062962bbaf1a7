"""What every bench shares: the machine it ran on, a throwaway database, and the targets table.

Each bench ends with `print_targets`, one line per target of issue 8: the figure, what it is
compared with, the target, and whether it is met or by how much it is missed, so a single run
shows every ratio side by side.
"""
from __future__ import annotations

import http.client
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo")
                  if line.startswith("MemTotal"))
    return (f"{cpu}, nproc {os.cpu_count()}, {memory / 2**20:.1f} GB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def load_average() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def header(script: str) -> None:
    """The lines every bench starts with: the exact command, the machine and its load."""
    print(f"command: python bench/{script} {' '.join(sys.argv[1:])}".rstrip())
    print(f"machine: {machine()}")
    print(f"load average before: {load_average()} (other work on the machine skews every figure)")


@contextmanager
def database(backend: str, given: str | None = None) -> Iterator[str]:
    """`given` as is (kept afterwards), else a fresh SQLite file or PostgreSQL database that is
    removed at the end (PostgreSQL from LEDGER_TEST_POSTGRES, like the tests)."""
    if given:
        yield given
    elif backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        from tests.backends import fresh_postgres_url

        with fresh_postgres_url() as url:
            yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Target:
    """One target: `figure` must be at least (or, with `at_most`, at most) `goal`."""

    name: str
    figure: float
    goal: float
    unit: str  # "×" for a ratio to a floor measured in the same run, else the figure's unit
    basis: str = ""  # how the figure was formed, e.g. "330/s ÷ echo 893/s"
    at_most: bool = False

    @property
    def met(self) -> bool:
        return self.figure <= self.goal if self.at_most else self.figure >= self.goal

    def verdict(self) -> str:
        if self.met:
            return "met"
        if self.at_most:
            return f"MISSED: {self.figure / self.goal - 1:.0%} over"
        share = self.figure / self.goal
        return f"MISSED: {1 - share:.0%} short ({share:.2f} of the target)"


def _number(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.2f} ×"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def print_targets(targets: list[Target], title: str = "targets (issue 8)") -> None:
    print(f"\n{title}")
    width = max(len(t.name) for t in targets)
    for t in targets:
        sign = "≤" if t.at_most else "≥"
        basis = f"  ({t.basis})" if t.basis else ""
        print(f"  {t.name:<{width}}  {_number(t.figure, t.unit):>16}   target {sign} "
              f"{_number(t.goal, t.unit):<16}  {t.verdict()}{basis}")


BIN = Path(sys.executable).parent


class GunicornDidNotStart(Exception):
    pass


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 2, chdir: Path = ROOT
             ) -> Iterator[int]:
    """A started gunicorn serving `app` on a free loopback port, tried twice: a worker that fails
    to boot (once seen: two workers racing on PostgreSQL's catalog, since fixed in a814c10)
    must not turn into a measurement."""
    for attempt in (1, 2):
        try:
            with _gunicorn(app, env, workers, chdir) as port:
                yield port
                return
        except GunicornDidNotStart:
            if attempt == 2:
                raise SystemExit("gunicorn did not start") from None
            print("  gunicorn did not start (see its log above); trying once more")


@contextmanager
def _gunicorn(app: str, env: dict[str, str], workers: int, chdir: Path) -> Iterator[int]:
    port = free_port()
    command = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
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
                    raise GunicornDidNotStart from None
                time.sleep(0.2)
        time.sleep(2)  # a worker that fails to boot takes the server down after the first answers
        if server.poll() is not None:
            raise GunicornDidNotStart
        yield port
    finally:
        server.terminate()
        server.wait(20)
