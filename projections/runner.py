"""Keeps the views current: reads the log in pages, folds each page, commits it with its
position. A crash loses at most the page in flight, which the next run folds again."""
from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable

from projections.events import Event, decode
from projections.routing import FOLDS, Folder, subject, targets
from projections.store import ProjectionStore

log = logging.getLogger(__name__)
# Events whose targets depend on a state loaded in the first round.
FOLLOW_UPS = frozenset({"RectificationReported", "RectificationVerified", "DeadlineExtended",
                        "FindingWithdrawn", "WarningRevoked", "InterviewVoided"})
PAGE = 2000


def _prefetch(store: ProjectionStore, folder: Folder, events: list[Event]) -> None:
    """Load in bulk the states a page will touch, so folding rarely waits on a query.

    Two rounds: what the events name directly, then what the loaded findings, warnings and
    units point to (a rectification touches its finding's household)."""
    for round_ in range(2):
        wanted: dict[str, set[str]] = {kind: set() for kind in FOLDS}
        for event in events:
            if round_ and event.type not in FOLLOW_UPS:
                continue
            for kind, key in targets(event, lambda k, key: folder.states.get((k, key))):
                if (kind, key) not in folder.states:
                    wanted[kind].add(key)
            finding_id = event.data.get("finding_id")
            if finding_id and ("finding", finding_id) not in folder.states:
                wanted["finding"].add(finding_id)
        for kind, keys in wanted.items():
            if keys:
                found = store.load(kind, keys)
                for key in keys:
                    folder.states[(kind, key)] = found.get(key)


class ProjectionRunner:
    def __init__(self, store: ProjectionStore, page: int = PAGE) -> None:
        self.store = store
        self.page = page
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_page(self) -> int:
        """Fold and commit the next page; the number of events folded (0: none waiting).

        The cyclic garbage collector is paused meanwhile: a page builds many small
        acyclic dicts, which reference counting frees, and the collector's passes over them
        cost more than the folding itself."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run_page()
        finally:
            if collecting:
                gc.enable()

    def _run_page(self) -> int:
        expected = self.store.position()
        raw = self.store.read_log(expected, self.page)
        if not raw:
            return 0
        events = [decode(r) for r in raw]
        folder = Folder(load=self.store.load_one)
        _prefetch(self.store, folder, events)
        index = []
        for event in events:
            for kind, key in folder.fold(event):
                index.append((subject(kind, key), event.position, event.recorded_us,
                              event.occurred_on))
        changed = {t: folder.states[t] for t in folder.dirty}
        if not self.store.commit_page(expected, events[-1].position, changed, index):
            return 0  # another runner committed this page first; read again from its position
        return len(events)

    def catch_up(self, until: int | None = None, progress: Callable[[int], None] | None = None
                 ) -> int:
        """Fold pages until the log (or position `until`) is reached; events folded."""
        total = 0
        while until is None or self.store.position() < until:
            done = self.run_page()
            if done == 0 and self.store.position() >= self.store.head():
                break
            total += done
            if progress is not None and done:
                progress(self.store.position())
        return total

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Empty the views and fold the whole log again."""
        self.store.reset()
        return self.catch_up(progress=progress)

    # Following the log in the background --------------------------------------------------
    def follow(self, interval: float = 0.2) -> None:
        """Keep folding until stopped; sleeps `interval` when nothing is waiting."""
        while not self._stop.is_set():
            try:
                if self.run_page() == 0:
                    self._stop.wait(interval)
            except Exception:  # a database hiccup must not kill the follower
                log.exception("projection page failed; retrying")
                self._stop.wait(max(interval, 1.0))

    def start(self, interval: float = 0.2) -> threading.Thread:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.follow, args=(interval,), name="projections", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def wait_for(store: ProjectionStore, position: int, timeout: float, poll: float = 0.02) -> bool:
    """Whether the views include `position`, waiting up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while store.position() < position:
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
    return True
