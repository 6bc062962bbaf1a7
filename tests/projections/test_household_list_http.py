"""GET /api/v1/households (and .csv, .xlsx) over HTTP: filters, paging, scope, bad input."""
from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import INSPECTOR, World
from tests.projections.test_household_list import ALL_MET, days_ago, township

LIST = "/api/v1/households"


@pytest.fixture
def client(root: Root, world: World) -> FlaskClient:
    app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})
    return conforming(app).test_client()


def _auth(world: World, role: str, unit: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.ledger.create_token(f'{role}-1', role, unit)}"}


def _ids(client: FlaskClient, headers: dict[str, str], query: str = "") -> list[str]:
    answer = client.get(f"{LIST}?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [item["household_id"] for item in answer.get_json()["items"]]


def _story(world: World) -> None:
    township(world)
    world.visit("i1", "h1", days_ago(2), income={"wage": 9000}, checks=ALL_MET)
    world.visit("i2", "h5", days_ago(50))
    world.record("HouseholdFactsRecorded", {"household_id": "h2", "seriously_ill_members": 1},
                 actor=INSPECTOR)
    world.record("HouseholdFactsRecorded", {"household_id": "h5", "single_over_45": True},
                 actor=INSPECTOR)
    world.finding("f1", subject_id="h2", unit_id="v2", due="2099-01-01")
    world.project()


def test_each_filter_and_their_combinations(world: World, client: FlaskClient) -> None:
    _story(world)
    officer = _auth(world, "inspector")
    assert _ids(client, officer) == ["h1", "h2", "h3", "h4", "h5"]
    assert _ids(client, officer, "village_id=v2") == ["h2"]
    assert _ids(client, officer, "township_id=t1") == ["h1", "h2", "h4", "h5"]
    assert _ids(client, officer, "township_id=t2") == ["h3"]
    assert _ids(client, officer, "category=registered_poor") == ["h1", "h2", "h5"]
    assert _ids(client, officer, "poverty_status=not_registered") == ["h3", "h4"]
    assert _ids(client, officer, "exit_class=A") == ["h1"]
    assert _ids(client, officer, "key=true") == ["h2", "h5"]
    assert _ids(client, officer, "key=false") == ["h1", "h3", "h4"]
    assert _ids(client, officer, "monitoring=none") == ["h1", "h2", "h3", "h4", "h5"]
    assert _ids(client, officer, "monitoring=edge") == []
    assert _ids(client, officer, "unvisited_days=31") == ["h2", "h3", "h4", "h5"]
    assert _ids(client, officer, "unvisited_days=60") == ["h2", "h3", "h4"]
    # The township officer's question: key households of t1 not visited in 31 days.
    assert _ids(client, officer, "township_id=t1&key=true&unvisited_days=31") == ["h2", "h5"]
    assert _ids(client, officer, "township_id=t1&key=true&category=edge") == []

    h2 = client.get(f"{LIST}?village_id=v2", headers=officer).get_json()["items"][0]
    assert (h2["open_findings"], h2["last_visit"], h2["township_id"]) == (1, None, "t1")


def test_pages_in_household_id_order_lose_and_repeat_nothing_across_writes(
    world: World, client: FlaskClient
) -> None:
    _story(world)
    officer = _auth(world, "inspector")
    first = client.get(f"{LIST}?limit=2", headers=officer).get_json()
    assert [i["household_id"] for i in first["items"]] == ["h1", "h2"]
    assert first["next"] == "h2"
    # Between pages: a household before the cursor, one after it, and a changed one.
    world.household("h0"), world.household("h31", village_id="v3")
    world.finding("f2", subject_id="h4", due="2099-01-01")
    world.project()
    seen, after = [i["household_id"] for i in first["items"]], first["next"]
    while after is not None:
        page = client.get(f"{LIST}?limit=2&after={after}", headers=officer).get_json()
        seen += [i["household_id"] for i in page["items"]]
        after = page["next"]
    assert seen == ["h1", "h2", "h3", "h31", "h4", "h5"]
    default = client.get(LIST, headers=officer).get_json()
    assert len(default["items"]) == 7 and default["next"] is None


def test_cadres_and_viewers_see_only_their_unit_and_are_refused_elsewhere(
    world: World, client: FlaskClient
) -> None:
    _story(world)
    village = _auth(world, "viewer", "v1")
    assert _ids(client, village) == ["h1", "h4", "h5"]
    assert _ids(client, village, "village_id=v1&key=true") == ["h5"]
    town = _auth(world, "cadre", "t1")
    assert _ids(client, town) == ["h1", "h2", "h4", "h5"]
    assert _ids(client, town, "village_id=v2") == ["h2"]
    county = _auth(world, "viewer", "c1")
    assert _ids(client, county, "township_id=t2") == ["h3"]
    head = world.store.head()
    for headers, query in ((village, "village_id=v2"), (village, "township_id=t1"),
                           (town, "township_id=t2"), (town, "village_id=v3"),
                           (town, "village_id=nowhere")):
        for path in (LIST, LIST + ".csv", LIST + ".xlsx"):
            answer = client.get(f"{path}?{query}", headers=headers)
            assert answer.status_code == 403, (path, query)
            assert answer.get_json()["error"]["code"] == "forbidden"
    assert world.store.head() == head  # refusals record nothing


def test_bad_filters_are_422_naming_the_field_and_unknown_units_404(
    world: World, client: FlaskClient
) -> None:
    _story(world)
    officer = _auth(world, "discipline")
    head = world.store.head()
    for query, field in [("category=rich", "category"), ("poverty_status=poor", "poverty_status"),
                         ("exit_class=D", "exit_class"), ("key=maybe", "key"),
                         ("monitoring=some", "monitoring"), ("unvisited_days=0", "unvisited_days"),
                         ("unvisited_days=soon", "unvisited_days"), ("limit=1001", "limit"),
                         ("limit=0", "limit"), ("after=a%20b", "after"), ("colour=red", "colour")]:
        answer = client.get(f"{LIST}?{query}", headers=officer)
        assert answer.status_code == 422, query
        error = answer.get_json()["error"]
        assert error["code"] == "invalid" and field in error["details"]["fields"], query
    for query, field in [("township_id=v1", "township_id"), ("village_id=t1", "village_id")]:
        answer = client.get(f"{LIST}?{query}", headers=officer)
        assert answer.status_code == 422, query
        assert answer.get_json()["error"]["details"] == {"field": field}, query
    missing = client.get(f"{LIST}?township_id=t9", headers=officer)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["details"] == {"field": "township_id"}
    assert client.get(f"{LIST}.csv?limit=5", headers=officer).status_code == 422
    assert client.get(LIST).status_code == 401
    assert world.store.head() == head


def test_the_list_as_csv_and_as_a_spreadsheet(world: World, client: FlaskClient) -> None:
    _story(world)
    officer = _auth(world, "inspector")
    answer = client.get(f"{LIST}.csv?township_id=t1&key=true", headers=officer)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    listed = client.get(f"{LIST}?township_id=t1&key=true", headers=officer).get_json()["items"]
    assert [r["household_id"] for r in rows] == [i["household_id"] for i in listed]
    assert sorted(rows[0]) == sorted(listed[0])  # the API field names
    assert rows[0]["key_household"] == "True" and rows[0]["monitoring"] == ""

    answer = client.get(f"{LIST}.xlsx?township_id=t1", headers=officer)
    assert "分类台账" in load_workbook(io.BytesIO(answer.data)).sheetnames
    sheet = load_workbook(io.BytesIO(answer.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("户编号", "村", "乡镇")
    assert [row[0] for row in values[1:]] == ["h1", "h2", "h4", "h5"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:Q{len(values)}"  # 17 columns
    assert all(sheet.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJKLMNOPQ")


def test_the_findings_spreadsheet_has_chinese_headers_a_frozen_row_and_a_filter(
    world: World, client: FlaskClient
) -> None:
    _story(world)
    answer = client.get("/api/v1/findings-export?format=xlsx", headers=_auth(world, "inspector"))
    sheet = load_workbook(io.BytesIO(answer.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("问题编号", "对象类型") and values[1][0] == "f1"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:Q2"  # 17 columns
    assert values[0][-1] == "逾期整改"  # closed_late
