"""Writes over HTTP: the full supervision cycle, answer shapes, batches, idempotency, discovery."""
from __future__ import annotations

from datetime import datetime

from tests.e2e.conftest import EVENTS, HttpLedger

ANSWER_KEYS = {"event_id", "type", "position", "occurred_at", "recorded_at", "actor", "hash"}


def ev(type_: str, occurred_at: str, **data: object) -> dict:
    return {"type": type_, "occurred_at": occurred_at, "data": data}


REGISTRY = [
    ev("UnitRegistered", "2020-01-02T09:00:00+08:00", unit_id="t1", name="Gaozhuang",
       kind="township"),
    ev("UnitRegistered", "2020-01-02T09:01:00+08:00", unit_id="v1", name="Sanjiayu",
       kind="village", parent_id="t1"),
    ev("PersonRegistered", "2020-01-02T09:02:00+08:00", person_id="p1", name="Wang Li",
       unit_id="v1"),
    ev("PersonRegistered", "2020-01-02T09:03:00+08:00", person_id="p2", name="Zhao Min",
       unit_id="v1"),
    ev("PersonRegistered", "2020-01-02T09:03:30+08:00", person_id="insp-1", name="Sun Qiang",
       unit_id="t1"),
    ev("HouseholdRegistered", "2020-01-02T09:04:00+08:00", household_id="h1", village_id="v1",
       head_name="Li Si", size=4, category="registered_poor"),
    ev("ResponsibilityAssigned", "2020-01-02T09:05:00+08:00", person_id="p1", role="helper_cadre",
       subject_type="household", subject_id="h1", effective_from="2020-01-01"),
    ev("ResponsibilityAssigned", "2020-01-02T09:06:00+08:00", person_id="p2",
       role="village_secretary", subject_type="unit", subject_id="v1", effective_from="2020-01-01"),
]


def _created(answer, actor: str) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert ANSWER_KEYS <= set(body)
    assert body["actor"] == actor
    assert isinstance(body["position"], int)
    assert len(body["hash"]) >= 32
    datetime.fromisoformat(body["occurred_at"])
    datetime.fromisoformat(body["recorded_at"])
    return body


def test_the_full_cycle_over_http(http: HttpLedger) -> None:
    admin = http.token("county-admin", "admin")
    inspector = http.token("insp-1", "inspector")
    cadre = http.token("cadre-v1", "cadre", "v1")
    answers = [_created(http.post(admin, body), "county-admin") for body in REGISTRY]
    steps = [
        (inspector, "insp-1", ev("InspectionRecorded", "2020-03-12T09:30:00+08:00",
                                 inspection_id="i1", subject_type="household", subject_id="h1",
                                 method="unannounced", inspector_ids=["insp-1"])),
        (inspector, "insp-1", ev("FindingRaised", "2020-03-12T10:00:00+08:00", finding_id="f1",
                                 subject_type="household", subject_id="h1", category="housing",
                                 description="roof leaks", responsible_unit_id="v1",
                                 due_date="2020-04-30", inspection_id="i1")),
        (cadre, "cadre-v1", ev("RectificationReported", "2020-03-20T10:00:00+08:00",
                               finding_id="f1", description="roof repaired")),
        (inspector, "insp-1", ev("RectificationVerified", "2020-03-25T10:00:00+08:00",
                                 finding_id="f1", accepted=False, note="still leaks")),
        (cadre, "cadre-v1", ev("RectificationReported", "2020-04-02T10:00:00+08:00",
                               finding_id="f1", description="roof replaced")),
        (inspector, "insp-1", ev("RectificationVerified", "2020-04-05T10:00:00+08:00",
                                 finding_id="f1", accepted=True, note="dry")),
        (inspector, "insp-1", ev("WarningIssued", "2020-03-31T10:00:00+08:00", warning_id="w1",
                                 unit_id="v1", color="yellow", period="2020-Q1",
                                 reason="visits not done")),
        (inspector, "insp-1", ev("WarningIssued", "2020-06-30T10:00:00+08:00", warning_id="w2",
                                 unit_id="v1", color="yellow", period="2020-Q2",
                                 reason="rectification falsified")),
    ]
    for token, actor, body in steps:
        answers.append(_created(http.post(token, body), actor))

    assert [a["type"] for a in answers] == [b["type"] for b in REGISTRY] + [
        s[2]["type"] for s in steps
    ]
    positions = [a["position"] for a in answers]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert answers[-1]["occurred_at"].startswith("2020-06-30")

    interviews = [c for c in answers[-1]["consequences"] if c["type"] == "InterviewRequired"]
    assert len(interviews) == 1 and interviews[0]["actor"] == "system"
    assert interviews[0]["position"] > answers[-1]["position"]
    assert not any(c["type"] == "InterviewRequired" for c in answers[-2]["consequences"])

    log = http.log()
    by_position = {e["position"]: e for e in log}
    for answer in answers:
        logged = by_position[answer["position"]]
        assert {k: logged[k] for k in ANSWER_KEYS} == {k: answer[k] for k in ANSWER_KEYS}
    assert [e["type"] for e in log].count("InterviewRequired") == 1


def test_batch_answers_events_in_order_and_records_them_all(http: HttpLedger) -> None:
    admin = http.token("county-admin", "admin")
    before = http.log()
    answer = http.batch(admin, REGISTRY)

    assert answer.status_code == 201, answer.get_json()
    events = answer.get_json()["events"]
    assert [e["type"] for e in events] == [b["type"] for b in REGISTRY]
    for event in events:
        assert ANSWER_KEYS <= set(event) and event["actor"] == "county-admin"
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and positions[0] > before[-1]["position"]
    recorded = {e["position"] for e in http.log()[len(before):]}
    assert set(positions) <= recorded


def test_an_idempotent_retry_answers_the_first_answer_and_records_nothing(
    http: HttpLedger,
) -> None:
    admin = http.token("county-admin", "admin")
    headers = {"Idempotency-Key": "register-t1"}
    first = http.post(admin, REGISTRY[0], headers)
    assert first.status_code == 201, first.get_json()
    log = http.log()

    retry = http.post(admin, REGISTRY[0], headers)

    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert http.log() == log


def test_event_types_list_every_contract_type_with_its_data_schema(http: HttpLedger) -> None:
    viewer = http.token("viewer-1", "viewer", "v1")
    answer = http.client.get("/api/v1/event-types", headers={"Authorization": f"Bearer {viewer}"})

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    listed = body if isinstance(body, list) else body.get("event_types", body.get("types"))
    by_name = {t.get("type", t.get("name")): t for t in listed}
    contract = {
        "UnitRegistered", "PersonRegistered", "HouseholdRegistered", "HouseholdFactsRecorded",
        "ResponsibilityAssigned", "ResponsibilityEnded", "UnitListed", "UnitDelisted",
        "InspectionRecorded", "FindingRaised", "RectificationReported", "RectificationVerified",
        "DeadlineExtended", "FindingWithdrawn", "WarningIssued", "WarningRevoked",
        "InterviewRequired", "InterviewHeld", "AccountabilityMeasureTaken", "ScoreRecorded",
        "DisputeOpened", "DisputeResolved",
    }
    assert contract <= set(by_name)
    for name in contract:
        schema = by_name[name]["data_schema"]
        assert schema["type"] == "object" and schema["properties"], name
    assert "finding_id" in by_name["FindingRaised"]["data_schema"]["required"]


def test_a_retry_without_occurred_at_still_answers_the_first_answer(http: HttpLedger) -> None:
    admin = http.token("county-admin", "admin")
    body = {"type": "UnitRegistered", "data": {"unit_id": "t1", "name": "Gaozhuang",
                                                 "kind": "township"}}
    first = http.post(admin, body, {"Idempotency-Key": "no-time"})
    assert first.status_code == 201, first.get_json()
    log = http.log()
    reordered = {"data": {"kind": "township", "name": "Gaozhuang", "unit_id": "t1"},
                 "type": "UnitRegistered"}
    retry = http.post(admin, reordered, {"Idempotency-Key": "no-time"})
    assert (retry.status_code, retry.get_json()) == (201, first.get_json())
    assert http.log() == log


def test_an_idempotent_batch_survives_a_restart(make_http) -> None:  # type: ignore[no-untyped-def]
    http = make_http()
    admin = http.token("county-admin", "admin")
    first = http.batch(admin, REGISTRY, {"Idempotency-Key": "registry-1"})
    assert first.status_code == 201, first.get_json()
    log = http.log()
    http.app.extensions["root"].close()

    restarted = make_http()
    retry = restarted.batch(admin, REGISTRY, {"Idempotency-Key": "registry-1"})
    assert (retry.status_code, retry.get_json()) == (201, first.get_json())
    assert restarted.log()[: len(log)] == log
    assert [e["type"] for e in restarted.log()[len(log):]] == ["TokenIssued"]  # its reader
    changed = restarted.batch(admin, REGISTRY[:1], {"Idempotency-Key": "registry-1"})
    assert changed.status_code == 409
    assert changed.get_json()["error"]["code"] == "idempotency_key_reused"


def test_openapi_documents_the_writes(http: HttpLedger) -> None:
    openapi = http.client.get("/api/v1/openapi.json")
    assert openapi.status_code == 200
    document = openapi.get_json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    for path in ("/api/v1/events", "/api/v1/events/batch"):
        post = document["paths"][path]["post"]
        assert "application/json" in post["requestBody"]["content"], path
        assert "201" in post["responses"], path
    assert "get" in document["paths"]["/api/v1/events"]
    assert document["components"]["schemas"]


def test_health_needs_no_token_but_the_log_does(http: HttpLedger) -> None:
    health = http.client.get("/healthz")
    assert health.status_code == 200
    log = http.client.get(EVENTS)
    assert log.status_code == 401
    assert log.get_json()["error"]["code"] == "unauthorized"
