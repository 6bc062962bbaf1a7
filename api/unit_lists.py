"""The list of units over HTTP: who a supervising unit (督战单位) supervises, and which listed
units are past their delisting date."""
from __future__ import annotations

from marshmallow import RAISE

from api.auth import require_actor
from api.openapi import LedgerBlueprint
from api.reads import current_views, read_cut
from api.schemas.unit_list import UnitListArgsSchema, UnitListSchema
from api.scope import access
from ledger.errors import NotFound
from projections import unit_list
from projections.replay import Cut

blp = LedgerBlueprint("unit_lists", __name__, url_prefix="/api/v1",
                      description="The list of units")
blp.before_request(require_actor)


@blp.get("/units")
@blp.arguments(UnitListArgsSchema, location="query", unknown=RAISE)
@blp.response(200, UnitListSchema)
@blp.errors(401, 404, 503)
def unit_list_page(args: dict):
    """Units matching every filter, in unit_id order, a page at a time; a cadre or viewer
    sees its own unit and those below it. 404: an unknown supervising unit."""
    read_cut(args)
    views = current_views()
    policy = access()
    supervising = args.get("supervising_unit_id")
    if supervising is not None and views.unit_kind(supervising) is None:
        raise NotFound(f"unit {supervising!r} does not exist", field="supervising_unit_id")
    query = unit_list.UnitFilter(
        supervising, args.get("listed"), args.get("past_due"),
        policy.within if policy.scoped else None)
    return unit_list.page(views.store, query, Cut().on(views.clock()), args.get("after", ""),
                          args["limit"])
