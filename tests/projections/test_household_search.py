"""Finding households by name over HTTP, on both backends: a one-character surname, part of a
name, a longer name checked on its candidates, ids; the index holds no name in clear, an
erasure takes a household out of it; names shown are audited; bad `q` recorded nothing."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from ledger.privacy.search_tokens import ID_NUMBER, MEMBER_ID, SearchKey
from projections.events import Event
from projections.name_index import NameBatch, NameIndex
from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import ADMIN, World

LIST = "/api/v1/households"
HEADS = {"h1": "王小明", "h2": "李明", "h3": "王 明", "h4": "欧阳小明", "h5": "Wang Xiaoming"}


@pytest.fixture
def client(root: Root) -> FlaskClient:
    return conforming(create_app(root=root, settings={"TESTING": True})).test_client()


def _county(world: World) -> None:
    world.record("UnitRegistered", {"unit_id": "c1", "name": "县", "kind": "county"})
    world.record("UnitRegistered", {"unit_id": "t1", "name": "镇一", "kind": "township",
                                    "parent_id": "c1"})
    world.record("UnitRegistered", {"unit_id": "v1", "name": "村一", "kind": "village",
                                    "parent_id": "t1"})
    world.record("UnitRegistered", {"unit_id": "v2", "name": "村二", "kind": "village",
                                    "parent_id": "t1"})
    world.record("HouseholdRegistered", {"household_id": "h6", "village_id": "v2",
                                         "head_name": "王五", "size": 2, "category": "edge"},
                 "2020-01-02")
    world.record("PersonRegistered", {"person_id": "p1", "name": "张干部", "unit_id": "t1"})
    for household_id, head in HEADS.items():
        world.record("HouseholdRegistered", {"household_id": household_id, "village_id": "v1",
                                             "head_name": head, "size": 3,
                                             "category": "registered_poor"}, "2020-01-02")
    world.assign("p1", "h1")
    world.project()


def _search(client: FlaskClient, headers: dict[str, str], query: str) -> dict:
    answer = client.get(LIST, query_string={"q": query}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _found(client: FlaskClient, headers: dict[str, str], query: str) -> list[str]:
    body = _search(client, headers, query)
    assert body["total"] == len(body["items"])
    return [i["household_id"] for i in body["items"]]


def test_names_are_found_by_a_surname_a_part_or_the_whole_and_ids_by_themselves(
        world: World, client: FlaskClient) -> None:
    _county(world)
    officer = {"Authorization": f"Bearer {world.ledger.create_token('i1', 'inspector')}"}
    assert _found(client, officer, "王") == ["h1", "h3", "h6"]
    assert _found(client, officer, "明") == ["h1", "h2", "h3", "h4"]
    assert _found(client, officer, "小明") == ["h1", "h4"]
    assert _found(client, officer, "王明") == ["h3"]  # spaces do not count
    assert _found(client, officer, "王小明") == ["h1"]  # checked: 欧阳小明 has no 王
    assert _found(client, officer, "欧阳小明") == ["h4"]
    assert _found(client, officer, "xiaoming") == ["h5"]  # case folded
    assert _found(client, officer, "张") == []  # the helper cadre is not a household's name
    assert _found(client, officer, "h2") == ["h2"]
    first = _search(client, officer, "王小明")["items"][0]
    assert (first["head_name"], first["village_name"], first["township_id"],
            first["township_name"], first["helper_cadres"]) == (
        "王小明", "村一", "t1", "镇一", [{"person_id": "p1", "name": "张干部"}])
    page = client.get(LIST, query_string={"q": "明", "limit": 2}, headers=officer).get_json()
    assert (len(page["items"]), page["next"], page["total"]) == (2, "h2", 4)
    following = client.get(LIST, query_string={"q": "明", "after": "h2"},
                           headers=officer).get_json()
    assert [i["household_id"] for i in following["items"]] == ["h3", "h4"]
    # With the list's other filters, and within a scoped token's unit.
    poor = client.get(LIST, query_string={"q": "王", "category": "registered_poor"},
                      headers=officer).get_json()
    assert ([i["household_id"] for i in poor["items"]], poor["total"]) == (["h1", "h3"], 2)
    village = {"Authorization": f"Bearer {world.ledger.create_token('v', 'viewer', 'v2')}"}
    assert _found(client, village, "王") == ["h6"]
    assert _found(client, village, "h1") == []


def test_the_index_keeps_no_name_in_clear_and_forgets_an_erased_household(
        world: World, client: FlaskClient) -> None:
    _county(world)
    tokens = [t for (t,) in world.store.query("SELECT token FROM proj_names")]
    assert tokens and all(len(t) == 32 and int(t, 16) >= 0 for t in tokens)
    sealed = " ".join(s for (s,) in world.store.query("SELECT sealed FROM proj_name_seals"))
    assert "王" not in sealed and "_sealed_" in sealed
    world.record("PersonalDataErased", {"subject_type": "household", "subject_id": "h1",
                                        "basis": "request"}, actor=ADMIN)
    world.project()
    assert world.store.query("SELECT COUNT(*) FROM proj_names WHERE household_id = 'h1'") == [
        (0,)]
    officer = {"Authorization": f"Bearer {world.ledger.create_token('i1', 'inspector')}"}
    assert _found(client, officer, "王") == ["h3", "h6"]
    listed = client.get(LIST, headers=officer).get_json()["items"]
    assert listed[0]["household_id"] == "h1" and listed[0]["head_name"] is None


def test_names_shown_by_a_list_are_in_the_read_audit(world: World, client: FlaskClient) -> None:
    _county(world)
    reader = world.ledger.create_token("i1", "inspector")
    _search(client, {"Authorization": f"Bearer {reader}"}, "小明")
    audit = client.get("/api/v1/audit/reads?subject_type=household&subject_id=h4",
                       headers={"Authorization":
                                f"Bearer {world.ledger.create_token('d', 'discipline')}"})
    assert [(r["actor"], r["route"]) for r in audit.get_json()["reads"]] == [
        ("i1", "/api/v1/households")]
    unread = client.get("/api/v1/audit/reads?subject_type=household&subject_id=h2",
                        headers={"Authorization":
                                 f"Bearer {world.ledger.create_token('d', 'discipline')}"})
    assert unread.get_json()["reads"] == []


@pytest.mark.parametrize(("query", "field"), [
    ({"q": ""}, "q"), ({"q": "x" * 65}, "q"), ({"mismatch_overdue": "maybe"}, "mismatch_overdue"),
    ({"q": "王", "colour": "red"}, "colour"),
])
def test_bad_list_input_names_the_field_and_records_nothing(
        world: World, client: FlaskClient, query: dict, field: str) -> None:
    _county(world)
    token = world.ledger.create_token("i1", "inspector")
    head = world.store.head()
    answer = client.get(LIST, query_string=query, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["details"]["fields"]
    assert world.store.head() == head


def test_member_names_plug_in_by_event_type() -> None:
    key = SearchKey(bytes(range(32)))
    member = Event(1, "e:1", "MemberRegistered", "a", "2020-01-01T00:00:00+00:00",
                   "2020-01-01T00:00:00+00:00",
                   {"household_id": "h1", "member_id": "m1", "name": "王芳",
                    "id_number": "11010519491231002x"}, "2020-01-01", 0)
    batch = NameBatch().add([member])
    assert [(n.household_id, n.member_id, n.name) for n in batch.named] == [("h1", "m1", "王芳")]
    tokens, seals = NameIndex(key, lambda value: value).rows(batch.named)
    digests = {t for t, _, _ in tokens}
    assert {key.digest(ID_NUMBER, "11010519491231002X"), key.digest(MEMBER_ID, "m1"),
            *key.query_digests("王"), *key.query_digests("王芳")} <= digests
    assert {(h, m) for _, h, m in tokens} == {("h1", "m1")} and seals[0][:2] == ("h1", "m1")
