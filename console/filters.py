"""Template filters: Chinese labels, Beijing time, event-id links."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask

from console import zh
from console.replay import beijing

EVENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:\d+$")


def is_event_id(value: Any) -> bool:
    return isinstance(value, str) and bool(EVENT_ID.match(value))


def short(value: Any, length: int = 12) -> str:
    text = str(value)
    return text if len(text) <= length else text[:length] + "…"


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        zh_field=zh.field, zh_value=zh.value, zh_type=zh.event_type, beijing=beijing,
        short=short)
    app.jinja_env.tests["event_id"] = is_event_id
    app.jinja_env.globals.update(zh=zh)
