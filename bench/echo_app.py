"""The floor for the write benchmark: bare Flask + marshmallow, validating and echoing.

`POST /api/v1/events` validates the body with the very schema the ledger uses
(EventRequestSchema, which also validates `data` by event type) and echoes what it loaded.
No token, no database: what is left is the cost of HTTP, JSON and validation.

    gunicorn -w 2 --chdir bench 'echo_app:app'
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Flask, Response, jsonify, request
from marshmallow import ValidationError

from api.schemas.envelope import EventRequestSchema

app = Flask(__name__)


@app.post("/api/v1/events")
def echo() -> tuple[Response, int]:
    try:
        command = EventRequestSchema().load(request.get_json())
    except ValidationError as error:
        return jsonify({"error": {"code": "invalid", "details": error.messages}}), 422
    return jsonify(asdict(command)), 201
