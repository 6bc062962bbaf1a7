"""SQLite connections kept one per thread, all closed together.

SQLite connections must not be shared between threads that use them at once, and opening one
per query is slow; the read side's store and its log reader both keep one per thread."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable


class ThreadConnections:
    def __init__(self, path: str,
                 prepare: Callable[[sqlite3.Connection], None] | None = None) -> None:
        self._path = path
        self._prepare = prepare
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        """This thread's connection (autocommit unless a transaction is begun), opened once."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # A `file:` name is a URI, as the library opens it (`file:ledger.db?mode=ro`).
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None,
                                   check_same_thread=False, uri=self._path.startswith("file:"))
            if self._prepare is not None:
                self._prepare(conn)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
