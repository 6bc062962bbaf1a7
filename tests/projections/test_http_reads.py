"""The read endpoints over HTTP: tokens and unit scope, query validation, replay, min_position."""
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


@pytest.fixture
def client(root: Root, world: World) -> FlaskClient:
    app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})
    return conforming(app).test_client()


def _auth(world: World, role: str, unit: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.ledger.create_token(f'{role}-1', role, unit)}"}


def _county(world: World) -> None:
    world.record("UnitRegistered", {"unit_id": "t1", "name": "Town", "kind": "township"})
    world.village("v1", parent_id="t1"), world.village("v2", parent_id="t1")
    world.person("p1"), world.household("h1"), world.household("h9", village_id="v2")
    world.finding("f1", due="2020-03-31", person_id="p1")
    world.finding("f2", subject_id="h9", unit_id="v2", due="2099-01-01", category="water")


def test_reads_need_a_token_and_viewers_read_only_within_their_unit(
    world: World, client: FlaskClient
) -> None:
    _county(world)
    world.project()
    assert client.get("/api/v1/households/h1").status_code == 401
    viewer = _auth(world, "viewer", "v1")
    assert client.get("/api/v1/households/h1", headers=viewer).status_code == 200
    assert client.get("/api/v1/households/h9", headers=viewer).status_code == 403
    township = _auth(world, "viewer", "t1")
    assert client.get("/api/v1/households/h9", headers=township).status_code == 200
    own = client.get("/api/v1/findings", headers=viewer).get_json()
    assert [f["finding_id"] for f in own["findings"]] == ["f1"]
    assert client.get("/api/v1/findings?unit_id=v2", headers=viewer).status_code == 403
    discipline = _auth(world, "discipline")
    everything = client.get("/api/v1/findings", headers=discipline).get_json()
    assert [c["unit_id"] for c in everything["counts_by_unit"]] == ["v1", "v2"]
    assert client.get("/api/v1/households/nope", headers=discipline).status_code == 404


def test_bad_query_arguments_are_422_naming_the_field(world: World, client: FlaskClient) -> None:
    _county(world)
    world.project()
    headers = _auth(world, "discipline")
    head = world.store.head()
    for url, field in [
        ("/api/v1/households/h1?as_of=yesterday", "as_of"),
        ("/api/v1/households/h1?as_of=2020-03-01T10:00:00", "as_of"),  # no time zone
        ("/api/v1/units/v1?valid_at=2020-13-01", "valid_at"),
        ("/api/v1/findings?overdue=maybe", "overdue"),
        ("/api/v1/findings?status=lost", "status"),
        ("/api/v1/findings?as_of=2020-03-01T10:00:00%2B08:00", "as_of"),  # replay needs a scope
        ("/api/v1/findings?colour=red", "colour"),
        ("/api/v1/people/p1/accountability?min_position=-1", "min_position"),
    ]:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 422, url
        assert field in answer.get_json()["error"]["details"]["fields"], url
    assert world.store.head() == head  # reading recorded nothing


def test_findings_filter_and_export_as_csv_and_xlsx(world: World, client: FlaskClient) -> None:
    _county(world)
    world.project()
    headers = _auth(world, "inspector")
    overdue = client.get("/api/v1/findings?overdue=true", headers=headers).get_json()
    assert [f["finding_id"] for f in overdue["findings"]] == ["f1"]
    water = client.get("/api/v1/findings?category=water&due_from=2098-01-01",
                       headers=headers).get_json()
    assert [f["finding_id"] for f in water["findings"]] == ["f2"]

    answer = client.get("/api/v1/findings-export?unit_id=v1", headers=headers)
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert [(r["finding_id"], r["overdue"]) for r in rows] == [("f1", "True")]
    answer = client.get("/api/v1/findings-export?format=xlsx", headers=headers)
    sheet = load_workbook(io.BytesIO(answer.data)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["问题编号", "f1", "f2"]


def test_min_position_waits_for_the_views_or_answers_503(
    world: World, client: FlaskClient
) -> None:
    _county(world)
    world.project()
    headers = _auth(world, "inspector")
    event = world.record("RectificationReported", {"finding_id": "f1", "description": "done"})
    behind = client.get(f"/api/v1/findings/f1?min_position={event.position}", headers=headers)
    assert behind.status_code == 503 and behind.headers["Retry-After"] == "1"
    assert client.get("/healthz").get_json()["projections"]["lag"] >= 1

    world.project()
    caught_up = client.get(f"/api/v1/findings/f1?min_position={event.position}",
                           headers=headers)
    assert caught_up.get_json()["status"] == "rectification_reported"
    assert client.get("/healthz").get_json()["projections"]["lag"] == 0


def test_history_unit_board_trail_and_scoring_answer_over_http(
    world: World, client: FlaskClient
) -> None:
    _county(world)
    for village, points in (("v1", 40), ("v2", 45)):
        world.record("ScoreRecorded", {"round_id": "2020-03", "village_id": village,
                                       "section": "household", "points": points},
                     actor=INSPECTOR)
    world.project()
    headers = _auth(world, "discipline")
    history = client.get("/api/v1/households/h1/history", headers=headers).get_json()
    assert [e["type"] for e in history["events"]] == ["HouseholdRegistered", "FindingRaised"]
    assert all(len(e["hash"]) == 64 for e in history["events"])
    board = client.get("/api/v1/units/v1", headers=headers).get_json()
    assert board["findings"]["open"] == ["f1"] and board["listed"] is False
    trail = client.get("/api/v1/people/p1/accountability?valid_at=2020-04-05",
                       headers=headers).get_json()
    assert [f["finding_id"] for f in trail["overdue_findings"]] == ["f1"]
    scoring = client.get("/api/v1/scoring/2020-03", headers=headers).get_json()
    assert [v["village_id"] for v in scoring["villages"]] == ["v2", "v1"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/people/{person_id}/accountability" in spec["paths"]
