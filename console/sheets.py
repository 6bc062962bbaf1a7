"""Spreadsheets for people: the API's columns with values as read (labels for codes, 是/否,
dates as dates, lists joined), a name column beside each column of unit or person ids, and a
file named after the list, the unit and the date. The API's writer (`api.spreadsheets`) lays
them out and neutralises text that would start a formula; CSV stays the API's, for machines."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from api.spreadsheets import Column
from console import names, zh

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAMED_KINDS = ("unit", "person")


def columns_with_names(columns: Sequence[Column]) -> list[Column]:
    """Each column of unit or person ids followed by one of their names (unless the list
    already has that name)."""
    fields = {c.field for c in columns}
    out: list[Column] = []
    for column in columns:
        out.append(column)
        kind = names.ID_FIELDS.get(column.field)
        name_field = column.field.removesuffix("_id") + "_name"
        if kind in NAMED_KINDS and name_field not in fields:
            out.append(Column(name_field, column.header.removesuffix("编号") + "名称"))
    return out


def readable_rows(columns: Sequence[Column], rows: Iterable[dict[str, Any]]
                  ) -> Iterable[dict[str, Any]]:
    added = [(c.field, names.ID_FIELDS[c.field]) for c in columns
             if c.field in names.ID_FIELDS and names.ID_FIELDS[c.field] in NAMED_KINDS]
    for row in rows:
        shown = {key: readable(value) for key, value in row.items()}
        for field, kind in added:
            name = names.name_of(kind, row.get(field))
            shown.setdefault(field.removesuffix("_id") + "_name", name)
        for field, _ in added:  # ids stay as they are, not read as labels
            shown[field] = row.get(field)
        yield shown


def readable(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if DATE.match(value):
            return date.fromisoformat(value)
        return zh.value(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return "、".join(str(readable(v)) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{zh.field(str(k))}：{readable(v)}" for k, v in value.items())
    return value


def file_name(list_name: str, unit_id: str | None, on: str, fmt: str) -> str:
    unit = names.name_of("unit", unit_id) if unit_id else None
    return "-".join(p for p in (list_name, unit, on) if p) + f".{fmt}"


def disposition(name: str, fallback: str) -> str:
    """An attachment named in Chinese (RFC 6266), with an ASCII name for old programs."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
