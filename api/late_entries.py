"""The committee's list of late entries and contradicted decisions (纪委: 补录, 数字脱贫)."""
from __future__ import annotations

from flask import g
from marshmallow import RAISE

from api.auth import require_actor
from api.openapi import LedgerBlueprint
from api.reads import current_views, read_cut
from api.schemas.flag_reads import FlagsArgsSchema, FlagsPageSchema
from ledger.errors import Forbidden
from projections.flags import page

blp = LedgerBlueprint("late_entries", __name__, url_prefix="/api/v1",
                      description="Late entries and contradicted decisions")
blp.before_request(require_actor)
READERS = ("discipline", "admin")


@blp.get("/late-entries")
@blp.arguments(FlagsArgsSchema, location="query", unknown=RAISE)
@blp.response(200, FlagsPageSchema)
@blp.errors(401, 403, 422, 503)
def late_entries(args: dict):
    """Flags newest first: late entries that changed an outcome, decisions contradicted by
    later evidence (`kind`), in a unit's subtree (`unit_id`). Discipline and admin only."""
    if g.actor.role not in READERS:
        raise Forbidden(f"role {g.actor.role} may not read the late entries", role=g.actor.role)
    read_cut(args)
    return page(current_views().store, args.get("kind"), args.get("unit_id"), args.get("after"),
                args["limit"])
