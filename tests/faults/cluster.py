"""A PostgreSQL cluster of a test's own: initdb into a temporary directory, served on a free
port, stopped and started at will. Fault tests restart this one, never the shared server."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateCluster:
    """initdb, pg_ctl start/stop on `port`; as root the binaries run as the postgres user."""

    def __init__(self, bin_dir: Path, data_dir: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.data_dir = data_dir
        self.port = port
        self.server = f"postgresql://postgres@127.0.0.1:{port}"
        self.standbys: list[PrivateCluster] = []

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-k {self.data_dir} -c max_connections=60")
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-w", "-t", "30",
                  "-l", str(self.data_dir / "server.log"), "start")

    def stop(self) -> None:
        """A fast shutdown: open sessions are cut, as when the server restarts."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def standby(self, port: int) -> PrivateCluster:
        """A hot standby of this cluster on `port`, streaming from it (pg_basebackup -R);
        started, then stopped with the primary by `private_cluster`."""
        replica = PrivateCluster(self.bin_dir, self.data_dir.parent / f"standby-{port}", port)
        self._run("pg_basebackup", "-D", str(replica.data_dir), "-h", "127.0.0.1",
                  "-p", str(self.port), "-U", "postgres", "-R", "-X", "stream", "-c", "fast",
                  "--no-sync")
        replica.start()
        self.standbys.append(replica)
        return replica

    def create_database(self, name: str) -> str:
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.server}/{name}"


@contextmanager
def private_cluster() -> Iterator[PrivateCluster | None]:
    """A running private cluster, removed afterwards; None where PostgreSQL is not installed."""
    bin_dir = _binaries()
    if bin_dir is None:
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    cluster = PrivateCluster(bin_dir, base / "data", free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        for server in (*cluster.standbys, cluster):
            try:
                server.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(base, ignore_errors=True)
