"""No write is refused for a concurrent change, on SQLite and PostgreSQL. A write decides, then
appends under the writers' lock; if another write appended to an aggregate it read in between,
it decides once more, under the lock, where nothing can get in between (no `concurrent_write`).

The rival is real: another ledger on the same database, as another worker process holds: caught
holding the lock about to append, or appending between our decision and our append.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.application import Command, Ledger
from ledger.domain.registry import Household
from ledger.identity import Actor
from ledger.tamper import verification
from service.app import create_app
from service.root import Root, open_ledger
from tests.integration.rival import holding_the_lock

ADMIN = Actor("county-admin", "admin")
CADRE = Actor("cadre-wang", "cadre", "v1")
FACTS = Command("HouseholdFactsRecorded", {"household_id": "h1", "seriously_ill_members": 1})
RIVAL_FACTS = Command("HouseholdFactsRecorded", {"household_id": "h1", "size": 5})


@pytest.fixture
def rival_ledger(root: Root) -> Iterator[Ledger]:
    """A second ledger on the same database, as another worker process would hold."""
    other = open_ledger(root.config)
    yield other
    other.close()


@pytest.fixture
def village(ledger: Ledger) -> Ledger:
    ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
        Command("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                        "head_name": "Li", "size": 4, "category": "edge"}),
    ])
    return ledger


def _household_log(ledger: Ledger) -> list[tuple[str, int]]:
    rows = ledger.recorder.select_events(Household.id_for("h1"))
    return [(row.topic.rsplit(".", 1)[-1], row.originator_version) for row in rows]


def test_a_write_arriving_while_a_rival_appends_waits_and_follows_it(
    village: Ledger, rival_ledger: Ledger
) -> None:
    before = _household_log(village)
    with holding_the_lock(rival_ledger) as rival:
        rival.start(lambda: rival_ledger.record(ADMIN, [RIVAL_FACTS]))
        started = time.monotonic()
        [answer] = village.record(CADRE, [FACTS])
    [rivals] = rival.result()

    assert started < rival.finished  # ours was asked for while the rival held the lock
    assert rivals.position < answer.position
    versions = [v for _, v in _household_log(village)]
    assert versions == list(range(1, len(before) + 3))  # one after the other, no gap
    assert [(e.type, e.actor) for e in village.read_log(rivals.position - 1, 10)] == [
        ("HouseholdFactsRecorded", ADMIN.id), ("HouseholdFactsRecorded", CADRE.id)]
    assert verification.verify_chain(village.recorder).ok


def test_over_http_the_waiting_write_is_a_201_recorded_once(
    root: Root, village: Ledger, rival_ledger: Ledger
) -> None:
    client = create_app(root=root, settings={"TESTING": True}).test_client()
    headers = {"Authorization": f"Bearer {village.create_token(CADRE.id, 'cadre', 'v1')}",
               "Idempotency-Key": "facts-1"}
    body = {"type": FACTS.type, "data": FACTS.data}
    head = (village.head() or (0, ""))[0]
    with holding_the_lock(rival_ledger) as rival:
        rival.start(lambda: rival_ledger.record(ADMIN, [RIVAL_FACTS]))
        answer = client.post("/api/v1/events", json=body, headers=headers)
    rival.result()

    assert answer.status_code == 201, answer.get_json()
    again = client.post("/api/v1/events", json=body, headers=headers)
    assert again.status_code == 201
    assert again.get_json()["position"] == answer.get_json()["position"]
    ours = [e for e in village.read_log(head, 1000) if e.actor == CADRE.id]
    assert [e.position for e in ours] == [answer.get_json()["position"]]


def test_a_write_whose_household_changed_since_it_decided_decides_again_under_the_lock(
    village: Ledger, rival_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    decide = village._decide
    under_lock: list[bool] = []

    def rival_appends_after_our_first_decision(actor: Actor, commands: list) -> Any:
        decided = decide(actor, commands)
        under_lock.append(village.recorder.datastore.holding())  # type: ignore[attr-defined]
        if len(under_lock) == 1:
            rival_ledger.record(ADMIN, [RIVAL_FACTS])
        return decided

    monkeypatch.setattr(village, "_decide", rival_appends_after_our_first_decision)
    [answer] = village.record(CADRE, [FACTS], idempotency_key="facts-1")

    assert under_lock == [False, True]  # decided again, the second time under the lock
    facts = [(e.actor, e.position) for e in village.read_log(0, 100)
             if e.type == "HouseholdFactsRecorded"]
    assert [actor for actor, _ in facts] == [ADMIN.id, CADRE.id]
    assert facts[1][1] == answer.position
    assert village.record(CADRE, [FACTS], idempotency_key="facts-1") == [answer]
    assert verification.verify_chain(village.recorder).ok
