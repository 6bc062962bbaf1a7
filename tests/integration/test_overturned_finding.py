"""A dispute that overturns a finding makes the ledger withdraw it (actor `system`), on SQLite
and PostgreSQL; the finding's raising and its withdrawal both stay in the log."""
from __future__ import annotations

import pytest

from ledger.application import LoggedEvent
from ledger.domain.supervision import Finding
from ledger.errors import Conflict, InvalidTransition
from service.root import Root
from tests.projections.conftest import DISCIPLINE, INSPECTOR, World, make_world


@pytest.fixture
def world(root: Root) -> World:
    world = make_world(root)
    world.village("v1")
    world.person("p1")
    world.household("h1")
    return world


def _dispute(world: World, contested: LoggedEvent, outcome: str) -> LoggedEvent:
    world.record("DisputeOpened", {"dispute_id": "d1", "contested_event_id": contested.event_id,
                                   "grounds": "the roof was never leaking"}, "2020-03-05",
                 INSPECTOR)
    return world.record("DisputeResolved", {"dispute_id": "d1", "outcome": outcome,
                                            "note": "site visit"}, "2020-03-10", DISCIPLINE)


def test_an_overturned_finding_is_withdrawn_by_the_ledger_itself(world: World) -> None:
    world.record("UnitListed", {"unit_id": "v1", "level": "district"}, "2020-01-10")
    raised = world.finding("f1", due="2020-03-31")
    with pytest.raises(Conflict) as refused:  # an open finding keeps the unit listed
        world.record("UnitDelisted", {"unit_id": "v1"}, "2020-03-06")
    assert refused.value.details["open_finding_ids"] == ["f1"]

    resolved = _dispute(world, raised, "overturned")

    withdrawn, *settled = resolved.consequences
    assert (withdrawn.type, withdrawn.actor) == ("FindingWithdrawn", "system")
    assert {(c.type, c.actor, c.data["reason"]) for c in settled} == {
        ("OpenFindingSettled", "system", "withdrawn")}
    assert withdrawn.data == {"finding_id": "f1", "reason": "overturned by dispute d1",
                              "decided_by": raised.actor}
    world.project()
    trail = world.views.finding("f1")
    assert (trail["status"], trail["closing_event"]) == ("withdrawn", withdrawn.event_id)
    assert [step["type"] for step in trail["trail"]] == ["FindingRaised", "FindingWithdrawn"]
    assert world.views.household("h1")["open_findings"] == []
    assert world.views.unit("v1")["findings"]["withdrawn"] == ["f1"]
    with pytest.raises(InvalidTransition):
        world.record("RectificationReported", {"finding_id": "f1", "description": "done"})
    world.record("UnitDelisted", {"unit_id": "v1"}, "2020-03-11")  # nothing open any more


def test_a_finding_with_a_rectification_reported_is_withdrawn_too(world: World) -> None:
    raised = world.finding("f1")
    world.record("RectificationReported", {"finding_id": "f1", "description": "mended"},
                 "2020-03-04")
    resolved = _dispute(world, raised, "overturned")
    assert [(c.type, c.actor) for c in resolved.consequences][0] == ("FindingWithdrawn", "system")
    assert {c.type for c in resolved.consequences[1:]} == {"OpenFindingSettled"}


@pytest.mark.parametrize("closing", ["RectificationVerified", "FindingWithdrawn"])
def test_overturning_a_finding_already_closed_or_withdrawn_records_only_the_outcome(
    world: World, closing: str
) -> None:
    raised = world.finding("f1")
    if closing == "RectificationVerified":
        world.record("RectificationReported", {"finding_id": "f1", "description": "mended"})
        world.record(closing, {"finding_id": "f1", "accepted": True, "note": "seen"},
                     actor=INSPECTOR)
    else:
        world.record(closing, {"finding_id": "f1", "reason": "raised twice"}, actor=INSPECTOR)
    status: str = world.ledger.repository.get(Finding.id_for("f1")).status

    resolved = _dispute(world, raised, "overturned")

    assert resolved.consequences == []
    assert world.ledger.repository.get(Finding.id_for("f1")).status == status


def test_an_upheld_dispute_leaves_the_finding_open(world: World) -> None:
    raised = world.finding("f1")
    resolved = _dispute(world, raised, "upheld")
    assert resolved.consequences == []
    world.project()
    assert world.views.finding("f1")["status"] == "open"
    world.record("RectificationReported", {"finding_id": "f1", "description": "mended"})

