"""The units' tree as the read side knows it: each unit's parent, read once per process.

A unit's parent never changes once it is registered (no event moves a unit), so a parent read
once stays true; a unit registered later is read when it is first asked about."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

MAX_DEPTH = 64  # deeper than any real tree: a loop in bad data ends here


class UnitTree:
    """Each unit's parent, read once per process (a registered unit never moves)."""

    def __init__(self, load: Callable[[str, Iterable[str]], dict[str, dict[str, Any]]],
                 keys: Callable[[], list[str]]) -> None:
        self._load = load
        self._keys = keys
        self._parents: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def _learn(self, unit_ids: Iterable[str]) -> None:
        missing = [u for u in unit_ids if u not in self._parents]
        if not missing:
            return
        found = self._load("unit", missing)
        with self._lock:
            for unit_id, state in found.items():
                self._parents[unit_id] = state.get("parent_id")

    def ancestry(self, unit_id: str) -> tuple[str, ...] | None:
        """The unit and every unit above it, nearest first; None for an unknown unit."""
        chain: list[str] = []
        current: str | None = unit_id
        while current is not None and current not in chain and len(chain) < MAX_DEPTH:
            self._learn([current])
            if current not in self._parents:
                return None if not chain else tuple(chain)
            chain.append(current)
            current = self._parents[current]
        return tuple(chain)

    def subtree(self, unit_id: str) -> frozenset[str]:
        """The unit and every unit below it (one keys-only query; new units' parents read)."""
        keys = self._keys()
        self._learn(keys)
        children: dict[str | None, list[str]] = {}
        for key in keys:
            children.setdefault(self._parents.get(key), []).append(key)
        found: set[str] = set()
        todo = [unit_id] if unit_id in self._parents else []
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(children.get(current, ()))
        return frozenset(found)
