"""Any value of a view as HTML: mappings as definition lists, lists as lists, event ids as
links to the event, names and codes in Chinese. Written in Python rather than as a recursive
template macro, as a timeline shows hundreds of values; every text is escaped here."""
from __future__ import annotations

import re
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from console import zh

EVENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:\d+$")


def is_event_id(value: Any) -> bool:
    return isinstance(value, str) and bool(EVENT_ID.match(value))


def short(value: Any, length: int = 12) -> str:
    text = str(value)
    return text if len(text) <= length else text[:length] + "…"


def show(value: Any) -> Markup:
    link = url_for("console_pages.event", event_id="EVENT_ID")
    return Markup(_html(value, link))


def _html(value: Any, link: str) -> str:
    if value is None:
        return "—"
    if is_event_id(value):
        href = escape(link.replace("EVENT_ID", value))
        return f'<a class="ev" href="{href}" title="{escape(value)}">{escape(short(value, 13))}</a>'
    if isinstance(value, dict):
        items = "".join(f"<dt>{escape(zh.field(str(k)))}</dt><dd>{_html(v, link)}</dd>"
                        for k, v in value.items())
        return f'<dl class="kv">{items}</dl>'
    if isinstance(value, list | tuple):
        if not value:
            return "无"
        return '<ul class="plain">' + "".join(f"<li>{_html(v, link)}</li>" for v in value) \
            + "</ul>"
    return str(escape(zh.value(value)))
