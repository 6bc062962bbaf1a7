"""The list of units over HTTP: who a supervising unit (督战单位) supervises, and which listed
units are past their delisting date."""
from __future__ import annotations

from flask import g
from marshmallow import RAISE

from api.auth import require_actor
from api.openapi import LedgerBlueprint
from api.reads import SCOPED_ROLES, _read, _views
from api.schemas.unit_list import UnitListArgsSchema, UnitListSchema
from ledger.errors import NotFound
from projections import unit_list
from projections.replay import Cut

blp = LedgerBlueprint("unit_lists", __name__, url_prefix="/api/v1",
                      description="The list of units")
blp.before_request(require_actor)


def _within(unit_id: str) -> bool:
    """Whether the unit is the scoped token's own or below it."""
    views, seen = _views(), set()
    current: str | None = unit_id
    while current is not None and current not in seen:
        if current == g.actor.unit_id:
            return True
        seen.add(current)
        current = views.unit_parent(current)
    return False


@blp.get("/units")
@blp.arguments(UnitListArgsSchema, location="query", unknown=RAISE)
@blp.response(200, UnitListSchema)
@blp.errors(401, 404, 503)
def unit_list_page(args: dict):
    """Units matching every filter, in unit_id order, a page at a time; a cadre or viewer
    sees its own unit and those below it. 404: an unknown supervising unit."""
    _read(args)
    views = _views()
    supervising = args.get("supervising_unit_id")
    if supervising is not None and views.unit_kind(supervising) is None:
        raise NotFound(f"unit {supervising!r} does not exist", field="supervising_unit_id")
    query = unit_list.UnitFilter(
        supervising, args.get("listed"), args.get("past_due"),
        _within if g.actor.role in SCOPED_ROLES else None)
    return unit_list.page(views.store, query, Cut().on(views.clock()), args.get("after", ""),
                          args["limit"])
