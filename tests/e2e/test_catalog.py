"""What the log holds matches what the catalog publishes: every event's data validates
against the JSON Schema that `GET /api/v1/event-types` gives for its type."""
from __future__ import annotations

from jsonschema import Draft7Validator

from ledger.catalog import BY_NAME
from tests.e2e.conftest import HttpLedger
from tests.e2e.test_http_writes import REGISTRY, ev


def _catalog(http: HttpLedger) -> dict[str, dict]:
    answer = http.client.get("/api/v1/event-types",
                             headers={"Authorization": f"Bearer {http.reader}"})
    assert answer.status_code == 200, answer.get_json()
    return {t["type"]: t for t in answer.get_json()["event_types"]}


def test_every_logged_event_matches_its_published_schema(http: HttpLedger) -> None:
    admin = http.token("county-admin", "admin")
    inspector = http.token("insp-1", "inspector")
    assert http.batch(admin, REGISTRY).status_code == 201
    steps = [
        ev("InspectionRecorded", "2020-03-12T09:30:00+08:00", inspection_id="i1",
           subject_type="household", subject_id="h1", method="visit", inspector_ids=["insp-1"],
           checks={"housing": "unmet"}, income={"wage": 3000, "transfer": 1200.5}),
        ev("FindingRaised", "2020-03-12T10:00:00+08:00", finding_id="f1",
           subject_type="household", subject_id="h1", category="housing",
           description="roof leaks", responsible_unit_id="v1", due_date="2020-04-30"),
        ev("DeadlineExtended", "2020-04-20T10:00:00+08:00", finding_id="f1",
           new_due_date="2020-05-31", reason="rains", approved_by="p2"),
        ev("WarningIssued", "2020-03-31T10:00:00+08:00", warning_id="w1", unit_id="v1",
           color="yellow", period="2020-Q1", reason="visits not done", finding_ids=["f1"]),
        ev("WarningIssued", "2020-06-30T10:00:00+08:00", warning_id="w2", unit_id="v1",
           color="yellow", period="2020-Q2", reason="rectification falsified"),
        ev("WarningRevoked", "2020-07-02T10:00:00+08:00", warning_id="w1", reason="wrong unit"),
    ]
    for body in steps:
        answer = http.post(inspector, body)
        assert answer.status_code == 201, answer.get_json()

    catalog = _catalog(http)
    log = http.log()
    kinds = {e["type"] for e in log}
    assert {"InterviewRequired", "InterviewVoided", "FindingAttached", "YellowCardNoted",
            "YellowCardWithdrawn", "TokenIssued"} <= kinds
    for event in log:
        schema = catalog[event["type"]]["data_schema"]
        errors = [e.message for e in Draft7Validator(schema).iter_errors(event["data"])]
        assert errors == [], (event["type"], event["data"], errors)


def test_a_schema_that_does_not_fit_is_noticed(http: HttpLedger) -> None:
    """The check above can fail: data with a stray field or a missing one is refused."""
    schema = _catalog(http)["InterviewRequired"]["data_schema"]
    good = {"unit_id": "v1", "person_id": "p2", "warning_ids": ["w1", "w2"],
            "periods": ["2020-Q1", "2020-Q2"]}
    assert list(Draft7Validator(schema).iter_errors(good)) == []
    assert list(Draft7Validator(schema).iter_errors({**good, "extra": 1}))
    assert list(Draft7Validator(schema).iter_errors({"unit_id": "v1"}))


def test_the_endpoint_lists_the_catalog_as_declared(http: HttpLedger) -> None:
    listed = _catalog(http)
    assert set(listed) == set(BY_NAME)
    for name, entry in listed.items():
        declared = BY_NAME[name]
        assert entry["submitted_by"] == sorted(declared.writers), name
        assert entry["derived"] is declared.derived, name
        assert entry["description"] == declared.description, name
