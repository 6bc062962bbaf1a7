"""Any value of a view as HTML: mappings as definition lists, lists as lists, event ids as
links to the event, names and codes in Chinese. Written in Python rather than as a recursive
template macro, as a timeline shows hundreds of values; every text is escaped here."""
from __future__ import annotations

import re
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from console import names, zh
from ledger.privacy.fields import SEALED

EVENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:\d+$")


def is_event_id(value: Any) -> bool:
    return isinstance(value, str) and bool(EVENT_ID.match(value))


def short(value: Any, length: int = 12) -> str:
    text = str(value)
    return text if len(text) <= length else text[:length] + "…"


RULE_SOURCE = re.compile(r"^seed (\d+): ")


def label(key: str) -> str:
    """A key of a mapping as read: a field's label, or a value's (counts by category)."""
    named = zh.field(key)
    return zh.value(key) if named == key else named


def _shown(key: Any, value: Any) -> Any:
    """Values whose key says how to read them: shares as percentages, rules by their source."""
    if isinstance(value, str) and key in names.ID_FIELDS:
        return names.named(names.ID_FIELDS[key], value)
    if key == "share" and isinstance(value, int | float) and not isinstance(value, bool):
        return share(value)
    source = RULE_SOURCE.match(value) if isinstance(value, str) else None
    if source:
        return f"默认规则（第 {source[1]} 号）"
    return value


def show(value: Any) -> Markup:
    link = url_for("console_pages.event", event_id="EVENT_ID")
    return Markup(_html(value, link))


def _html(value: Any, link: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, Markup):
        return str(value)
    if is_event_id(value):
        href = escape(link.replace("EVENT_ID", value))
        return f'<a class="ev" href="{href}" title="{escape(value)}">{escape(short(value, 13))}</a>'
    if isinstance(value, dict) and SEALED in value:
        return str(escape(personal(value)))
    if isinstance(value, dict):
        items = "".join(f"<dt>{escape(label(str(k)))}</dt><dd>{_html(_shown(k, v), link)}</dd>"
                        for k, v in value.items())
        return f'<dl class="kv">{items}</dl>'
    if isinstance(value, list | tuple):
        if not value:
            return "无"
        return '<ul class="plain">' + "".join(f"<li>{_html(v, link)}</li>" for v in value) \
            + "</ul>"
    return str(escape(zh.value(value)))


# What a person reads for a plain value: money, shares, quarters, dates and times. Pages,
# print views and spreadsheets format through these, so one value reads alike everywhere.
QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}
QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")


def money(amount: Any) -> str:
    """7799 → 7,799 元; blank when not given."""
    if amount is None or amount == "":
        return ""
    number = float(amount)
    text = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
    return f"{text} 元"


def share(fraction: Any) -> str:
    """0.035 → 3.5%."""
    if fraction is None:
        return ""
    return f"{float(fraction) * 100:.1f}%"


def quarter(code: Any) -> str:
    """2020-Q1 → 2020年第一季度 (other text unchanged)."""
    found = QUARTER.match(str(code or ""))
    return f"{found[1]}年第{QUARTERS[found[2]]}季度" if found else str(code or "")


def when(moment: Any) -> str:
    """An ISO date or time as read: a date stays; 2026-03-01T08:30:00+08:00 → 2026-03-01 08:30."""
    if moment is None:
        return ""
    text = str(moment)
    if "T" not in text:
        return text
    day, _, time = text.partition("T")
    return f"{day} {time[:5]}"


def personal(value: Any) -> Any:
    """A personal field as read: opened by the views' reveal; （已删除） once erased; never a
    sealed blob (a field left sealed by a read that forgot to open it shows as withheld)."""
    if value is None:
        return "（已删除）"
    if isinstance(value, dict) and SEALED in value:
        return "（未授权）"
    return value
