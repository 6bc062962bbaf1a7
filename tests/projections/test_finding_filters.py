"""The findings ledger by subtree (township, county), by every person a finding was given to,
and by closed late; the export's closed_late column."""
from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient

from service.app import create_app
from service.root import Root
from tests.e2e.conformance import conforming
from tests.projections.conftest import INSPECTOR, World


@pytest.fixture
def client(root: Root, world: World) -> FlaskClient:
    app = create_app(root=root, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.1})
    return conforming(app).test_client()


def _county(world: World) -> None:
    world.record("UnitRegistered", {"unit_id": "c1", "name": "County", "kind": "county"})
    for town, county in (("t1", "c1"), ("t2", "c1")):
        world.record("UnitRegistered", {"unit_id": town, "name": town, "kind": "township",
                                        "parent_id": county})
    world.village("v1", parent_id="t1"), world.village("v2", parent_id="t2")
    world.person("p1"), world.person("p2")
    world.household("h1"), world.household("h2", village_id="v2")
    world.finding("f1", due="2020-03-31", person_id="p1")  # a household of t1's village
    world.finding("f2", subject_id="h2", unit_id="v2", due="2020-03-31")
    world.record("FindingRaised", {  # on t1 itself, answered for by t2
        "finding_id": "f3", "subject_type": "unit", "subject_id": "t1", "category": "data",
        "description": "late reports", "responsible_unit_id": "t2", "due_date": "2020-03-31"},
        "2020-03-01", INSPECTOR)
    world.record("FindingTransferred", {"finding_id": "f1", "to_unit_id": "t1",
                                        "to_person_id": "p2", "reason": "township's"},
                 "2020-03-10", INSPECTOR)
    for finding_id, closed_on in (("f1", "2020-04-05"), ("f2", "2020-03-20")):
        world.record("RectificationReported", {"finding_id": finding_id, "description": "done"},
                     closed_on)
        world.record("RectificationVerified", {"finding_id": finding_id, "accepted": True,
                                               "note": "seen"}, closed_on, INSPECTOR)


def _ids(client: FlaskClient, headers: dict[str, str], query: str) -> list[str]:
    answer = client.get(f"/api/v1/findings?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [f["finding_id"] for f in answer.get_json()["findings"]]


def test_findings_by_subtree_person_and_lateness(world: World, client: FlaskClient) -> None:
    _county(world)
    world.project()
    headers = {"Authorization": f"Bearer {world.ledger.create_token('jw', 'discipline')}"}
    assert _ids(client, headers, "township_id=t1") == ["f1", "f3"]
    assert _ids(client, headers, "township_id=t2") == ["f2", "f3"]
    assert _ids(client, headers, "county_id=c1") == ["f1", "f2", "f3"]
    assert _ids(client, headers, "county_id=c1&township_id=t2&subject_type=household") == ["f2"]
    assert _ids(client, headers, "person_id=p1") == ["f1"]  # given to p2 since
    assert _ids(client, headers, "person_id=p2") == ["f1"]
    assert _ids(client, headers, "closed_late=true") == ["f1"]
    assert _ids(client, headers, "closed_late=false") == ["f2", "f3"]
    assert _ids(client, headers, "township_id=t1&valid_at=2020-03-05") == ["f1", "f3"]
    export = client.get("/api/v1/findings-export?county_id=c1", headers=headers)
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    late = rows[0].index("closed_late")
    assert [(r[0], r[late]) for r in rows[1:]] == [
        ("f1", "True"), ("f2", "False"), ("f3", "False")]


def test_an_unknown_or_unreadable_subtree_is_refused(world: World, client: FlaskClient) -> None:
    _county(world)
    world.project()
    discipline = {"Authorization": f"Bearer {world.ledger.create_token('jw', 'discipline')}"}
    assert client.get("/api/v1/findings?township_id=nope", headers=discipline).status_code == 404
    answer = client.get("/api/v1/findings?closed_late=maybe", headers=discipline)
    assert answer.status_code == 422 and "closed_late" in str(answer.get_json())
    viewer = {"Authorization": f"Bearer {world.ledger.create_token('v', 'viewer', 'v1')}"}
    assert client.get("/api/v1/findings?township_id=t2", headers=viewer).status_code == 403
