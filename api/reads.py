"""The read side over HTTP: views, replay (`as_of`, `valid_at`) and read-your-writes."""
from __future__ import annotations

import re
from typing import Any

from flask import Response, current_app
from flask_smorest import abort
from marshmallow import RAISE

from api.auth import require_actor
from api.openapi import LedgerBlueprint
from api.schemas.reads import (
    ExportArgsSchema,
    FindingsArgsSchema,
    HistoryArgsSchema,
    RatingsArgsSchema,
    ReadArgsSchema,
    ReplayArgsSchema,
)
from api.schemas.views import (
    AccountabilitySchema,
    FindingDetailSchema,
    FindingsPageSchema,
    HistorySchema,
    HouseholdStatusSchema,
    RatingsSchema,
    ScoringSchema,
    ScoringYearSchema,
    UnitBoardSchema,
    ViewsPositionSchema,
)
from api.scope import access, audit_all
from api.spreadsheets import XLSX, Column, to_csv, to_xlsx
from ledger.errors import NotFound
from projections.findings import summary
from projections.replay import Cut
from projections.views import FindingFilter, Views

blp = LedgerBlueprint("reads", __name__, url_prefix="/api/v1", description="Views and replay")
blp.before_request(require_actor)

FILTER_FIELDS = ("unit_id", "subject_type", "subject_id", "person_id", "category", "status",
                 "overdue", "due_from", "due_to", "source", "sector", "closed_late")
QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
FILE = {"type": "string", "format": "binary"}
FINDING_COLUMNS = (
    Column("finding_id", "问题编号"), Column("subject_type", "对象类型"),
    Column("subject_id", "对象编号"), Column("category", "问题类别"),
    Column("source", "问题来源"), Column("sector", "所属行业"),
    Column("description", "问题描述"), Column("responsible_unit_id", "责任单位"),
    Column("responsible_person_id", "责任人"), Column("raised_on", "发现日期"),
    Column("due_date", "整改时限"), Column("status", "状态"), Column("overdue", "是否逾期"),
    Column("closed_on", "销号日期"), Column("raised_event", "立项事件"),
    Column("closing_event", "销号事件"), Column("closed_late", "逾期整改"),
)


def current_views() -> Views:
    return current_app.extensions["views"]


def read_cut(args: dict[str, Any]) -> Cut:
    """Wait for `min_position` (503 if the views stay behind) and give the replay cut."""
    position = args.get("min_position")
    if position is not None and not _reached(position):
        abort(503, message=f"the views have not reached position {position} yet; retry",
              headers={"Retry-After": "1"})
    return Cut(as_of=args.get("as_of"), valid_at=args.get("valid_at"))


def _reached(position: int) -> bool:
    """Whether the views hold `position`, waiting for it in one of the token's wait slots
    (429 when it holds them all: `api.limits.ReadWaits`)."""
    if current_views().wait(position, 0):
        return True
    with current_app.extensions["read_waits"].slot():
        return current_views().wait(position, current_app.config["READ_WAIT_SECONDS"])


def found(answer: Any, kind: str, natural_id: str) -> Any:
    if answer is None:
        raise NotFound(f"{kind} {natural_id!r} does not exist", id=natural_id)
    return answer


@blp.get("/households/<string:household_id>")
@blp.arguments(ReplayArgsSchema, location="query", unknown=RAISE)
@blp.response(200, HouseholdStatusSchema)
@blp.errors(401, 403, 404, 503)
def household_status(args: dict, household_id: str):
    """Household status, live or replayed. 404 unknown household, 503 views behind."""
    cut = read_cut(args)
    access().require("household", household_id)
    return found(current_views().household(household_id, cut), "household", household_id)


@blp.get("/households/<string:household_id>/history")
@blp.arguments(HistoryArgsSchema, location="query", unknown=RAISE)
@blp.response(200, HistorySchema)
@blp.errors(401, 403, 404, 503)
def household_history(args: dict, household_id: str):
    """Every event about the household, in log order, with chain hashes."""
    cut = read_cut(args)
    access().require("household", household_id)
    events = current_views().household_history(household_id, cut, args["after"], args["limit"])
    return {"household_id": household_id, "events": events,
            "next_after": events[-1]["position"] if events else args["after"]}


def finding_filter(args: dict) -> FindingFilter:
    """The findings ledger's filters, each unit or subject named checked against the token's
    scope, and the list limited to the units the token reads (a scope of one unit is that
    unit's ledger, which can be replayed)."""
    policy = access()
    for kind, field in (("unit", "unit_id"), (args.get("subject_type"), "subject_id"),
                        ("person", "person_id")):
        if kind and args.get(field):
            policy.require_named(kind, args[field])
    scope = policy.units()
    if scope is not None and len(scope) == 1 and not args.get("unit_id"):
        args = {**args, "unit_id": next(iter(scope))}
    return FindingFilter(**{k: args[k] for k in FILTER_FIELDS if k in args}, scope=scope,
                         subtree=_subtree(args))


def _subtree(args: dict) -> tuple[str, ...] | None:
    """The units of the township's and county's subtrees asked for (both: the units in
    both), or None."""
    views, found = current_views(), None
    for name in ("township_id", "county_id"):
        if args.get(name):
            if views.unit_kind(args[name]) is None:
                raise NotFound(f"unit {args[name]!r} does not exist", field=name, id=args[name])
            access().require_unit(args[name])
            units = views.subtree(args[name])
            found = units if found is None else tuple(u for u in found if u in units)
    return found


@blp.get("/findings")
@blp.arguments(FindingsArgsSchema, location="query", unknown=RAISE)
@blp.response(200, FindingsPageSchema)
@blp.errors(401, 403, 404, 503)
def findings_ledger(args: dict):
    """The findings ledger, filtered, with counts by unit; replay needs a unit or subject."""
    cut = read_cut(args)
    page = current_views().findings(finding_filter(args), cut, args["limit"], args["offset"])
    audit_all("person", sorted({f["responsible_person_id"] for f in page["findings"]
                                if f["responsible_person_id"]}))
    return page


@blp.get("/findings-export")
@blp.arguments(ExportArgsSchema, location="query", unknown=RAISE)
@blp.response(200, FILE, content_type="text/csv", description="with format=csv (the default)")
@blp.alt_response(200, schema=FILE, content_type=XLSX, description="with format=xlsx",
                  success=True)
@blp.errors(401, 403, 404, 503)
def findings_export(args: dict):
    """The filtered findings ledger as a CSV or .xlsx file."""
    cut = read_cut(args)
    views = current_views()
    on = cut.on(views.clock())
    rows = [summary(f, on) for f in views.finding_states(finding_filter(args), cut)]
    if args["format"] == "xlsx":
        body, mimetype = to_xlsx("问题台账", FINDING_COLUMNS, rows), XLSX
    else:
        body, mimetype = to_csv(FINDING_COLUMNS, rows), "text/csv; charset=utf-8"
    name = f"findings-{on}.{args['format']}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.get("/findings/<string:finding_id>")
@blp.arguments(ReplayArgsSchema, location="query", unknown=RAISE)
@blp.response(200, FindingDetailSchema)
@blp.errors(401, 403, 404, 503)
def finding_trail(args: dict, finding_id: str):
    """One finding with its whole trail."""
    cut = read_cut(args)
    access().require("finding", finding_id)
    return found(current_views().finding(finding_id, cut), "finding", finding_id)


@blp.get("/units/<string:unit_id>")
@blp.arguments(ReplayArgsSchema, location="query", unknown=RAISE)
@blp.response(200, UnitBoardSchema)
@blp.errors(401, 403, 404, 503)
def unit_board(args: dict, unit_id: str):
    """A unit's board: listing, warnings by period, interviews, findings, delisting."""
    cut = read_cut(args)
    access().require("unit", unit_id)
    return found(current_views().unit(unit_id, cut), "unit", unit_id)


@blp.get("/people/<string:person_id>/accountability")
@blp.arguments(ReplayArgsSchema, location="query", unknown=RAISE)
@blp.response(200, AccountabilitySchema)
@blp.errors(401, 403, 404, 503)
def accountability_trail(args: dict, person_id: str):
    """A person's accountability trail; every item names the events that prove it."""
    cut = read_cut(args)
    access().require("person", person_id)
    return found(current_views().accountability(person_id, cut), "person", person_id)


@blp.get("/scoring/<string:round_id>")
@blp.arguments(ReplayArgsSchema, location="query", unknown=RAISE)
@blp.response(200, ScoringSchema)
@blp.errors(401, 404, 503)
def scoring_round(args: dict, round_id: str):
    """A competition round: village totals out of 100, ranked, top and bottom three."""
    cut = read_cut(args)
    return found(current_views().scoring(round_id, cut), "scoring round", round_id)


@blp.get("/ratings/<string:period>")
@blp.arguments(RatingsArgsSchema, location="query", unknown=RAISE)
@blp.response(200, RatingsSchema)
@blp.errors(401, 404, 503)
def quarterly_lights(args: dict, period: str):
    """A quarter's lights (季度考核亮灯): every unit rated in it, ranked by score, with the
    count of each light; none rated yet, an empty table. 404 for a period that is not a
    quarter (`2020-Q1`): no such table can exist."""
    if not QUARTER.match(period):
        raise NotFound(f"{period!r} is not a quarter like 2020-Q1", field="period", id=period)
    cut = read_cut(args)
    return current_views().ratings(period, args.get("kind"), cut)


@blp.get("/scoring/years/<int:year>")
@blp.arguments(ReplayArgsSchema, location="query", unknown=RAISE)
@blp.response(200, ScoringYearSchema)
@blp.errors(401, 503)
def scoring_year(args: dict, year: int):
    """Each village's yearly total across the competition rounds of that year (by month)."""
    cut = read_cut(args)
    return current_views().scoring_year(year, cut)


@blp.get("/views/position")
@blp.arguments(ReadArgsSchema, location="query", unknown=RAISE)
@blp.response(200, ViewsPositionSchema)
@blp.errors(401, 503)
def views_position(args: dict):
    """How far the views have folded the log, and how far behind its head they are."""
    read_cut(args)
    return current_views().lag()
