"""Every date and moment a request carries lies within 1900-01-01..2999-12-31: outside, the
answer is 422 naming the field (the console: its 400 page), never a 500."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.root import Root
from tests.projections.conftest import make_world
from tests.protection.conftest import signed_in

# Every read whose query takes a date or a moment, on the small world below.
DATED_READS = ["/api/v1/units/v1", "/api/v1/households/h1", "/api/v1/households/h1/history",
               "/api/v1/findings/f1", "/api/v1/findings?unit_id=v1",
               "/api/v1/findings-export?unit_id=v1", "/api/v1/people/p1/accountability",
               "/api/v1/ratings/2020Q1", "/api/v1/evidence/household/h1"]
DATE_PARAMETERS = {"valid_at": "date", "as_of": "moment", "due_from": "date", "due_to": "date"}


@pytest.fixture
def client(sqlite_root: Root, sqlite_app: Flask) -> FlaskClient:
    world = make_world(sqlite_root)
    world.village("v1"), world.person("p1"), world.household("h1")
    world.finding("f1", person_id="p1")
    world.project()
    token = sqlite_root.ledger.create_token("jiwei-1", "discipline", None)
    client = sqlite_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _separator(path: str) -> str:
    return "&" if "?" in path else "?"


@pytest.mark.parametrize("path", DATED_READS)
def test_a_date_past_2999_is_refused_with_422_naming_it(client: FlaskClient, path: str) -> None:
    answer = client.get(f"{path}{_separator(path)}valid_at=9999-12-31")
    if path.startswith("/api/v1/evidence"):  # takes no valid_at: refused as unknown
        assert answer.status_code == 422
        return
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert "valid_at" in answer.get_json()["error"]["details"]["fields"]
    moment = client.get(f"{path}{_separator(path)}as_of=0001-01-01T00:00:00%2B08:00")
    assert moment.status_code == 422, moment.get_data(as_text=True)


def test_the_last_and_first_days_allowed_are_answered(client: FlaskClient) -> None:
    # On the first day the village was not registered yet; on the last it is.
    assert client.get("/api/v1/units/v1?valid_at=1900-01-01").status_code == 404
    assert client.get("/api/v1/units/v1?valid_at=2999-12-31").status_code == 200
    assert client.get("/api/v1/units/v1?as_of=2999-12-31T23:00:00%2B00:00").status_code == 200


def test_the_console_refuses_a_date_out_of_bounds_with_its_page(
        sqlite_root: Root, sqlite_app: Flask) -> None:
    client = signed_in(sqlite_app, sqlite_root.ledger.create_token("jiwei-2", "discipline", None))
    make_world(sqlite_root).village("v1")
    for query in ("valid_at=9999-12-31", "as_of=9999-12-31T23:00", "valid_at=0001-01-01"):
        answer = client.get(f"/units/v1?{query}")
        assert answer.status_code == 400, (query, answer.status_code)
        assert "回放日期须在" in answer.get_data(as_text=True)


def _day_text() -> st.SearchStrategy[str]:
    return st.one_of(st.dates().map(date.isoformat),
                     st.text(alphabet="0123456789-:T+Z ", max_size=25))


def _moment_text() -> st.SearchStrategy[str]:
    zones = st.integers(min_value=-23, max_value=23).map(lambda h: timezone(timedelta(hours=h)))
    return st.one_of(st.datetimes(timezones=zones).map(datetime.isoformat),
                     st.text(alphabet="0123456789-:T+Z ", max_size=25))


@settings(max_examples=80, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(DATED_READS[:-1]), name=st.sampled_from(sorted(DATE_PARAMETERS)),
       data=st.data())
def test_any_date_parameter_is_answered_or_refused_never_a_500(
        client: FlaskClient, path: str, name: str, data: st.DataObject) -> None:
    kind = DATE_PARAMETERS[name]
    value = data.draw(_day_text() if kind == "date" else _moment_text())
    answer = client.get(path + _separator(path) + urlencode({name: value}))
    assert answer.status_code in (200, 404, 422), (path, name, value, answer.status_code)
    if answer.status_code == 422:
        assert "error" in answer.get_json()
