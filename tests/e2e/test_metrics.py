"""`GET /metrics`: Prometheus text with requests by route and status, write latency, events
appended, the log head, projection lag, the last verification and the last checkpoint's age;
for loopback clients by default, configurable."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ledger.tamper.signing import write_key_pair
from tests.e2e.conftest import HttpLedger

VILLAGE = {"type": "UnitRegistered",
           "data": {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}


def _samples(http: HttpLedger) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = http.client.get("/metrics")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True))
            for s in family.samples}


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_metrics_count_writes_and_read_the_log_views_and_verification(
    make_http: Callable[..., HttpLedger],
) -> None:
    http = make_http()
    admin = http.token("county-admin", "admin")
    assert http.post(admin, VILLAGE).status_code == 201
    assert http.post(admin, VILLAGE).status_code == 409
    assert http.batch(admin, [
        {"type": "UnitRegistered", "data": {"unit_id": f"v{i}", "name": "X", "kind": "village"}}
        for i in (2, 3)]).status_code == 201
    verified = http.client.get("/api/v1/ledger/verify",
                               headers={"Authorization": f"Bearer {admin}"})
    assert verified.status_code == 200 and verified.get_json()["ok"]
    head = http.app.extensions["ledger"].head()[0]

    samples = _samples(http)
    route = "/api/v1/events"
    assert _value(samples, "ledger_http_requests_total", route=route, method="POST",
                  status="201") == 1
    assert _value(samples, "ledger_http_requests_total", route=route, method="POST",
                  status="409") == 1
    assert _value(samples, "ledger_write_duration_seconds_count", route=route) == 2
    assert _value(samples, "ledger_write_duration_seconds_count", route=route + "/batch") == 1
    assert _value(samples, "ledger_events_appended_total") == 3
    assert _value(samples, "ledger_log_head_position") == head
    assert _value(samples, "ledger_projection_lag_events") == head - _value(
        samples, "ledger_projection_position")
    assert _value(samples, "ledger_verification_last_ok") == 1
    assert _value(samples, "ledger_verification_last_timestamp_seconds") > 0
    assert not any(name.startswith("ledger_checkpoint") for name, _ in samples)


def test_the_last_checkpoint_age_is_reported_when_checkpoints_are_on(
    make_http: Callable[..., HttpLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_key_pair(tmp_path / "signing.pem", tmp_path / "signing.pem.pub")
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "signing.pem"))
    http = make_http()
    admin = http.token("county-admin", "admin")
    assert http.post(admin, VILLAGE).status_code == 201
    checkpoint = http.app.extensions["checkpoints"].make()

    samples = _samples(http)
    assert _value(samples, "ledger_checkpoint_last_position") == checkpoint.position
    assert _value(samples, "ledger_checkpoint_last_age_seconds") >= 0


def test_metrics_are_for_loopback_clients_unless_configured(
    make_http: Callable[..., HttpLedger],
) -> None:
    default, everyone, off = make_http(), make_http(METRICS="on"), make_http(METRICS="off")
    refused = default.client.get("/metrics", environ_base=OUTSIDE)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert everyone.client.get("/metrics", environ_base=OUTSIDE).status_code == 200
    for client_environ in ({}, OUTSIDE):
        answer = off.client.get("/metrics", environ_base=client_environ)
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "not_found"
