"""Names where ids were: a unit by its name, a person by theirs, a household by its head's,
each with its id beside in small type and a link to its page. Personal names are opened only
for a reader the access policy lets see the subject's unit; others see the id alone. Names are
looked up once per request."""
from __future__ import annotations

from typing import Any

from flask import current_app, g, url_for
from markupsafe import Markup, escape

from api.scope import access
from console import values

PAGES = {"unit": ("console_pages.unit", "unit_id"),
         "person": ("console_pages.person", "person_id"),
         "household": ("console_pages.household", "household_id")}


def name_of(kind: str, natural_id: str | None) -> str | None:
    """The name a person reads for this subject, or None when unknown or not theirs to see."""
    if not natural_id or kind not in PAGES:
        return None
    cache: dict[tuple[str, str], str | None] = g.setdefault("console_names", {})
    if (kind, natural_id) not in cache:
        cache[(kind, natural_id)] = _looked_up(kind, natural_id)
    return cache[(kind, natural_id)]


def _looked_up(kind: str, natural_id: str) -> str | None:
    views = current_app.extensions["views"]
    state: dict[str, Any] | None = views.store.load_one(kind, natural_id)
    if state is None:
        return None
    if kind == "unit":
        return str(state.get("name") or "") or None
    unit_id = state.get("unit_id") if kind == "person" else state.get("village_id")
    if not access().within(unit_id):
        return None
    field = "name" if kind == "person" else "head_name"
    return str(values.personal(views.reveal({field: state.get(field)})[field]))


def named(kind: str, natural_id: str | None, link: bool = True) -> Markup:
    """`王大山 <small>hh-001</small>`, linked to its page; the id alone when no name shows."""
    if not natural_id:
        return Markup("—")
    name = name_of(kind, natural_id)
    ident = Markup('<small class="id">{}</small>').format(natural_id)
    text = Markup("{} {}").format(name, ident) if name else Markup(escape(natural_id))
    if not link:
        return text
    page, argument = PAGES[kind]
    arguments: dict[str, Any] = {argument: natural_id}
    href = url_for(page, **arguments)
    return Markup('<a href="{}">{}</a>').format(href, text)


def recorder(actor: str | None) -> Markup:
    """Who recorded an event: the person's name when the actor is a registered person in the
    reader's scope, the actor's id in small type beside (or alone)."""
    if not actor:
        return Markup("—")
    name = name_of("person", actor)
    ident = Markup('<small class="id">{}</small>').format(actor)
    return Markup("{} {}").format(name, ident) if name else ident


# Fields of event data that name a subject, and the kind of subject they name.
ID_FIELDS = {"unit_id": "unit", "village_id": "unit", "township_id": "unit",
             "parent_id": "unit", "responsible_unit_id": "unit", "supervising_unit_id": "unit",
             "person_id": "person", "responsible_person_id": "person",
             "household_id": "household"}
