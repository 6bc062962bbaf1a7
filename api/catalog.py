"""The catalog of event types over HTTP, each with a JSON Schema of its `data`."""
from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import fields

from api.auth import require_actor
from api.openapi import LedgerBlueprint, standalone_converter
from api.schemas.answer import Answer, flag, many, text
from api.schemas.event_types import DATA_SCHEMAS
from ledger.catalog import CATALOG
from ledger.identity import ROLES

blp = LedgerBlueprint("catalog", __name__, url_prefix="/api/v1", description="Event types")
blp.before_request(require_actor)


class EventTypeSchema(Answer):
    type = text()
    label = text("what a person reads for it, in Simplified Chinese")
    description = text()
    submitted_by = fields.List(fields.String(metadata={"enum": list(ROLES)}), required=True,
                               metadata={"description": "roles that may submit it; none for "
                                                        "the ledger's own types"})
    derived = flag("recorded by the ledger itself, never accepted from a client")
    recorded_by_ledger = fields.String(metadata={"description": "for a derived type: when"})
    data_schema = fields.Dict(required=True, metadata={"description": "JSON Schema of `data`"})


class EventTypesSchema(Answer):
    event_types = many(EventTypeSchema)


@cache
def _json_schemas() -> dict[str, dict[str, Any]]:
    converter = standalone_converter()
    return {name: converter.schema2jsonschema(schema()) for name, schema in DATA_SCHEMAS.items()}


@blp.get("/event-types")
@blp.response(200, EventTypesSchema)
@blp.errors(401)
def event_types():
    """Every event type: who may submit it, what it means and the JSON Schema of its data."""
    schemas = _json_schemas()
    answers = []
    for t in sorted(CATALOG, key=lambda t: (t.derived, t.name)):
        answer = {"type": t.name, "label": t.label, "description": t.description,
                  "submitted_by": sorted(t.writers), "derived": t.derived,
                  "data_schema": schemas[t.name]}
        if t.derived:
            answer["recorded_by_ledger"] = t.description
        answers.append(answer)
    return {"event_types": answers}
