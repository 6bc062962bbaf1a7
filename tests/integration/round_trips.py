"""Count what a PostgreSQL client asks of the server, from libpq's own protocol trace.

libpq writes one line per protocol message it sends (F) or receives (B). A round trip is a
point where the client asks for answers and waits for them: every Sync and every simple Query
it sends is answered by one ReadyForQuery it waits for, and a Flush not right after a Sync asks
for pending answers too. Statements sent in a pipeline (psycopg's pipeline mode) share the
round trip of the Sync that ends them. The count comes from the messages sent alone, so it does
not depend on how the answers happened to arrive. A statement is an Execute (extended protocol)
or a Query (simple protocol) message.
"""
from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import pq


@dataclass
class Traffic:
    """What one counted stretch of work cost, summed over every connection it used."""

    round_trips: int = 0
    statements: int = 0
    sent: list[str] = field(default_factory=list)  # message types sent, for a failing test's eyes

    def add(self, trace: str) -> None:
        lines = [line.split("\t") for line in trace.splitlines() if line[:2] in ("F\t", "B\t")]
        sent = [parts[2] for parts in lines if parts[0] == "F"]
        answered = sum(1 for parts in lines if parts[0] == "B" and parts[2] == "ReadyForQuery")
        waits = sum(1 for kind in sent if kind in ("Sync", "Query"))
        if waits != answered:
            raise AssertionError(f"{waits} Sync/Query sent but {answered} ReadyForQuery read")
        flushes = sum(
            1 for before, kind in zip(["", *sent[:-1]], sent, strict=True)
            if kind == "Flush" and before != "Sync"
        )
        self.round_trips += waits + flushes
        self.statements += sum(1 for kind in sent if kind in ("Execute", "Query"))
        self.sent.extend(sent)


@contextmanager
def counting(datastore: PostgresDatastore) -> Iterator[Traffic]:
    """Count the traffic of every connection this thread takes from the datastore's pool while
    the block runs; the figures are filled in when the block ends."""
    traffic = Traffic()
    thread = threading.get_ident()
    original = datastore.get_connection
    with tempfile.TemporaryDirectory(prefix="ledger-trace-") as folder, ExitStack() as files:
        traces: dict[int, Any] = {}

        @contextmanager
        def traced() -> Iterator[Any]:
            with original() as conn:
                if threading.get_ident() != thread:
                    yield conn
                    return
                key = id(conn)
                if key not in traces:
                    traces[key] = files.enter_context(open(Path(folder) / f"{key}.trace", "a+"))
                conn.pgconn.trace(traces[key].fileno())
                conn.pgconn.set_trace_flags(
                    pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
                )
                try:
                    yield conn
                finally:
                    conn.pgconn.untrace()  # flushes libpq's buffered trace lines

        datastore.get_connection = traced  # type: ignore[method-assign]
        try:
            yield traffic
        finally:
            datastore.get_connection = original  # type: ignore[method-assign]
        for trace in traces.values():
            trace.seek(0)
            traffic.add(trace.read())
