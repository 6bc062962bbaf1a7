"""The data schema of every catalogued event type, bound to `ledger.catalog` by name.

A schema class is named after its event type. Binding fails at import when a catalogued type
has no schema or a schema names no catalogued type, so the service cannot start half-described.
"""
from __future__ import annotations

from collections.abc import Iterable

from marshmallow import Schema

from api.schemas import derived_data, event_data
from ledger.catalog import CATALOG, EventType


class CatalogMismatch(LookupError):
    pass


def bind(schemas: Iterable[type[Schema]], types: Iterable[EventType]) -> dict[str, type[Schema]]:
    """{type name: schema} in catalog order; every type has exactly one schema and vice versa."""
    by_name = {schema.__name__: schema for schema in schemas}
    names = [t.name for t in types]
    missing, stray = sorted(set(names) - set(by_name)), sorted(set(by_name) - set(names))
    if missing or stray:
        raise CatalogMismatch(f"event types without a data schema: {missing}; "
                              f"data schemas of no such type: {stray}")
    return {name: by_name[name] for name in names}


CLIENT_DATA: dict[str, type[Schema]] = bind(
    event_data.SCHEMAS, (t for t in CATALOG if not t.derived))
DERIVED_DATA: dict[str, type[Schema]] = bind(
    derived_data.SCHEMAS, (t for t in CATALOG if t.derived))
DATA_SCHEMAS: dict[str, type[Schema]] = {
    t.name: (DERIVED_DATA if t.derived else CLIENT_DATA)[t.name] for t in CATALOG}
