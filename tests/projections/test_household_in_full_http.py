"""The household in full over HTTP, on SQLite and PostgreSQL: members and the size and criteria
judged from them, dynamic adjustment (新识别, 返贫), writes by responsibility on the event's
date, and bad input refused with the field or reason named and nothing recorded."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import World

EVENTS = "/api/v1/events"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: str, serial: str = "123") -> str:
    """A GB 11643 number of someone born on `born`, its check character computed here."""
    body = "110105" + born.replace("-", "") + serial
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def id_number_ending_x(born: str) -> str:
    return next(n for s in range(100, 1000) if (n := id_number(born, str(s)))[-1] == "X")


@pytest.fixture
def client(root: Root, world: World) -> FlaskClient:
    app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})
    return conforming(app).test_client()


@pytest.fixture
def county(world: World) -> World:
    world.record("UnitRegistered", {"unit_id": "c1", "name": "C", "kind": "county"}, "2020-01-01")
    world.record("UnitRegistered", {"unit_id": "t1", "name": "T", "kind": "township",
                                    "parent_id": "c1"}, "2020-01-01")
    world.record("UnitRegistered", {"unit_id": "dept", "name": "D", "kind": "department",
                                    "parent_id": "c1"}, "2020-01-01")
    world.village("v1", "t1")
    world.village("v2", "t1")
    world.person("p1")
    world.person("helper", "dept")
    world.household("h1", size=5)
    world.household("h2", size=3, village_id="v2")
    return world


def bearer(world: World, actor: str, role: str, unit: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.ledger.create_token(actor, role, unit)}"}


def post(client: FlaskClient, headers: dict[str, str], type_: str, data: dict[str, Any],
         day: str = "2020-03-01") -> Any:
    return client.post(EVENTS, json={"type": type_, "occurred_at": f"{day}T10:00:00+08:00",
                                     "data": data}, headers=headers)


def status(client: FlaskClient, headers: dict[str, str], household_id: str,
           valid_at: str = "2020-12-31") -> dict[str, Any]:
    client.application.extensions["root"].runner().catch_up()
    answer = client.get(f"/api/v1/households/{household_id}?valid_at={valid_at}",
                        headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def member(member_id: str, born: str, **facts: Any) -> dict[str, Any]:
    return {"household_id": "h1", "member_id": member_id, "name": f"成员{member_id}",
            "relation": "child", "birth_date": born, **facts}


def test_size_and_criteria_follow_members_once_complete(
        county: World, client: FlaskClient) -> None:
    admin = bearer(county, "admin-1", "admin")
    county.visit("i1", "h1", "2020-02-01", income={"wage": 20000})
    born = ("1960-05-01", "1962-03-03", "2003-01-01", "2004-02-02", "2005-03-03")
    for index, day in enumerate(born[:2]):
        answer = post(client, admin, "MemberRegistered",
                      member(f"m{index}", day, labour="full", health="healthy",
                             id_number=id_number_ending_x(day).lower()), "2020-03-01")
        assert answer.status_code == 201, answer.get_json()
    partial = status(client, admin, "h1")
    # Two of five: the recorded size stands, so per-capita income does not rise.
    assert (partial["size"], partial["members_incomplete"]) == (5, True)
    assert partial["income"]["per_capita"] == 4000
    assert [m["facts"]["id_number"]["value"] for m in partial["members"]] == [
        id_number_ending_x(day) for day in born[:2]]  # a final x is kept as X
    for index, day in enumerate(born[2:], start=2):
        answer = post(client, admin, "MemberRegistered",
                      member(f"m{index}", day, labour="none", health="healthy",
                             schooling="high_school"), "2020-03-02")
        assert answer.status_code == 201, answer.get_json()
    ill = post(client, admin, "MemberFactsRecorded",
               {"household_id": "h1", "member_id": "m1", "health": "serious_illness"},
               "2020-04-01")
    left = post(client, admin, "MemberLeft",
                {"household_id": "h1", "member_id": "m4", "reason": "moved_out"}, "2020-05-01")
    assert (ill.status_code, left.status_code) == (201, 201)

    complete = status(client, admin, "h1")
    assert (complete["size"], complete["members_incomplete"]) == (4, False)
    assert complete["income"]["per_capita"] == 5000
    by_id = {m["member_id"]: m for m in complete["members"]}
    assert by_id["m4"]["present"] is False and by_id["m4"]["left"]["reason"] == "moved_out"
    assert by_id["m1"]["facts"]["health"] == {"value": "serious_illness",
                                              "event_id": ill.get_json()["event_id"]}
    assert ill.get_json()["event_id"] in by_id["m1"]["event_ids"]
    criteria = {c["name"]: c for c in complete["criteria"]}
    # Labour: 2 full of 4 present = 0.5, not below half; one seriously ill; three at school.
    assert criteria["labour_coefficient_below_half"]["holds"] is False
    assert criteria["labour_coefficient_below_half"]["facts"]["labour_coefficient"] == 0.5
    assert criteria["seriously_ill_member"]["holds"] is True
    assert criteria["seriously_ill_member"]["event_ids"] == sorted(
        {ill.get_json()["event_id"], *(m["facts"]["health"]["event_id"]
                                       for k, m in by_id.items() if k not in ("m1", "m4"))})
    assert criteria["three_children_in_non_compulsory_education"]["holds"] is False  # m4 left

    before_leaving = status(client, admin, "h1", valid_at="2020-04-15")
    assert before_leaving["size"] == 5
    assert {c["name"]: c["holds"] for c in before_leaving["criteria"]}[
        "three_children_in_non_compulsory_education"] is True


def test_bad_member_input_names_the_field_and_records_nothing(
        county: World, client: FlaskClient) -> None:
    admin = bearer(county, "admin-1", "admin")
    number = id_number("1960-05-01")
    assert post(client, admin, "MemberRegistered",
                member("m1", "1960-05-01", id_number=number)).status_code == 201
    other = {**member("n1", "1960-05-01", id_number=number), "household_id": "h2"}
    assert post(client, admin, "MemberLeft",
                {"household_id": "h1", "member_id": "m1", "reason": "death"},
                "2020-06-01").status_code == 201
    head = county.ledger.head()
    wrong_digit = number[:-1] + ("0" if number[-1] != "0" else "1")
    refusals = [
        (member("m2", "1960-05-01", relation="cousin"), 422, "relation"),
        (member("m2", "1960-05-01", health="fine"), 422, "health"),
        (member("m2", "1960-05-01", id_number=wrong_digit), 422, "id_number"),
        (member("m2", "1961-05-01", id_number=number), 422, "id_number"),
    ]
    for data, code, field in refusals:
        answer = post(client, admin, "MemberRegistered", data)
        assert answer.status_code == code, (data, answer.get_json())
        details = answer.get_json()["error"]["details"]
        # A shape the schema states names `fields`; a check digit or birth date, the ledger's
        # own rule, names `field`.
        assert f"data.{field}" in details.get("fields", {}) or details.get("field") == field, (
            data, details)
    twice = post(client, admin, "MemberLeft",
                 {"household_id": "h1", "member_id": "m1", "reason": "death"}, "2020-06-02")
    assert twice.status_code == 409
    assert twice.get_json()["error"]["details"]["field"] == "member_id"
    elsewhere = post(client, admin, "MemberFactsRecorded",
                     {"household_id": "h2", "member_id": "m1", "labour": "full"})
    assert elsewhere.status_code == 404
    assert elsewhere.get_json()["error"]["details"]["field"] == "member_id"
    assert county.ledger.head() == head

    # m1 left, so its number is free again; a member present holds it from then on.
    assert post(client, admin, "MemberRegistered", other).status_code == 201
    head = county.ledger.head()
    again = post(client, admin, "MemberRegistered", member("m3", "1960-05-01", id_number=number))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_id_number"
    assert again.get_json()["error"]["details"]["field"] == "id_number"
    index = [e for e in county.ledger.read_log(0, 1000) if e.type.startswith("IdNumber")]
    assert [e.type for e in index] == ["IdNumberClaimed", "IdNumberReleased", "IdNumberTaken"]
    assert all(number not in repr(e.data) for e in index)
    assert county.ledger.head() == head


def test_reclassification_follows_the_table_at_county_level(
        county: World, client: FlaskClient) -> None:
    county.record("HouseholdRegistered", {"household_id": "h3", "village_id": "v1",
                                          "head_name": "Wang", "size": 2, "category": "edge"},
                  "2020-01-02")
    county.record("HouseholdRegistered", {"household_id": "h4", "village_id": "v1",
                                          "head_name": "Zhao", "size": 2, "category": "exited",
                                          "exit_year": 2019}, "2020-01-02")
    county_cadre = bearer(county, "c-cadre", "cadre", "c1")
    village_cadre = bearer(county, "v-cadre", "cadre", "v1")

    def move(headers: dict[str, str], household_id: str, to: str, reason: str) -> Any:
        return post(client, headers, "HouseholdReclassified",
                    {"household_id": household_id, "to": to, "reason": reason, "basis": [],
                     "note": "县级动态调整"}, "2020-04-01")

    head = county.ledger.head()
    not_county = move(village_cadre, "h3", "registered_poor", "newly_identified")
    assert not_county.status_code == 403
    owned_by_exit = move(county_cadre, "h1", "exited", "returned_to_poverty")
    assert owned_by_exit.status_code == 409
    assert {"to", "reason"} <= set(owned_by_exit.get_json()["error"]["details"])
    unknown = move(county_cadre, "h1", "exited", "graduated")
    assert unknown.status_code == 422
    assert "data.reason" in unknown.get_json()["error"]["details"]["fields"]
    wrong_pair = move(county_cadre, "h3", "other", "newly_identified")
    assert wrong_pair.status_code == 409
    assert county.ledger.head() == head

    identified = move(county_cadre, "h3", "registered_poor", "newly_identified")
    returned = move(county_cadre, "h4", "registered_poor", "returned_to_poverty")
    assert (identified.status_code, returned.status_code) == (201, 201)
    new_story = post(client, county_cadre, "ExitAppraised",
                     {"household_id": "h4", "year": 2020, "votes_for": 20, "votes_total": 30},
                     "2020-06-01")
    assert new_story.status_code == 201, new_story.get_json()
    h4 = status(client, county_cadre, "h4")
    assert (h4["category"], h4["exit_year"], h4["exit"]["steps"][0]["type"]) == (
        "registered_poor", None, "ExitAppraised")
    assert h4["reclassifications"][0] == {
        "reason": "returned_to_poverty", "from": "exited", "to": "registered_poor",
        "on": "2020-04-01", "basis": [], "event_id": returned.get_json()["event_id"]}
    assert status(client, county_cadre, "h3", valid_at="2020-03-31")["category"] == "edge"


def test_writes_follow_responsibility_on_the_events_date(
        county: World, client: FlaskClient) -> None:
    county.assign("helper", "h1", on="2020-02-01")
    county.record("ResponsibilityEnded", {"person_id": "helper", "role": "helper_cadre",
                                          "subject_type": "household", "subject_id": "h1",
                                          "effective_to": "2020-06-30"}, "2020-06-30")
    helper = bearer(county, "helper", "cadre", "dept")
    township = bearer(county, "t-cadre", "cadre", "t1")

    def visit(headers: dict[str, str], inspection_id: str, day: str,
              method: str = "visit") -> Any:
        return post(client, headers, "InspectionRecorded", {
            "inspection_id": inspection_id, "subject_type": "household", "subject_id": "h1",
            "method": method, "inspector_ids": ["helper"]}, day)

    assert visit(helper, "i1", "2020-03-01").status_code == 201
    assert visit(helper, "i2", "2020-04-01", "phone").status_code == 201
    facts = post(client, helper, "HouseholdFactsRecorded",
                 {"household_id": "h1", "has_labour": True}, "2020-04-02")
    assert facts.status_code == 201
    head = county.ledger.head()
    unannounced = visit(helper, "i3", "2020-04-03", "unannounced")
    assert unannounced.status_code == 403
    after = visit(helper, "i4", "2020-07-01")
    assert after.status_code == 403
    error = after.get_json()["error"]
    assert error["details"]["role"] == "helper_cadre"
    assert "v1" not in error["message"] and "v1" not in str(error["details"])
    not_helped = post(client, helper, "HouseholdFactsRecorded",
                      {"household_id": "h2", "has_labour": True}, "2020-04-02")
    assert not_helped.status_code == 403
    assert not_helped.get_json()["error"]["details"]["role"] == "helper_cadre"
    assert county.ledger.head() == head
    # A township's cadre records for the villages below it.
    below = post(client, township, "HouseholdFactsRecorded",
                 {"household_id": "h2", "has_labour": False}, "2020-04-02")
    assert below.status_code == 201, below.get_json()


def test_a_helper_cadre_reads_the_households_it_helps_today(
        county: World, client: FlaskClient) -> None:
    """Whatever its token's unit (a county department here), a helper cadre's token reads the
    household it helps today, and no other household outside its unit; once the help has
    ended, not that one either."""
    county.assign("helper", "h1", on="2020-02-01")
    county.assign("p1", "h2", on="2020-02-01")
    county.record("ResponsibilityEnded", {"person_id": "p1", "role": "helper_cadre",
                                          "subject_type": "household", "subject_id": "h2",
                                          "effective_to": "2020-06-30"}, "2020-06-30")
    client.application.extensions["root"].runner().catch_up()
    helper = bearer(county, "helper", "cadre", "dept")
    former = bearer(county, "p1", "cadre", "dept")
    assert client.get("/api/v1/households/h1", headers=helper).status_code == 200
    assert client.get("/api/v1/households/h2", headers=helper).status_code == 403
    assert client.get("/api/v1/households/h2", headers=former).status_code == 403
    viewer = bearer(county, "helper", "viewer", "dept")
    assert client.get("/api/v1/households/h1", headers=viewer).status_code == 403


def test_a_members_personal_data_is_sealed_and_erased_with_the_household(
        county: World, client: FlaskClient) -> None:
    admin = bearer(county, "admin-1", "admin")
    number = id_number("1958-08-08")
    assert post(client, admin, "MemberRegistered",
                member("m1", "1958-08-08", id_number=number, health="serious_illness",
                       labour="partial")).status_code == 201
    stored = county.ledger.recorder.select_notifications(1, 1000)  # type: ignore[attr-defined]
    raw = b"".join(bytes(n.state) for n in stored)
    assert b'"partial"' in raw  # stored as JSON, so what is absent was sealed
    assert number.encode() not in raw and b"1958-08-08" not in raw
    assert b"serious_illness" not in raw and "成员m1".encode() not in raw
    assert post(client, admin, "PersonalDataErased",
                {"subject_type": "household", "subject_id": "h1",
                 "basis": "the household asked"}).status_code == 201
    facts = status(client, admin, "h1")["members"][0]["facts"]
    for name in ("name", "birth_date", "id_number", "health"):
        assert facts[name]["value"] is None and facts[name]["erased"] == ["value"], name
    assert facts["labour"]["value"] == "partial"  # not personal: kept


def test_a_cross_check_compares_size_with_members_and_takes_id_numbers(
        county: World, client: FlaskClient) -> None:
    admin = bearer(county, "admin-1", "admin")
    county.record("HouseholdRegistered", {"household_id": "h5", "village_id": "v1",
                                          "head_name": "Sun", "size": 2, "category": "other"},
                  "2020-01-02")
    numbers = [id_number("1970-01-01", "201"), id_number_ending_x("1972-02-02")]
    for index, number in enumerate(numbers):
        assert post(client, admin, "MemberRegistered", {
            "household_id": "h5", "member_id": f"m{index}", "name": "n", "relation": "head",
            "birth_date": f"197{index * 2}-0{index + 1}-0{index + 1}",
            "id_number": number}).status_code == 201
    assert post(client, admin, "MemberLeft", {"household_id": "h5", "member_id": "m1",
                                              "reason": "moved_out"},
                "2020-05-01").status_code == 201

    def compare(day: str, record: dict[str, Any]) -> list[dict[str, Any]]:
        answer = post(client, admin, "SystemRecordCompared", {
            "household_id": "h5", "source": "national_system", "as_of_date": day,
            "record": record}, "2020-06-01")
        assert answer.status_code == 201, answer.get_json()
        return [c["data"] for c in answer.get_json()["consequences"]]

    # Before m1 left: two members, both numbers (a final x read as X), in any order.
    assert compare("2020-04-01", {"size": 2, "id_numbers": [n.lower() for n in numbers[::-1]]
                                  }) == []
    found = compare("2020-05-15", {"size": 2, "id_numbers": numbers})
    assert [(m["field"], m["ledger_value"]) for m in found] == [
        ("size", 1), ("id_numbers", numbers[:1])]
