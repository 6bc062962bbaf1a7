"""`GET /metrics` in Prometheus' text format (prometheus-client), without a token.

Counted as requests pass: requests by route, method and status; write latency; events in the
answers of writes. Read when scraped: the head of the log, how far the views are behind it, the
last signed checkpoint (its age; a checkpoint is only signed after the log verified) and the
last verification this service ran (`GET /api/v1/ledger/verify`).

Who may scrape is a setting (`METRICS`, from LEDGER_METRICS): `loopback` (the default: only
clients on this machine, as the socket or a trusted proxy names them), `on` (anyone) or `off`.
Several gunicorn workers each count alone unless PROMETHEUS_MULTIPROC_DIR names an empty
directory before they start: then every worker writes its counts there and a scrape, whichever
worker answers it, adds them up (prometheus-client's multiprocess mode)."""
from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_smorest import abort
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from api.openapi import LedgerBlueprint

WRITE_ENDPOINTS = ("events.record_event", "events.record_batch")
VERIFY_ENDPOINT = "ledger.verify"
MODES = ("loopback", "on", "off")

blp = LedgerBlueprint("metrics", __name__, description="Operations")


class Metrics:
    """One app's instruments, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ledger_http_requests", "HTTP requests answered, by route template and status",
            ["route", "method", "status"], registry=self.registry)
        self.write_seconds = Histogram(
            "ledger_write_duration_seconds", "time to answer a write (POST /events, /batch)",
            ["route"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.appended = Counter(
            "ledger_events_appended",
            "events in 201 answers to writes, consequences included (an idempotent replay "
            "answers again and counts again; ledger_log_head_position is the log's own count)",
            registry=self.registry)
        self.verification_ok = Gauge(
            "ledger_verification_last_ok", "1 if the last verification this service ran "
            "passed, 0 if it failed", registry=self.registry, multiprocess_mode="mostrecent")
        self.verification_time = Gauge(
            "ledger_verification_last_timestamp_seconds", "when this service last verified "
            "the log (Unix time)", registry=self.registry, multiprocess_mode="mostrecent")

    def observe(self, response: Response) -> None:
        endpoint = request.endpoint or ""
        route = request.url_rule.rule if request.url_rule else "unmatched"
        self.requests.labels(route, request.method, str(response.status_code)).inc()
        if endpoint in WRITE_ENDPOINTS:
            self.write_seconds.labels(route).observe(time.perf_counter() - g.started)
            if response.status_code == 201:
                self.appended.inc(_events_in(response.get_json(silent=True)))
        elif endpoint == VERIFY_ENDPOINT and response.status_code == 200:
            report = response.get_json(silent=True) or {}
            self.verification_ok.set(1 if report.get("ok") else 0)
            self.verification_time.set(time.time())


def _events_in(answer: Any) -> int:
    answers = answer.get("events", [answer]) if isinstance(answer, dict) else []
    return sum(1 + len(a.get("consequences") or []) for a in answers if isinstance(a, dict))


class LiveState(Collector):
    """What is read from the database when scraped, so every worker tells the same."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = self.app.extensions["views"].lag()
        yield GaugeMetricFamily("ledger_log_head_position", "position of the last event "
                                "in the log", value=lag["head"])
        yield GaugeMetricFamily("ledger_projection_position", "position the views have "
                                "folded up to", value=lag["position"])
        yield GaugeMetricFamily("ledger_projection_lag_events", "events appended and not "
                                "yet in the views", value=lag["lag"])
        latest = self.app.extensions["checkpoints"].latest()
        if latest is not None:
            signed = datetime.fromisoformat(latest.signed_at).timestamp()
            yield GaugeMetricFamily("ledger_checkpoint_last_age_seconds", "seconds since the "
                                    "last signed checkpoint (signed only after the log "
                                    "verified)", value=time.time() - signed)
            yield GaugeMetricFamily("ledger_checkpoint_last_position", "log position the last "
                                    "signed checkpoint covers", value=latest.position)


def _client_is_loopback() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@blp.get("/metrics")
@blp.response(200, {"type": "string"}, content_type="text/plain",
              description="Prometheus text format, version 0.0.4")
@blp.errors(403, 404, 503)
@blp.doc(security=[])
def metrics():
    """Counters and gauges for Prometheus. No token; by default only for loopback clients."""
    mode = current_app.config["METRICS"]
    if mode == "off":
        abort(404, message="metrics are off (LEDGER_METRICS=off)")
    if mode == "loopback" and not _client_is_loopback():
        abort(403, message="metrics are served to clients on this machine only "
                           "(LEDGER_METRICS=loopback)")
    app_metrics: Metrics = current_app.extensions["metrics"]
    registry = app_metrics.registry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    registry_body = generate_latest(registry)
    live = CollectorRegistry()
    live.register(LiveState(current_app._get_current_object()))  # type: ignore[attr-defined]
    return Response(registry_body + generate_latest(live),
                    content_type=CONTENT_TYPE_PLAIN_0_0_4)


def install_metrics(app: Flask) -> Metrics:
    """Count every answer of `app`; the scrape route is the blueprint above."""
    if app.config["METRICS"] not in MODES:
        raise ValueError(f"METRICS must be one of {', '.join(MODES)}")
    instruments = Metrics()
    app.extensions["metrics"] = instruments

    @app.after_request
    def count(response: Response) -> Response:
        instruments.observe(response)
        return response

    return instruments
