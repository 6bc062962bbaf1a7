"""Template filters and globals: Chinese labels, Beijing time, values and event-id links."""
from __future__ import annotations

from flask import Flask, g

from console import zh
from console.names import name_of, named, recorder
from console.replay import beijing
from console.values import is_event_id, money, personal, quarter, share, short, show, when
from ledger.catalog import BY_NAME


def may(type_name: str) -> bool:
    """May the signed-in role record this type? Pages offer only the actions it may take."""
    actor = g.get("actor")
    return actor is not None and actor.role in BY_NAME[type_name].writers


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        zh_field=zh.field, zh_value=zh.value, zh_type=zh.event_type, beijing=beijing,
        short=short, personal=personal, money=money, share=share,
        quarter=quarter, when=when)
    app.jinja_env.tests["event_id"] = is_event_id
    app.jinja_env.globals.update(zh=zh, render_value=show, named=named, name_of=name_of,
        recorder=recorder, may=may)
