"""A pg_auto_failover formation of a test's own (a monitor and two nodes, the second a
synchronous standby), made by `scripts/pg-failover` under /tmp on free ports, removed after."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from tests.faults.cluster import free_port

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg-failover"


@dataclass(frozen=True)
class Formation:
    directory: Path
    url: str  # several hosts, target_session_attrs=read-write: whichever node is primary

    def kill(self, node: str) -> None:
        """SIGKILL the node's keeper and its PostgreSQL, as when its machine goes."""
        subprocess.run([str(SCRIPT), "kill", str(self.directory), node], check=True, timeout=10)

    def primary_port(self) -> int:
        with psycopg.connect(self.url, connect_timeout=2) as conn:
            row = conn.execute("SELECT inet_server_port()").fetchone()
        assert row is not None
        return int(row[0])

    def ports(self) -> list[int]:
        """The nodes' ports: node1's first."""
        return [int(port) for port in conninfo_to_dict(self.url)["port"].split(",")]

    def logs(self) -> str:
        return "\n".join(f"== {log.name}\n{log.read_text()[-3000:]}"
                         for log in sorted(self.directory.glob("*.log")))


def distinct_free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@contextmanager
def formation() -> Iterator[Formation]:
    """Start the formation (pg_auto_failover's fast settings: a dead primary is noticed within
    seconds); stop it and remove its directory afterwards."""
    if shutil.which("pg_autoctl") is None:
        raise RuntimeError("pg_autoctl is not installed: apt-get install -y "
                           "postgresql-15-auto-failover (.ci/run does)")
    directory = Path(tempfile.mkdtemp(prefix="ledger-failover-", dir="/tmp"))
    env = {**os.environ, "PG_FAILOVER_FAST": "1"}
    try:
        started = subprocess.run(
            [str(SCRIPT), "start", str(directory), *map(str, distinct_free_ports(3))],
            env=env, capture_output=True, text=True, timeout=150, check=False)
        made = Formation(directory, started.stdout.strip().splitlines()[-1]
                         if started.stdout.strip() else "")
        if started.returncode:
            raise RuntimeError(f"scripts/pg-failover start failed: {started.stderr}\n"
                               f"{made.logs()}")
        yield made
    finally:
        subprocess.run([str(SCRIPT), "stop", str(directory)], timeout=60, check=False,
                       capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)
