"""The household list over HTTP: filtered pages, and the same list as CSV or .xlsx (分类台账)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from flask import Response
from marshmallow import RAISE

from api.auth import require_actor
from api.openapi import LedgerBlueprint
from api.reads import FILE, current_views, read_cut
from api.schemas.household_list import (
    HouseholdFilterArgsSchema,
    HouseholdListArgsSchema,
    HouseholdListSchema,
)
from api.scope import access
from api.spreadsheets import XLSX, Column, to_csv, to_xlsx
from ledger.errors import Invalid, NotFound
from projections.household_list import HouseholdFilter
from projections.replay import Cut

blp = LedgerBlueprint("household_lists", __name__, url_prefix="/api/v1",
                      description="The household list (分类台账)")
blp.before_request(require_actor)

FILTER_FIELDS = ("village_id", "township_id", "category", "poverty_status", "exit_class", "key",
                 "monitoring", "unvisited_days")
UNIT_FILTERS = (("village_id", "village"), ("township_id", "township"))
EXPORT_PAGE = 1000
COLUMNS = (
    Column("household_id", "户编号"), Column("village_id", "村"), Column("township_id", "乡镇"),
    Column("county_id", "县"), Column("category", "户类别"),
    Column("poverty_status", "贫困状态"), Column("exit_class", "脱贫分类(ABC)"),
    Column("key_household", "重点户"), Column("monitoring", "监测类型"),
    Column("last_visit", "最近走访"), Column("open_findings", "未销号问题"),
    Column("size", "人口"),
)


def household_filter(args: dict[str, Any]) -> HouseholdFilter:
    """The filters as given, each unit checked (403 outside the token's scope, 404 unknown,
    422 the wrong kind), plus the token's own subtree for a cadre or viewer."""
    views = current_views()
    policy = access()
    for field, kind in UNIT_FILTERS:
        unit_id = args.get(field)
        if unit_id is None:
            continue
        policy.require_named("unit", unit_id)
        found = views.unit_kind(unit_id)
        if found is None:
            raise NotFound(f"unit {unit_id!r} does not exist", field=field)
        if found != kind:
            raise Invalid(f"unit {unit_id} is a {found}, not a {kind}", field=field)
    return HouseholdFilter(**{k: args[k] for k in FILTER_FIELDS if k in args},
                           scope=policy.households())


@blp.get("/households")
@blp.arguments(HouseholdListArgsSchema, location="query", unknown=RAISE)
@blp.response(200, HouseholdListSchema)
@blp.errors(401, 403, 404, 503)
def household_list(args: dict):
    """Households matching every filter, in household_id order, a page at a time.

    403: a cadre or viewer naming a unit outside its own; 404: an unknown village or
    township; 422: an unknown filter value, or a unit of the wrong kind."""
    read_cut(args)
    page = current_views().household_list(household_filter(args), args.get("after", ""),
                                          args["limit"])
    # The items come from projections.household_list.item in the schema's shape already;
    # orjson writes a page of 1,000 in a tenth of the time of a schema dump and Flask's JSON.
    # The HTTP tests check every answer against the document generated from the schema.
    return Response(orjson.dumps(page), mimetype="application/json")


def every_item(query: HouseholdFilter) -> Iterator[dict[str, Any]]:
    after: str | None = ""
    while after is not None:
        page = current_views().household_list(query, after, EXPORT_PAGE)
        yield from page["items"]
        after = page["next"]


def _export(args: dict, extension: str) -> Response:
    read_cut(args)
    items = every_item(household_filter(args))
    if extension == "xlsx":
        body, mimetype = to_xlsx("分类台账", COLUMNS, items), XLSX
    else:
        body, mimetype = to_csv(COLUMNS, items), "text/csv; charset=utf-8"
    name = f"households-{Cut().on(current_views().clock())}.{extension}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.get("/households.csv")
@blp.arguments(HouseholdFilterArgsSchema, location="query", unknown=RAISE)
@blp.response(200, FILE, content_type="text/csv")
@blp.errors(401, 403, 404, 503)
def household_list_csv(args: dict):
    """The whole filtered list as CSV (the API's field names, UTF-8 with a BOM)."""
    return _export(args, "csv")


@blp.get("/households.xlsx")
@blp.arguments(HouseholdFilterArgsSchema, location="query", unknown=RAISE)
@blp.response(200, FILE, content_type=XLSX)
@blp.errors(401, 403, 404, 503)
def household_list_xlsx(args: dict):
    """The whole filtered list as a spreadsheet (分类台账): Chinese headers, frozen header row,
    autofilter."""
    return _export(args, "xlsx")
