"""Reads of a household's or a person's personal data leave a row in the read audit (who,
when, which subject, which route and request; never the data), and only the discipline
committee and admins list them."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger.tamper.signing import write_key_pair
from tests.e2e.conftest import HttpLedger

AUDIT = "/api/v1/audit/reads"
HEAD_NAME = "Wang Xiuying"
PERSON_NAME = "Zhao Min"
REGISTRY = [
    {"type": "UnitRegistered", "data": {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}},
    {"type": "UnitRegistered", "data": {"unit_id": "v2", "name": "Xiaowan", "kind": "village"}},
    {"type": "PersonRegistered",
     "data": {"person_id": "p1", "name": PERSON_NAME, "unit_id": "v1"}},
    {"type": "HouseholdRegistered",
     "data": {"household_id": "hh-1", "village_id": "v1", "head_name": HEAD_NAME, "size": 3,
              "category": "edge"}},
]


def _county(http: HttpLedger) -> dict[str, str]:
    tokens = {role: http.token(f"{role}-1", role) for role in ("admin", "discipline",
                                                               "inspector")}
    tokens["viewer-v2"] = http.token("viewer-2", "viewer", "v2")
    tokens["cadre-v1"] = http.token("cadre-1", "cadre", "v1")
    answer = http.batch(tokens["admin"], REGISTRY)
    assert answer.status_code == 201, answer.get_json()
    position = answer.get_json()["events"][-1]["position"]
    http.app.extensions["root"].runner().catch_up(position)
    return tokens


def _get(http: HttpLedger, path: str, token: str, request_id: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if request_id:
        headers["X-Request-Id"] = request_id
    return http.client.get(path, headers=headers)


def _reads(http: HttpLedger, token: str, subject_type: str, subject_id: str) -> Any:
    return _get(http, f"{AUDIT}?subject_type={subject_type}&subject_id={subject_id}", token)


def test_answered_reads_of_personal_data_are_listed_per_subject(http: HttpLedger) -> None:
    tokens = _county(http)
    before = len(http.log())
    status = _get(http, "/api/v1/households/hh-1", tokens["discipline"], "req-status-1")
    history = _get(http, "/api/v1/households/hh-1/history", tokens["inspector"])
    trail = _get(http, "/api/v1/people/p1/accountability", tokens["cadre-v1"], "req-trail-1")
    assert [a.status_code for a in (status, history, trail)] == [200, 200, 200]

    households = _reads(http, tokens["discipline"], "household", "hh-1")
    people = _reads(http, tokens["admin"], "person", "p1")
    assert households.status_code == 200 and people.status_code == 200
    # The committee's read of the log, which shows the head's name, comes first.
    log_read, *rows = households.get_json()["reads"]
    assert (log_read["actor"], log_read["route"]) == ("log-reader", "/api/v1/events")
    assert [(r["actor"], r["role"], r["route"]) for r in rows] == [
        ("discipline-1", "discipline", "/api/v1/households/<string:household_id>"),
        ("inspector-1", "inspector", "/api/v1/households/<string:household_id>/history"),
    ]
    assert rows[0]["request_id"] == "req-status-1"
    assert rows[1]["request_id"] == history.headers["X-Request-Id"]
    assert rows[0]["id"] < rows[1]["id"]
    assert households.get_json()["next_after"] == rows[1]["id"]
    _, person_read = people.get_json()["reads"]
    assert (person_read["actor"], person_read["subject_id"], person_read["request_id"]) == (
        "cadre-1", "p1", "req-trail-1")
    # The audit holds who and when, not what was read; and reads add nothing to the log.
    assert HEAD_NAME not in households.get_data(as_text=True)
    assert PERSON_NAME not in people.get_data(as_text=True)
    assert len(http.log()) == before


def test_refused_and_unknown_reads_are_not_recorded(http: HttpLedger) -> None:
    tokens = _county(http)
    outside = _get(http, "/api/v1/households/hh-1", tokens["viewer-v2"])
    unknown = _get(http, "/api/v1/households/hh-404", tokens["discipline"])
    assert outside.status_code == 403 and outside.get_json()["error"]["code"] == "forbidden"
    assert unknown.status_code == 404
    for subject in ("hh-1", "hh-404"):
        answer = _reads(http, tokens["discipline"], "household", subject)
        assert answer.get_json()["reads"] == []


@pytest.mark.parametrize("role", ["inspector", "viewer-v2", "cadre-v1"])
def test_only_the_committee_and_admins_list_the_reads(http: HttpLedger, role: str) -> None:
    tokens = _county(http)
    assert _get(http, "/api/v1/households/hh-1", tokens["discipline"]).status_code == 200
    answer = _reads(http, tokens[role], "household", "hh-1")
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"
    assert HEAD_NAME not in answer.get_data(as_text=True)


def test_a_bad_listing_names_its_fields(http: HttpLedger) -> None:
    tokens = _county(http)
    answer = _get(http, f"{AUDIT}?subject_type=unit&subject_id=a%20b&limit=0",
                  tokens["discipline"])
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "invalid"
    assert set(answer.get_json()["error"]["details"]["fields"]) == {
        "subject_type", "subject_id", "limit"}


def test_the_audit_refuses_update_and_delete_below_the_application(http: HttpLedger) -> None:
    tokens = _county(http)
    assert _get(http, "/api/v1/households/hh-1", tokens["discipline"]).status_code == 200
    datastore = http.app.extensions["root"].ledger.recorder.datastore
    for statement in ("UPDATE read_audit SET actor = 'someone-else'", "DELETE FROM read_audit"):
        with pytest.raises(Exception, match="append-only"):
            with datastore.transaction(commit=True) as cursor:
                cursor.execute(statement)
    [row] = _reads(http, tokens["discipline"], "household", "hh-1").get_json()["reads"]
    assert row["actor"] == "discipline-1"


def test_an_evidence_pack_about_a_person_is_an_audited_read(
    make_http: Callable[..., HttpLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_key_pair(tmp_path / "signing.pem", tmp_path / "signing.pem.pub")
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "signing.pem"))
    http = make_http()
    tokens = _county(http)
    pack = _get(http, "/api/v1/evidence/person/p1", tokens["discipline"], "req-pack-1")
    unit_pack = _get(http, "/api/v1/evidence/unit/v1", tokens["discipline"])
    assert pack.status_code == 200 and unit_pack.status_code == 200
    [row] = _reads(http, tokens["admin"], "person", "p1").get_json()["reads"]
    assert (row["actor"], row["route"], row["request_id"]) == (
        "discipline-1", "/api/v1/evidence/<string:subject_type>/<string:subject_id>",
        "req-pack-1")
