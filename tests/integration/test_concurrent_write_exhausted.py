"""A write that loses every race: after CONFLICT_RETRIES fresh decisions the ledger gives up
with `concurrent_write` (409) and records nothing of it, on SQLite and PostgreSQL.

The races are real: a rival ledger on the same database records a fact about the same household
just before each of our saves, so the database itself refuses our stale version.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ledger.application import CONFLICT_RETRIES, Command, Ledger
from ledger.errors import ConcurrentWrite
from ledger.identity import Actor
from service.app import create_app
from service.root import Root, open_ledger

ADMIN = Actor("county-admin", "admin")
CADRE = Actor("cadre-wang", "cadre", "v1")
FACTS = Command("HouseholdFactsRecorded", {"household_id": "h1", "seriously_ill_members": 1})


@pytest.fixture
def rival(root: Root) -> Iterator[Ledger]:
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


def _race(ledger: Ledger, rival: Ledger, monkeypatch: pytest.MonkeyPatch,
          lost: int) -> list[int]:
    """Make the rival win the first `lost` saves of `ledger`; the count of saves tried."""
    tried: list[int] = []
    save: Callable[..., Any] = ledger.save

    def contended(*events: Any, **kwargs: Any) -> Any:
        tried.append(len(events))
        if len(tried) <= lost:
            rival.record(ADMIN, [Command("HouseholdFactsRecorded",
                                         {"household_id": "h1", "size": 4 + len(tried)})])
        return save(*events, **kwargs)

    monkeypatch.setattr(ledger, "save", contended)
    return tried


def _log(ledger: Ledger) -> list[tuple[str, str]]:
    return [(e.type, e.actor) for e in ledger.read_log(0, 1000)]


def test_once_the_retries_run_out_the_write_is_a_concurrent_write_and_nothing_of_it_is_kept(
    village: Ledger, rival: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _log(village)
    tried = _race(village, rival, monkeypatch, lost=CONFLICT_RETRIES)

    with pytest.raises(ConcurrentWrite) as caught:
        village.record(CADRE, [FACTS])

    assert caught.value.code == "concurrent_write"
    assert len(tried) == CONFLICT_RETRIES
    # only the rival's facts were recorded, one per race it won
    assert _log(village) == before + [("HouseholdFactsRecorded", ADMIN.id)] * CONFLICT_RETRIES


def test_a_write_that_wins_its_last_try_is_recorded_once(
    village: Ledger, rival: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _log(village)
    tried = _race(village, rival, monkeypatch, lost=CONFLICT_RETRIES - 1)

    [answer] = village.record(CADRE, [FACTS], idempotency_key="facts-1")

    assert len(tried) == CONFLICT_RETRIES
    assert (answer.type, answer.actor) == ("HouseholdFactsRecorded", CADRE.id)
    assert _log(village) == before + [("HouseholdFactsRecorded", ADMIN.id)] * (
        CONFLICT_RETRIES - 1) + [("HouseholdFactsRecorded", CADRE.id)]


def test_over_http_it_is_a_409_and_a_later_retry_under_the_same_key_records_it_once(
    root: Root, village: Ledger, rival: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = create_app(root=root, settings={"TESTING": True}).test_client()
    headers = {"Authorization": f"Bearer {village.create_token(CADRE.id, 'cadre', 'v1')}",
               "Idempotency-Key": "facts-1"}
    body = {"type": FACTS.type, "data": FACTS.data}
    head = (village.head() or (0, ""))[0]
    _race(village, rival, monkeypatch, lost=CONFLICT_RETRIES)

    answer = client.post("/api/v1/events", json=body, headers=headers)

    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "concurrent_write"
    ours = [e for e in village.read_log(head, 1000) if e.actor == CADRE.id]
    assert ours == []
    monkeypatch.undo()
    retried = client.post("/api/v1/events", json=body, headers=headers)
    again = client.post("/api/v1/events", json=body, headers=headers)
    assert (retried.status_code, again.status_code) == (201, 201)
    assert retried.get_json()["position"] == again.get_json()["position"]
    ours = [e for e in village.read_log(head, 1000) if e.actor == CADRE.id]
    assert len(ours) == 1

