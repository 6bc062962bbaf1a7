"""A rebuild of a demo county (service.demo) folds the same views, row for row, as the
follower that folded it page by page as it was written."""
from __future__ import annotations

from projections.runner import ProjectionRunner
from service.demo import write_county
from service.root import Root
from tests.projections.conftest import dump_views


def _household_list(root: Root) -> list[tuple]:
    return root.store.query("SELECT * FROM proj_households ORDER BY household_id")


def test_a_rebuilt_demo_county_equals_the_views_folded_page_by_page(root: Root) -> None:
    summary = write_county(root.ledger, households=30, months=2, seed=3)
    follower = ProjectionRunner(root.store, page=7)
    assert follower.catch_up() == summary.events == root.store.head()
    served, listed = dump_views(root.store), _household_list(root)
    assert len(served[1]) > 30 and len(listed) == 30

    rebuilt = root.runner().rebuild(fresh=True)

    assert rebuilt.folded == summary.events
    assert dump_views(root.store) == served
    assert _household_list(root) == listed
