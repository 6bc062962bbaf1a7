"""A rebuild of a demo county (service.demo) folds the same views as the follower that folded
it event by event (a page of one), roll-up counters included: the rebuild works out a
household's roll-up figures once per page, not at each of its events (`rollups.settle`)."""
from __future__ import annotations

import json
from typing import Any

from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.demo import write_county
from service.root import Root


def _views(store: ProjectionStore) -> tuple[Any, ...]:
    """Every view row; states parsed (counters are equal as objects, their keys may come in
    another order)."""
    states = {(kind, key): json.loads(state) if isinstance(state, str) else state
              for kind, key, state in store.query("SELECT kind, key, state FROM proj_state")}
    return (store.position(), states,
            store.query("SELECT * FROM proj_findings ORDER BY finding_id"),
            store.query("SELECT * FROM proj_subject_events ORDER BY subject, position"),
            store.query("SELECT * FROM proj_households ORDER BY household_id"))


def test_a_rebuilt_demo_county_equals_the_views_folded_event_by_event(root: Root) -> None:
    summary = write_county(root.ledger, households=30, months=2, seed=3)
    follower = ProjectionRunner(root.store, page=1)
    assert follower.catch_up() == summary.events == root.store.head()
    served = _views(root.store)
    assert ("rollup", "county") in served[1] and len(served[4]) == 30

    rebuilt = root.runner().rebuild(fresh=True)

    assert rebuilt.folded == summary.events
    assert _views(root.store) == served
