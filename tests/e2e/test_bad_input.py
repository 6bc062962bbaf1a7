"""Bad input over HTTP: each case gets its status, error code and field, and records nothing."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

import pytest

from tests.e2e.conftest import EVENTS, HttpLedger


def ev(type_: str, **data: Any) -> dict:
    return {"type": type_, "data": data}


def finding(finding_id: str, subject_id: str = "h1", **extra: Any) -> dict:
    return ev("FindingRaised", finding_id=finding_id, subject_type="household",
              subject_id=subject_id, category="housing", description="roof leaks",
              responsible_unit_id="v1", due_date="2099-04-30", **extra)


# f1 open, f2 closed, f3 open and never reported; v1 listed; p1 helps h1 from 1 March.
WORLD = [
    ev("UnitRegistered", unit_id="t1", name="Gaozhuang", kind="township"),
    ev("UnitRegistered", unit_id="v1", name="Sanjiayu", kind="village", parent_id="t1"),
    ev("UnitRegistered", unit_id="v2", name="Lijiazhuang", kind="village", parent_id="t1"),
    ev("HouseholdRegistered", household_id="h1", village_id="v1", head_name="Li Si", size=4,
       category="registered_poor"),
    ev("UnitListed", unit_id="v1", level="city"),
    ev("PersonRegistered", person_id="p1", name="Wang Li", unit_id="v1"),
    ev("ResponsibilityAssigned", person_id="p1", role="helper_cadre", subject_type="household",
       subject_id="h1", effective_from="2020-03-01"),
    finding("f1"),
    finding("f2"),
    finding("f3"),
    ev("RectificationReported", finding_id="f2", description="roof repaired"),
    ev("RectificationVerified", finding_id="f2", accepted=True, note="dry"),
]

GOOD_UNIT = ev("UnitRegistered", unit_id="v9", name="Xincun", kind="village", parent_id="t1")


@dataclass
class Case:
    id: str
    body: Any
    status: int
    code: str
    field: str | None = None  # named in details.fields (422) or details.field (domain errors)
    who: str = "admin"  # a token name from _tokens, or "none" / "bad"
    headers: dict[str, str] = default(default_factory=dict)
    path: str = EVENTS
    config: dict[str, Any] = default(default_factory=dict)
    prepare: Callable[[HttpLedger, str], Any] | None = None
    details: dict[str, Any] = default(default_factory=dict)  # further entries of details


def _same_key_first(http: HttpLedger, token: str) -> None:
    first = http.post(token, GOOD_UNIT, {"Idempotency-Key": "k-reused"})
    assert first.status_code == 201, first.get_json()


CASES = [
    Case("malformed-json", '{"type": "UnitRegistered", "data": {', 400, "unreadable_body"),
    Case("json-nested-too-deeply", '{"type": "UnitRegistered", "data": ' + "[" * 100_000
         + "]" * 100_000 + "}", 400, "unreadable_body", "body"),
    Case("text-plain", GOOD_UNIT, 400, "unreadable_body", headers={"Content-Type": "text/plain"}),
    Case("json-list-body", [GOOD_UNIT], 422, "invalid", "body"),
    Case("wrong-type", ev("HouseholdRegistered", household_id="h2", village_id="v1",
                          head_name="Zhang", size="four", category="edge"),
         422, "invalid", "data.size"),
    Case("unknown-top-level-actor", {**GOOD_UNIT, "actor": "someone-else"},
         422, "invalid", "actor"),
    Case("unknown-data-field", ev("UnitRegistered", unit_id="v9", name="Xincun", kind="village",
                                  colour="red"), 422, "invalid", "data.colour"),
    Case("missing-required", ev("UnitRegistered", unit_id="v9", kind="village"),
         422, "invalid", "data.name"),
    Case("oversized-body", ev("UnitRegistered", unit_id="v9", kind="village", name="x" * 3000),
         413, "too_large", config={"MAX_CONTENT_LENGTH": 2048}),
    Case("description-too-long", {**finding("f9"), "data": {**finding("f9")["data"],
                                                              "description": "x" * 4001}},
         422, "invalid", "data.description"),
    Case("unparseable-due-date", {**finding("f9"), "data": {**finding("f9")["data"],
                                                              "due_date": "end of April"}},
         422, "invalid", "data.due_date"),
    Case("naive-occurred-at", {**GOOD_UNIT, "occurred_at": "2020-03-12T09:30:00"},
         422, "invalid", "occurred_at"),
    Case("future-occurred-at", {**GOOD_UNIT, "occurred_at": "2999-01-01T00:00:00+08:00"},
         422, "invalid", "occurred_at"),
    Case("id-with-space", ev("UnitRegistered", unit_id="v 9", name="Xincun", kind="village"),
         422, "invalid", "data.unit_id"),
    Case("unknown-type", ev("FindingInvented", finding_id="f9"), 422, "invalid", "type"),
    Case("client-interview-required", ev("InterviewRequired", unit_id="v1"),
         422, "invalid", "type"),
    Case("verified-before-report", ev("RectificationVerified", finding_id="f3", accepted=True,
                                      note="looks fine"), 409, "invalid_transition",
         who="inspector"),
    Case("verify-closed-finding", ev("RectificationVerified", finding_id="f2", accepted=True,
                                     note="again"), 409, "invalid_transition", who="inspector"),
    Case("delist-with-open-finding", ev("UnitDelisted", unit_id="v1"), 409, "conflict",
         who="inspector"),
    Case("no-token", GOOD_UNIT, 401, "unauthorized", who="none"),
    Case("no-token-and-no-json", GOOD_UNIT, 401, "unauthorized", who="none",
         headers={"Content-Type": "text/plain"}),
    Case("no-token-batch-without-body", "", 401, "unauthorized", who="none",
         headers={"Content-Type": ""}, path=EVENTS + "/batch"),
    Case("score-over-its-section", ev("ScoreRecorded", round_id="r1", village_id="v1",
                                      section="group", points=25), 422, "invalid",
         "data.points"),
    Case("bad-token", GOOD_UNIT, 401, "unauthorized", who="bad"),
    Case("token-with-a-char-too-many", GOOD_UNIT, 401, "unauthorized", who="admin+x"),
    Case("basic-instead-of-bearer", GOOD_UNIT, 401, "unauthorized", who="admin",
         headers={"Authorization": "Basic Y291bnR5LWFkbWluOnNlY3JldA=="}),
    Case("viewer-writes", GOOD_UNIT, 403, "forbidden", who="viewer"),
    Case("inspector-registers-unit", GOOD_UNIT, 403, "forbidden", who="inspector"),
    Case("cadre-of-other-unit", ev("RectificationReported", finding_id="f1",
                                   description="fixed"), 403, "forbidden", who="cadre-v2"),
    Case("finding-for-missing-household", finding("f9", subject_id="h404"),
         404, "not_found", "subject_id", who="inspector"),
    Case("idempotency-key-reused", GOOD_UNIT | {"data": {**GOOD_UNIT["data"], "name": "Other"}},
         409, "idempotency_key_reused", headers={"Idempotency-Key": "k-reused"},
         prepare=_same_key_first),
    Case("unparseable-occurred-at", {**GOOD_UNIT, "occurred_at": "yesterday"},
         422, "invalid", "occurred_at"),
    Case("invalid-calendar-date", {**finding("f9"), "data": {**finding("f9")["data"],
                                                               "due_date": "2020-02-30"}},
         422, "invalid", "data.due_date"),
    Case("data-not-an-object", {"type": "UnitRegistered", "data": "v9"}, 422, "invalid", "data"),
    Case("type-not-a-string", {"type": 5, "data": {}}, 422, "invalid", "type"),
    Case("missing-type", {"data": GOOD_UNIT["data"]}, 422, "invalid", "type"),
    Case("boolean-for-integer", ev("HouseholdRegistered", household_id="h2", village_id="v1",
                                   head_name="Zhang", size=True, category="edge"),
         422, "invalid", "data.size"),
    Case("client-sets-recorded-at", {**GOOD_UNIT, "recorded_at": "2020-01-01T00:00:00+00:00"},
         422, "invalid", "recorded_at"),
    Case("actor-inside-data", ev("UnitRegistered", unit_id="v9", name="Xincun", kind="village",
                                 actor="someone-else"), 422, "invalid", "data.actor"),
    Case("nul-in-text", ev("UnitRegistered", unit_id="v9", name="Xin\u0000cun", kind="village"),
         422, "invalid", "data.name"),
    Case("unpaired-surrogate",
         '{"type": "UnitRegistered", "data": {"unit_id": "v9", "name": "Xin\\ud800cun", '
         '"kind": "village"}}', 422, "invalid", "data.name"),
    Case("id-too-long", ev("UnitRegistered", unit_id="v" * 65, name="Xincun", kind="village"),
         422, "invalid", "data.unit_id"),
    Case("bad-idempotency-key", GOOD_UNIT, 422, "invalid", "Idempotency-Key",
         headers={"Idempotency-Key": "has spaces in it"}),
    Case("unit-registered-twice", ev("UnitRegistered", unit_id="v1", name="Sanjiayu",
                                     kind="village"), 409, "already_exists", "unit_id"),
    Case("inspector-takes-measure", ev("AccountabilityMeasureTaken", person_id="p1",
                                       measure="reminder_talk", basis=["e:1"], note="n"),
         403, "forbidden", who="inspector"),
    Case("responsibility-ends-before-it-began",
         ev("ResponsibilityEnded", person_id="p1", role="helper_cadre", subject_type="household",
            subject_id="h1", effective_to="2020-02-29"), 422, "invalid", "effective_to"),
    Case("empty-batch", {"events": []}, 422, "invalid", "events", path=EVENTS + "/batch"),
    Case("batch-third-event-not-found",
         {"events": [GOOD_UNIT, ev("UnitRegistered", unit_id="v8", name="Ba", kind="village"),
                     ev("HouseholdRegistered", household_id="h2", village_id="v404",
                        head_name="Zhang", size=2, category="edge")]},
         404, "not_found", "village_id", path=EVENTS + "/batch", details={"index": 2}),
    Case("batch-second-event-bad", {"events": [GOOD_UNIT, ev("UnitRegistered", unit_id="v8",
                                                             kind="village")]},
         422, "invalid", "events.1.data.name", path=EVENTS + "/batch"),
]


def _tokens(http: HttpLedger) -> dict[str, str]:
    admin = http.token("county-admin", "admin")
    return {
        "admin": admin,
        "admin+x": admin + "x",
        "inspector": http.token("insp-1", "inspector"),
        "cadre-v2": http.token("cadre-v2", "cadre", "v2"),
        "bad": "lgr_not-a-token-anyone-was-given",
        "viewer": http.token("viewer-1", "viewer", "village-1"),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_and_records_nothing(
    make_http: Callable[..., HttpLedger], case: Case
) -> None:
    http = make_http(**case.config)
    tokens = _tokens(http)
    world = http.batch(tokens["admin"], WORLD)
    assert world.status_code == 201, world.get_json()
    if case.prepare:
        case.prepare(http, tokens["admin"])
    before = http.log()

    answer = http.post(tokens.get(case.who), case.body, case.headers, path=case.path)

    assert answer.status_code == case.status, answer.get_data(as_text=True)
    error = answer.get_json()["error"]
    assert error["code"] == case.code
    assert error["message"]
    if case.field is not None:
        details = error["details"]
        named = set(details.get("fields", {})) | {details.get("field")}
        assert case.field in named, details
    assert case.details.items() <= error["details"].items(), error["details"]
    assert http.log() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=1001", "limit"), ("after=-1", "after"), ("after=x", "after"),
     ("since=3", "since")],
)
def test_bad_log_queries_name_the_parameter(http: HttpLedger, query: str, field: str) -> None:
    answer = http.client.get(f"{EVENTS}?{query}",
                             headers={"Authorization": f"Bearer {http.reader}"})
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["details"]["fields"]


def test_a_position_beyond_64_bits_is_invalid_not_a_server_error(http: HttpLedger) -> None:
    for query in (f"after={2**63}", f"after={2**63 - 1}"):
        answer = http.client.get(f"{EVENTS}?{query}",
                                 headers={"Authorization": f"Bearer {http.reader}"})
        expected = 422 if query.endswith(str(2**63)) else 200
        assert answer.status_code == expected, (query, answer.get_json())
