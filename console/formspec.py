"""Forms from the event catalog: each event type's fields come from the JSON Schema of its
data (the one `GET /api/v1/event-types` publishes), so a type added to the catalog gets a
form without new code. Values typed in a form become the event's `data` here; the API's own
schemas then validate them, exactly as for a JSON request."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from api.catalog import _json_schemas
from console import zh

SPLIT = re.compile(r"[\s,，、;；]+")
LONG_TEXT = 1000
EVIDENCE_HINT = "选择文件（JPEG、PNG 或 PDF，每个不超过 20 MB）：随报告上传，按对象加密保存"


class Unreadable(ValueError):
    """A field whose text cannot become a value (bad JSON); the message is for the page."""


@dataclass(frozen=True)
class FormField:
    name: str
    """Dotted path in `data` (`checks.food`), as the API's validation errors name it."""
    label: str
    widget: str
    """text, textarea, date, number, integer, select, boolean, checkboxes, list, json, evidence"""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    group: str | None = None
    hint: str = ""
    subfields: tuple[str, ...] = field(default_factory=tuple)


def _widget(name: str, schema: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...], str]:
    kind = schema.get("type")
    if "enum" in schema:
        return "select", tuple((v, zh.value(v)) for v in schema["enum"]), ""
    if kind == "boolean":
        return "boolean", (("true", "是"), ("false", "否")), ""
    if kind == "number":
        return "number", (), ""
    if kind == "integer":
        return "integer", (), ""
    if kind == "string" and schema.get("format") == "date":
        return "date", (), "年-月-日"
    if kind == "string":
        long = schema.get("maxLength", 0) >= LONG_TEXT
        return ("textarea" if long else "text"), (), ""
    if kind == "array":
        items = schema.get("items", {})
        if name == "evidence":
            return "evidence", (), EVIDENCE_HINT
        if "enum" in items:
            return "checkboxes", tuple((v, zh.value(v)) for v in items["enum"]), ""
        if items.get("type") == "string":
            return "list", (), "多个以逗号或空格分隔"
        if items.get("type") == "object":
            example = {k: "…" for k in items.get("required", items.get("properties", {}))}
            return "json", (), "JSON 列表，例如 " + json.dumps([example], ensure_ascii=False)
    return "json", (), "JSON 格式"


def fields_of(type_name: str) -> list[FormField]:
    """The form fields of an event type, nested objects flattened one level."""
    schema = _json_schemas()[type_name]
    required = set(schema.get("required", []))
    found: list[FormField] = []
    for name, prop in schema.get("properties", {}).items():
        if prop.get("type") == "object" and prop.get("properties"):
            for sub, sub_schema in prop["properties"].items():
                widget, choices, hint = _widget(sub, sub_schema)
                found.append(FormField(f"{name}.{sub}", zh.field(sub), widget,
                                       sub in set(prop.get("required", [])), choices,
                                       group=name, hint=hint))
            continue
        widget, choices, hint = _widget(name, prop)
        found.append(FormField(name, zh.field(name), widget, name in required, choices,
                               hint=hint))
    return found


def _value(spec: FormField, raw: Any) -> Any:
    if spec.widget in ("number", "integer"):
        try:
            return int(raw) if spec.widget == "integer" and re.fullmatch(r"-?\d+", raw) \
                else float(raw)
        except ValueError:
            return raw  # the schema names it: "须为数字"
    if spec.widget == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if spec.widget == "list":
        return [part for part in SPLIT.split(raw) if part]
    if spec.widget == "json":
        try:
            return json.loads(raw)
        except ValueError:
            raise Unreadable(spec.name) from None
    return raw


def data_of(specs: list[FormField], values: dict[str, Any]) -> dict[str, Any]:
    """The event's `data` from the typed values; an empty field is left out, so a required
    one is reported missing by the schema, as the API would."""
    data: dict[str, Any] = {}
    for spec in specs:
        raw = values.get(spec.name)
        if raw in (None, "", []):
            continue
        value = raw if spec.widget in ("checkboxes", "evidence") else _value(spec, raw.strip())
        if spec.group:
            data.setdefault(spec.group, {})[spec.name.split(".", 1)[1]] = value
        else:
            data[spec.name] = value
    return data
