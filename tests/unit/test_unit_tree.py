"""The units' tree the access policy reads: ancestry and subtrees, each parent read once."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.unit_tree import UnitTree


class Units:
    """Unit states by id, counting how many times each is read."""

    def __init__(self, parents: dict[str, str | None]) -> None:
        self.parents = dict(parents)
        self.reads: dict[str, int] = {}

    def load(self, kind: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        assert kind == "unit"
        found = {}
        for key in keys:
            self.reads[key] = self.reads.get(key, 0) + 1
            if key in self.parents:
                found[key] = {"unit_id": key, "parent_id": self.parents[key]}
        return found

    def keys(self) -> list[str]:
        return list(self.parents)


def _tree(units: Units) -> UnitTree:
    return UnitTree(units.load, units.keys)


def test_a_units_ancestry_runs_to_the_top_and_each_parent_is_read_once() -> None:
    units = Units({"c": None, "t1": "c", "v1": "t1", "v2": "t1"})
    tree = _tree(units)
    assert tree.ancestry("v1") == ("v1", "t1", "c")
    assert tree.ancestry("v2") == ("v2", "t1", "c")
    assert tree.ancestry("v1") == ("v1", "t1", "c")
    assert units.reads == {"v1": 1, "t1": 1, "c": 1, "v2": 1}
    assert tree.ancestry("nowhere") is None


def test_a_subtree_holds_the_unit_and_everything_below_and_grows_with_new_units() -> None:
    units = Units({"c": None, "t1": "c", "t2": "c", "v1": "t1", "v2": "t1", "v3": "t2"})
    tree = _tree(units)
    assert tree.subtree("t1") == {"t1", "v1", "v2"}
    assert tree.subtree("v3") == {"v3"}
    assert tree.subtree("c") == set(units.parents)
    assert tree.subtree("unknown") == frozenset()
    units.parents["g1"] = "v1"  # registered later: read when first seen
    assert tree.subtree("t1") == {"t1", "v1", "v2", "g1"}
    assert all(count == 1 for count in units.reads.values())


def test_a_loop_in_bad_data_ends() -> None:
    tree = _tree(Units({"a": "b", "b": "a"}))
    assert tree.ancestry("a") == ("a", "b")
    assert tree.subtree("a") == {"a", "b"}
