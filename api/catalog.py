"""The catalog of event types, each with a JSON Schema of its `data` made from its schema."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask_smorest import Blueprint

from api.auth import require_actor
from api.schemas.derived_data import DERIVED_DATA_SCHEMAS
from api.schemas.event_data import DATA_SCHEMAS
from ledger.catalog import DERIVED_TYPES
from ledger.identity import WRITERS

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="Event types")
blp.before_request(require_actor)


def _json_schemas() -> dict[str, dict]:
    # No schema names: nested schemas are inlined, so each JSON Schema stands on its own
    # (a `$ref` into the OpenAPI components would point nowhere outside that document).
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    APISpec("catalog", "1", "3.0.3", plugins=[plugin])
    converter = plugin.converter
    assert converter is not None
    schemas = {}
    for name, schema in {**DATA_SCHEMAS, **DERIVED_DATA_SCHEMAS}.items():
        body = converter.schema2jsonschema(schema)
        body["additionalProperties"] = False
        schemas[name] = body
    return schemas


@blp.get("/event-types")
def event_types():  # type: ignore[no-untyped-def]
    """Every event type: who may submit it and the JSON Schema of its data."""
    schemas = _json_schemas()
    types = [
        {"type": name, "submitted_by": sorted(WRITERS[name]), "data_schema": schemas[name]}
        for name in sorted(DATA_SCHEMAS)
    ]
    types += [
        {"type": name, "submitted_by": [], "recorded_by_ledger": why, "data_schema": schemas[name]}
        for name, why in sorted(DERIVED_TYPES.items())
    ]
    return {"event_types": types}
