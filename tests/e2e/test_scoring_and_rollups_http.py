"""Scoring rounds with their month, yearly totals and the unit board's roll-up over HTTP."""
from __future__ import annotations

from typing import Any

from tests.e2e.conftest import HttpLedger

READ = "/api/v1"


def ev(type_: str, **data: Any) -> dict:
    return {"type": type_, "data": data}


def _setup(http: HttpLedger) -> tuple[dict[str, str], dict[str, str]]:
    admin = {"Authorization": f"Bearer {http.token('county-admin', 'admin')}"}
    inspector = http.token("inspector-li", "inspector")
    answer = http.batch(admin["Authorization"].split()[1], [
        ev("UnitRegistered", unit_id="t1", name="T1", kind="township"),
        ev("UnitRegistered", unit_id="v1", name="V1", kind="village", parent_id="t1"),
        ev("UnitRegistered", unit_id="v2", name="V2", kind="village", parent_id="t1"),
        ev("HouseholdRegistered", household_id="h1", village_id="v1", head_name="Li", size=3,
           category="registered_poor"),
        ev("HouseholdRegistered", household_id="h2", village_id="v2", head_name="Wu", size=2,
           category="edge"),
    ])
    assert answer.status_code == 201, answer.get_json()
    answer = http.batch(inspector, [
        ev("ScoreRecorded", round_id="r-mar", village_id=v, section="village", points=p,
           month="2020-03") for v, p in (("v1", 25), ("v2", 20))])
    assert answer.status_code == 201, answer.get_json()
    reader = {"Authorization": f"Bearer {http.reader}"}
    return admin, reader


def test_a_score_with_a_month_that_is_no_month_is_refused_and_records_nothing(
        http: HttpLedger) -> None:
    _setup(http)
    inspector = http.token("inspector-li", "inspector")
    before = http.log()
    answer = http.post(inspector, ev(
        "ScoreRecorded", round_id="r-x", village_id="v1", section="village", points=10,
        month="2020-13"))
    assert answer.status_code == 422
    body = answer.get_json()["error"]
    assert body["code"] == "invalid" and "data.month" in body["details"]["fields"]
    assert http.log() == before


def test_the_year_and_the_round_and_the_board_read_over_http(http: HttpLedger) -> None:
    _, reader = _setup(http)
    http.app.extensions["root"].runner().catch_up()
    year = http.client.get(f"{READ}/scoring/years/2020", headers=reader)
    assert year.status_code == 200, year.get_json()
    assert [(v["village_id"], v["total"]) for v in year.get_json()["villages"]] == [
        ("v1", 25), ("v2", 20)]
    round_ = http.client.get(f"{READ}/scoring/r-mar", headers=reader).get_json()
    assert round_["month"] == "2020-03"
    assert [i["missing"] for i in round_["incomplete"]] == [["household", "group"]] * 2
    board = http.client.get(f"{READ}/units/t1", headers=reader).get_json()
    assert board["rollup"]["households"]["by_category"] == {"edge": 1, "registered_poor": 1}
    assert board["rollup"]["units"] == 3
    replayed = http.client.get(f"{READ}/units/t1?valid_at=2100-01-01", headers=reader)
    assert replayed.get_json()["rollup"]["households"] == board["rollup"]["households"]
