"""Keeps the views current: reads the log in pages, folds each page, commits it with its
position. A crash loses at most the page in flight, which the next run folds again.

A rebuild folds into a generation of its own and switches the views to it when it has caught
up (`projections.tables`), so readers never see views half built."""
from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from projections import rollups, tables
from projections.events import Event, decode
from projections.name_index import NameBatch
from projections.routing import FOLDS, STATE_ROUTED, Folder, Target, subject, targets
from projections.store import Generation, GenerationGone, ProjectionStore

log = logging.getLogger(__name__)
PAGE = 2000
# A rebuild holds at most about this many states in memory (a household's takes about 15 kB
# as Python objects), and commits at least every this many events. On a 1,000,000-event county
# 5,000 rebuilt as fast as 20,000 with half the peak memory (379 MB against 770 MB).
KEEP_STATES = 5_000
COMMIT_EVERY = 50_000


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did: the generation now live, where it started (0, or where a killed
    rebuild had stopped), the events it folded and the position it went live at."""

    generation: int
    resumed_from: int
    folded: int
    position: int


def _prefetch(store: ProjectionStore, generation: int, folder: Folder, events: list[Event]
              ) -> list[list[Target] | None]:
    """Load in bulk the states a page will touch that the folder does not hold yet, so folding
    rarely waits on a query; the targets of each event whose targets are already known.

    Two rounds: what the events name directly, then what the loaded findings, warnings and
    units point to (a rectification touches its finding's household)."""
    known: list[list[Target] | None] = []
    for round_ in range(2):
        wanted: dict[str, set[str]] = {kind: set() for kind in FOLDS}
        for event in events:
            state_routed = event.type in STATE_ROUTED
            if round_ and not state_routed:
                continue
            touched = targets(event, lambda k, key: folder.states.get((k, key)))
            if not round_:
                known.append(None if state_routed else touched)
            for kind, key in touched + rollups.companions(touched):
                if (kind, key) not in folder.states:
                    wanted.setdefault(kind, set()).add(key)
            finding_id = event.data.get("finding_id")
            if finding_id and ("finding", finding_id) not in folder.states:
                wanted["finding"].add(finding_id)
        for kind, keys in wanted.items():
            if keys:
                found = store.load(kind, keys, generation)
                for key in keys:
                    folder.states[(kind, key)] = found.get(key)
    return known


IndexRow = tuple[str, int, int, str]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: folding builds many small acyclic dicts, which
    reference counting frees, and the collector's passes over them cost more than the folding
    itself."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class ProjectionRunner:
    """Folds the log into one generation of the views: the live one (the default, looked up
    afresh every page, so a rebuild's switch is followed), or a given one being built."""

    def __init__(self, store: ProjectionStore, page: int = PAGE,
                 generation: int | None = None) -> None:
        self.store = store
        self.page = page
        self.generation = generation
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def target(self) -> Generation:
        if self.generation is None:
            return self.store.live()
        return self.store.generation(self.generation)

    def position(self) -> int:
        return self.target().position

    def _folder(self, generation: int) -> Folder:
        return Folder(load=lambda kind, key: self.store.load(kind, [key], generation).get(key),
                      derived=True)

    def _fold_page(self, generation: int, folder: Folder, after: int,
                   uncommitted: list[IndexRow] | None = None
                   ) -> tuple[int, int, list[IndexRow], NameBatch] | None:
        """Fold the page after `after` into `folder`: (last position, events, index rows, names
        to index), or None when the log holds nothing after it (`uncommitted`: index rows
        folded before and not committed yet)."""
        raw = self.store.read_log(after, self.page)
        if not raw:
            return None
        events = [decode(r) for r in raw]
        known = _prefetch(self.store, generation, folder, events)
        index: list[IndexRow] = []
        folder.history = lambda target, event: self._history(
            generation, target, event, (uncommitted or []) + index)
        for event, touched in zip(events, known, strict=True):
            for kind, key in folder.fold(event, touched):
                index.append((subject(kind, key), event.position, event.recorded_us,
                              event.occurred_on))
        return events[-1].position, len(events), index, NameBatch().add(events)

    def _history(self, generation: int, target: Target, event: Event,
                 uncommitted: list[IndexRow]) -> list[Event]:
        """The events indexed under `target` before `event`, committed or not (an overturn
        folds its subject again without the overturned event)."""
        name = subject(*target)
        rows = self.store.query(
            f"SELECT position FROM {tables.table('proj_subject_events', generation)} "
            "WHERE subject = ? AND position < ?", (name, event.position))
        positions = {int(r[0]) for r in rows} | {
            row[1] for row in uncommitted if row[0] == name and row[1] < event.position}
        return [decode(raw) for raw, _ in self.store.log.rows(sorted(positions), False)]

    def run_page(self) -> int:
        """Fold and commit the next page; the number of events folded (0: none waiting, or
        another runner committed it first)."""
        with _collector_paused():
            while True:
                try:
                    return self._run_page()
                except GenerationGone:
                    if self.generation is not None:
                        raise
                    # The live generation was switched away mid-page: fold into the new one.

    def _run_page(self) -> int:
        target = self.target()
        folder = self._folder(target.number)
        page = self._fold_page(target.number, folder, target.position)
        if page is None:
            return 0
        position, count, index, names = page
        changed = folder.changed()
        if not self.store.commit_page(target.number, target.position, position, changed, index,
                                      names):
            return 0  # another runner committed this page first; read again from its position
        return count

    def build(self, progress: Callable[[int], None] | None = None, keep: int = KEEP_STATES,
              commit_every: int = COMMIT_EVERY) -> int:
        """Fold the log up to its head into this runner's generation (one being built, which
        no reader sees): states stay in memory from page to page, and the work commits every
        `commit_every` events rather than every page, or as soon as `keep` states are held
        (which are then let go, so memory stays bounded however long the log). Events folded."""
        target = self.target()
        committed = position = target.position
        folder = self._folder(target.number)
        index: list[IndexRow] = []
        names = NameBatch()
        folded = pending = 0
        with _collector_paused():
            while True:
                page = self._fold_page(target.number, folder, position, index)
                if page is not None:
                    position, count, rows, batch = page
                    index += rows
                    names.named += batch.named
                    names.erased += batch.erased
                    pending += count
                full = len(folder.states) >= keep
                if position > committed and (page is None or pending >= commit_every or full):
                    changed = folder.changed()
                    if not self.store.commit_page(target.number, committed, position, changed,
                                                  index, names):
                        return folded  # another rebuild got there first
                    committed, folded, pending, index = position, folded + pending, 0, []
                    names = NameBatch()
                    folder.dirty.clear()
                    if full:
                        folder.states.clear()
                    if progress is not None:
                        progress(committed)
                if page is None:
                    return folded

    def caught_up(self) -> bool:
        return self.position() >= self.store.head()

    def catch_up(self, until: int | None = None, progress: Callable[[int], None] | None = None
                 ) -> int:
        """Fold pages until the log (or position `until`) is reached; events folded."""
        total = 0
        while until is None or self.position() < until:
            done = self.run_page()
            if done == 0 and self.caught_up():
                break
            total += done
            if progress is not None and done:
                progress(self.position())
        return total

    def rebuild(self, progress: Callable[[int], None] | None = None, fresh: bool = False,
                commit_every: int = COMMIT_EVERY, keep: int = KEEP_STATES) -> Rebuilt:
        """Fold the whole log into a fresh generation while the live one keeps serving, then
        switch the views to it. A rebuild that was killed is resumed where it stopped, unless
        `fresh`."""
        target = self.store.begin_rebuild(fresh)
        builder = ProjectionRunner(self.store, self.page, generation=target.number)
        folded = builder.build(progress, keep, commit_every)
        self.store.finish_build(target.number)
        while True:
            # Catch up with what was appended meanwhile; the switch refuses while the live
            # generation is ahead of this one, so readers never step back.
            folded += builder.build(progress, keep, commit_every)
            if self.store.switch(target.number):
                return Rebuilt(target.number, target.position, folded, builder.position())

    # Following the log in the background --------------------------------------------------
    def follow(self, interval: float | None = None) -> None:
        """Keep folding until stopped. When caught up, wait for word of an append (PostgreSQL
        notifications) or at most `interval` seconds (default: the log's own; on SQLite the
        wait is a plain poll)."""
        wait = self.store.log.poll_interval if interval is None else interval
        self.store.log.listen()
        while not self._stop.is_set():
            try:
                if self.run_page() == 0 and self.caught_up():
                    self.store.log.wait(wait, self._stop)
            except Exception:  # a database hiccup must not kill the follower
                log.exception("projection page failed; retrying")
                self._stop.wait(1.0)

    def start(self, interval: float | None = None) -> threading.Thread:
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
