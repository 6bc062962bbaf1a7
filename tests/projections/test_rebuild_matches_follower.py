"""A rebuild of a demo county (service.demo) folds the same views as the follower that folded
it event by event (a page of one), roll-up counters included: the rebuild works out a
household's roll-up figures once per page, not at each of its events (`rollups.settle`)."""
from __future__ import annotations

import json
from typing import Any

from ledger.application import Command
from ledger.identity import Actor
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore
from service.demo import write_county
from service.root import Root
from tests.projections.conftest import at


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
    # A standard raised mid-log: households counted before it keep the old one until their
    # next event, so the rebuild must count them before it folds the change.
    root.ledger.record(Actor("county-admin", "admin"), [Command("RuleParameterSet", {
        "parameter": "income_standard", "value": 9000, "year": 2020, "note": "raised"},
        at("2020-02-28"))])
    root.ledger.record(Actor("inspector-li", "inspector"), [Command("InspectionRecorded", {
        "inspection_id": "i-after", "subject_type": "household", "subject_id": "h0000001",
        "method": "visit", "inspector_ids": ["p-dc-t01"],
        "income": {"wage": 8000, "transfer": 0}}, at("2020-02-28"))])
    follower = ProjectionRunner(root.store, page=1)
    head = root.store.head()
    assert head > summary.events and follower.catch_up() == head
    served = _views(root.store)
    assert ("rollup", "county") in served[1] and len(served[4]) == 30

    rebuilt = root.runner().rebuild(fresh=True)

    assert rebuilt.folded == head
    assert _views(root.store) == served
