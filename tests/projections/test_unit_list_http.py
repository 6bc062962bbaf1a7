"""GET /api/v1/units on both backends: the units a supervising unit supervises, listed or
not, past their delisting date; a scoped token sees its own subtree; findings carry names."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from projections.events import today
from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import INSPECTOR, World

UNITS = "/api/v1/units"


@pytest.fixture
def client(root: Root) -> FlaskClient:
    return conforming(create_app(root=root, settings={"TESTING": True})).test_client()


def _tree(world: World) -> None:
    world.record("UnitRegistered", {"unit_id": "c1", "name": "县", "kind": "county"})
    world.record("UnitRegistered", {"unit_id": "d1", "name": "督战队", "kind": "department",
                                    "parent_id": "c1"})
    for unit_id, parent in (("t1", "c1"), ("t2", "c1")):
        world.record("UnitRegistered", {"unit_id": unit_id, "name": f"镇{unit_id}",
                                        "kind": "township", "parent_id": parent})
    world.village("v1", "t1")
    passed = (today() - timedelta(days=3)).isoformat()
    ahead = (today() + timedelta(days=30)).isoformat()
    listed_on = (today() - timedelta(days=10)).isoformat()  # a due date is not before it
    for unit_id, due in (("t1", passed), ("t2", ahead), ("v1", passed)):
        world.record("UnitListed", {"unit_id": unit_id, "level": "city",
                                    "supervising_unit_id": "d1", "due_date": due},
                     on=listed_on, actor=INSPECTOR)
    world.record("UnitDelisted", {"unit_id": "v1"}, actor=INSPECTOR)
    world.record("PersonRegistered", {"person_id": "p1", "name": "王书记", "unit_id": "t1"})
    world.project()


def _ids(client: FlaskClient, token: str, query: str = "") -> list[str]:
    answer = client.get(f"{UNITS}?{query}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    return [u["unit_id"] for u in answer.get_json()["items"]]


def test_units_by_supervising_unit_listing_and_past_due(world: World,
                                                       client: FlaskClient) -> None:
    _tree(world)
    officer = world.ledger.create_token("i1", "inspector")
    assert _ids(client, officer) == ["c1", "d1", "t1", "t2", "v1"]
    assert _ids(client, officer, "supervising_unit_id=d1") == ["t1", "t2"]
    assert _ids(client, officer, "listed=false") == ["c1", "d1", "v1"]
    assert _ids(client, officer, "past_due=true") == ["t1"]
    assert _ids(client, officer, "supervising_unit_id=d1&past_due=false") == ["t2"]
    first = client.get(f"{UNITS}?past_due=true", headers={
        "Authorization": f"Bearer {officer}"}).get_json()["items"][0]
    assert (first["name"], first["supervising_unit_name"], first["level"]) == ("镇t1", "督战队",
                                                                               "city")
    page = client.get(f"{UNITS}?limit=2", headers={"Authorization": f"Bearer {officer}"})
    assert page.get_json()["next"] == "d1"
    assert _ids(client, officer, "after=d1&limit=2") == ["t1", "t2"]
    township = world.ledger.create_token("c-t1", "viewer", "t1")
    assert _ids(client, township) == ["t1", "v1"]


def test_bad_unit_list_input_is_refused_naming_the_field(world: World,
                                                        client: FlaskClient) -> None:
    _tree(world)
    officer = {"Authorization": f"Bearer {world.ledger.create_token('i1', 'inspector')}"}
    for query, field, status in (("listed=perhaps", "listed", 422),
                                 ("limit=0", "limit", 422),
                                 ("supervising_unit_id=nowhere", "supervising_unit_id", 404)):
        answer = client.get(f"{UNITS}?{query}", headers=officer)
        assert answer.status_code == status
        assert field in str(answer.get_json()["error"]["details"])


def test_findings_items_name_their_unit_and_person(world: World, client: FlaskClient) -> None:
    _tree(world)
    world.household("h1", village_id="v1")
    world.finding("f1", subject_id="h1", unit_id="t1", person_id="p1", due="2099-01-01")
    world.project()
    answer = client.get("/api/v1/findings", headers={
        "Authorization": f"Bearer {world.ledger.create_token('i1', 'inspector')}"})
    (item,) = answer.get_json()["findings"]
    assert (item["responsible_unit_name"], item["responsible_person_name"]) == ("镇t1", "王书记")
