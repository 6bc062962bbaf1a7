"""What the fault tests share: a gunicorn (or `ledger project`) process to kill, writer threads
that keep every request's Idempotency-Key, and the counts that say whether anything was lost or
doubled."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.identity import Actor
from ledger.tamper import verification
from service.config import Config
from service.root import open_ledger
from tests.faults.cluster import free_port

ADMIN = Actor("county-admin", "admin")
VILLAGE = {"type": "UnitRegistered",
           "data": {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}}
REQUEST_TIMEOUT = 15.0  # a request unanswered for this long counts as a hang
RETRY_PAUSE = 0.2  # a writer that retries in place waits this long between tries


def household(household_id: str) -> dict[str, Any]:
    return {"type": "HouseholdRegistered",
            "data": {"household_id": household_id, "village_id": "v1", "head_name": "Li",
                     "size": 3, "category": "edge"}}


@dataclass
class Answer:
    status: int | None  # None: no answer (connection refused or cut, or timed out)
    body: dict[str, Any]
    headers: dict[str, str]
    seconds: float


def post(port: int, token: str, body: dict[str, Any], key: str | None = None,
         path: str = "/api/v1/events") -> Answer:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("POST", path, json.dumps(body), headers)
        response = conn.getresponse()
        raw = response.read()
        answer = json.loads(raw) if raw else {}
        return Answer(response.status, answer, dict(response.getheaders()),
                      time.monotonic() - started)
    except (OSError, http.client.HTTPException, ValueError):
        return Answer(None, {}, {}, time.monotonic() - started)
    finally:
        conn.close()


def get(port: int, path: str, token: str | None = None) -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"text": raw.decode()}
        return Answer(response.status, body, dict(response.getheaders()),
                      time.monotonic() - started)
    except (OSError, http.client.HTTPException):
        return Answer(None, {}, {}, time.monotonic() - started)
    finally:
        conn.close()


class Gunicorn:
    """`gunicorn 'service.app:create_app()'` on a free port, with its own environment."""

    def __init__(self, env: dict[str, str], workers: int = 2, log: Path | None = None) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, deadline: float = 40.0) -> None:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind",
             f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
             "--no-control-socket", "service.app:create_app()"],
            env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready(deadline)

    def wait_ready(self, deadline: float = 40.0) -> None:
        end = time.monotonic() + deadline
        while get(self.port, "/healthz").status != 200:
            assert self.process is not None and self.process.poll() is None, "gunicorn died"
            assert time.monotonic() < end, "gunicorn did not come up"
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc (every process whose parent it is)."""
        assert self.process is not None
        workers = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                workers.append(int(stat.parent.name))
        return workers

    def kill_worker(self) -> int:
        end = time.monotonic() + 10
        while not self.worker_pids() and time.monotonic() < end:
            time.sleep(0.05)
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_master(self) -> list[int]:
        """SIGKILL the master; returns its workers, orphaned: they go on serving until they
        notice, and a test kills them too (as when the machine or container goes)."""
        assert self.process is not None
        workers = self.worker_pids()
        self.process.kill()
        self.process.wait(10)
        return workers

    @staticmethod
    def kill_orphans(workers: list[int]) -> None:
        """SIGKILL the workers and wait until they are gone (and the port with them)."""
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        end = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < end:
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@dataclass
class Writers:
    """Threads that each register households, one request per event, each under its own
    Idempotency-Key; what was answered 201 is acknowledged, what was not is kept for a retry
    (by `retry_unanswered`, or at once under the same key when `retry_in_place`, as a client
    that must get its write through does)."""

    port: int
    token: str
    threads: int = 3
    retry_in_place: bool = False
    statuses: Counter[int | None] = field(default_factory=Counter)
    acknowledged: dict[str, int] = field(default_factory=dict)  # household id -> position
    unanswered: dict[str, str] = field(default_factory=dict)  # household id -> its key
    failures: list[Answer] = field(default_factory=list)  # answers other than 201 or 503
    unavailable: list[Answer] = field(default_factory=list)  # the 503 answers
    slowest: float = 0.0
    answered_at: list[float] = field(default_factory=list)  # when each 201 came (monotonic)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _running: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for n in range(self.threads):
            thread = threading.Thread(target=self._write, args=(n,), daemon=True)
            thread.start()
            self._running.append(thread)

    def _write(self, n: int) -> None:
        i = 0
        while not self._stop.is_set():
            i += 1
            household_id = f"w{n}-{i}"
            key = uuid.uuid4().hex
            answer = post(self.port, self.token, household(household_id), key)
            self._note(household_id, key, answer)
            while answer.status != 201 and self.retry_in_place and not self._stop.is_set():
                time.sleep(RETRY_PAUSE)
                answer = post(self.port, self.token, household(household_id), key)
                self._note(household_id, key, answer)
            if answer.status != 201:
                time.sleep(0.05)

    def _note(self, household_id: str, key: str, answer: Answer) -> None:
        with self._lock:
            self.statuses[answer.status] += 1
            self.slowest = max(self.slowest, answer.seconds)
            if answer.status == 201:
                self.answered_at.append(time.monotonic())
                self.acknowledged[household_id] = answer.body["position"]
                self.unanswered.pop(household_id, None)
                return
            self.unanswered[household_id] = key
            if answer.status == 503:
                self.unavailable.append(answer)
            elif answer.status is not None:
                self.failures.append(answer)

    def wait_for(self, count: int, deadline: float = 30.0) -> None:
        end = time.monotonic() + deadline
        target = len(self.acknowledged) + count
        while len(self.acknowledged) < target and time.monotonic() < end:
            time.sleep(0.02)

    def longest_silence(self, since: float) -> tuple[float, float]:
        """The longest time between two acknowledged writes after `since` (the first counted
        from `since` itself), and when it ended."""
        times = [since, *sorted(t for t in self.answered_at if t > since)]
        return max(((b - a, b) for a, b in zip(times, times[1:], strict=False)),
                   default=(0.0, since))

    def stop(self) -> None:
        self._stop.set()
        for thread in self._running:
            thread.join(REQUEST_TIMEOUT + 5)

    def retry_unanswered(self, deadline: float = 30.0) -> int:
        """Send every request that got no 201 again under its own key until it does; returns
        how many retries answered with the first answer's position (a replay, not a new
        event) — both count as acknowledged."""
        retried = 0
        end = time.monotonic() + deadline
        while self.unanswered and time.monotonic() < end:
            for household_id, key in list(self.unanswered.items()):
                answer = post(self.port, self.token, household(household_id), key)
                self._note(household_id, key, answer)
                retried += 1
            if self.unanswered:
                time.sleep(0.2)
        return retried


@dataclass(frozen=True)
class Counts:
    acknowledged: int
    recorded: int
    lost: int
    doubled: int
    chain_ok: bool

    def line(self, name: str) -> str:
        return (f"{name}: acknowledged={self.acknowledged} recorded={self.recorded} "
                f"lost={self.lost} doubled={self.doubled} chain_ok={self.chain_ok}")


def count(database_url: str, acknowledged: dict[str, int]) -> Counts:
    """Every acknowledged household in the log exactly once, at the position it was answered
    with, and the chain verified."""
    ledger = open_ledger(Config(database_url=database_url), create_tables=False)
    try:
        log = ledger.read_log(0, 10**7)
        recorded = Counter(e.data["household_id"] for e in log
                           if e.type == "HouseholdRegistered")
        positions = {e.data["household_id"]: e.position for e in log
                     if e.type == "HouseholdRegistered"}
        lost = sum(1 for hid, position in acknowledged.items()
                   if recorded[hid] == 0 or positions[hid] != position)
        doubled = sum(n - 1 for n in recorded.values() if n > 1)
        chain_ok = verification.verify_chain(ledger.recorder).ok
    finally:
        ledger.close()
    return Counts(len(acknowledged), sum(recorded.values()), lost, doubled, chain_ok)


def recorded_households(database_url: str) -> set[str]:
    ledger = open_ledger(Config(database_url=database_url), create_tables=False)
    try:
        return {e.data["household_id"] for e in ledger.read_log(0, 10**7)
                if e.type == "HouseholdRegistered"}
    finally:
        ledger.close()


def make_token(database_url: str) -> str:
    ledger = open_ledger(Config(database_url=database_url))
    try:
        token = ledger.create_token(ADMIN.id, ADMIN.role)
    finally:
        ledger.close()
    return token
