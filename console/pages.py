"""The console's pages: the same views and scope checks as the API, rendered in Chinese."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from marshmallow import EXCLUDE, Schema, ValidationError

from api.disputes import readable_dispute
from api.errors import _flatten
from api.household_lists import COLUMNS as HOUSEHOLD_COLUMNS
from api.household_lists import every_item as every_household_item
from api.household_lists import household_filter
from api.reads import FINDING_COLUMNS, finding_filter, found
from api.schemas.household_list import HouseholdListArgsSchema
from api.schemas.reads import FindingsArgsSchema
from api.scope import access, audit
from api.spreadsheets import XLSX, to_csv, to_xlsx
from console import charts, listing, overview, sheets, zh
from console.auth import csrf_refused, require_session
from console.replay import BadReplay, cut_of
from evidence.packs import build_pack, pack_bytes
from ledger.application import Ledger
from ledger.domain.supervision import FINDING_SECTORS, FINDING_SOURCES
from ledger.errors import Forbidden, LedgerError, NotFound
from ledger.tamper.verification import verify_chain
from projections.findings import summary
from projections.views import Views

blp = Blueprint("console_pages", __name__, template_folder="templates")
blp.before_request(require_session)
blp.register_error_handler(CSRFError, csrf_refused)

PAGE = 50
LATE_AFTER_SECONDS = 24 * 3600
HOUSEHOLD_FILTERS = ("village_id", "township_id", "category", "poverty_status", "exit_class",
                     "key", "monitoring", "unvisited_days")
# The console's own query arguments, beside the API's filters.
CONSOLE_ARGUMENTS = ("format", "as_of", "valid_at")
ALL_STORED = 10**9
UNIT_ARGUMENTS = ("village_id", "township_id", "unit_id")
OVERVIEWS_KEPT = 64


def _views() -> Views:
    return current_app.extensions["views"]


def _ledger() -> Ledger:
    return current_app.extensions["ledger"]


def _replay() -> dict[str, Any]:
    args = {k: request.args.get(k, "") for k in ("as_of", "valid_at")}
    return {"args": args, "cut": cut_of(args), "active": any(args.values())}


@blp.errorhandler(LedgerError)
def refused(error: LedgerError):
    status = 403 if isinstance(error, Forbidden) else 404 if isinstance(error, NotFound) else 409
    return render_template("error.html", status=status, error=error), status


class BadArguments(ValueError):
    """Query arguments the API's schema refuses; the message is for the page."""


@blp.errorhandler(BadReplay)
@blp.errorhandler(BadArguments)
def bad_replay(error: ValueError):
    return render_template("error.html", status=400, message=str(error)), 400


@blp.get("/")
def overview_page():
    """The overview of the actor's unit (cadre, viewer), or of a chosen or the top unit."""
    views = _views()
    policy = access()
    root = g.actor.unit_id if policy.scoped else request.args.get("unit_id")
    if root:
        policy.require("unit", root)
    data = _overview(views, root or None)
    head = _ledger().head()
    checkpoints = current_app.extensions["checkpoints"]
    return render_template(
        "overview.html", data=data, chart=charts.grouped_bars(data["findings"]["by_month"]),
        head=head, checkpoint=checkpoints.latest() if checkpoints.enabled else None,
        checkpoints_enabled=checkpoints.enabled,
        verification=current_app.extensions.get("console_last_verification"))


def _overview(views: Views, root: str | None) -> dict[str, Any]:
    """The overview, built once per unit, views position and day (it reads every household
    of the unit): a second visit while nothing was recorded costs nothing."""
    key = (root, views.store.position(), views.clock().date())
    cache = current_app.extensions.setdefault("console_overviews", {})
    if key not in cache:
        if len(cache) >= OVERVIEWS_KEPT:
            cache.clear()
        cache[key] = overview.build(views, root)
    return cache[key]


def _valid(schema: type[Schema]) -> dict[str, Any]:
    """The page's query arguments as the API reads them (its schema; the console's own
    arguments and empty fields left out). A unit typed by its name is read as its id; a bad
    value is left out of the filter and named above the list (`g.filter_errors`), the list and
    the other filters kept."""
    raw = {k: v for k, v in request.args.items() if v != "" and k not in CONSOLE_ARGUMENTS}
    named = [k for k in UNIT_ARGUMENTS if k in raw]
    if named:
        by_name = {state.get("name"): unit_id
                   for unit_id, state in listing.all_units(_views()).items()}
        raw.update({k: by_name[raw[k]] for k in named if raw[k] in by_name})
    try:
        return schema(unknown=EXCLUDE).load(raw)
    except ValidationError as error:
        fields = _flatten(error.messages)
        g.filter_errors = [f"{zh.field(name)}：{zh.message(m)}（此条件未采用）"
                           for name, ms in fields.items() for m in ms]
        kept = {k: v for k, v in raw.items() if k not in fields}
        try:
            return schema(unknown=EXCLUDE).load(kept)
        except ValidationError:
            raise BadArguments("；".join(g.filter_errors)) from None


@blp.get("/households")
def households():
    """The household list (分类台账): the API's list, filters and scope; pages of 50; the
    API's CSV and .xlsx of the whole filtered list."""
    args = _valid(HouseholdListArgsSchema)
    query = household_filter(args)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        items = every_household_item(query)
        if fmt == "csv":
            return _download(to_csv(HOUSEHOLD_COLUMNS, items), f"households.{fmt}", fmt)
        columns = sheets.columns_with_names(HOUSEHOLD_COLUMNS)
        body = to_xlsx("分类台账", columns, sheets.readable_rows(columns, items))
        today = _views().clock().date().isoformat()
        unit = args.get("village_id") or args.get("township_id")
        return _download(body, f"households.{fmt}", fmt,
                         sheets.file_name("分类台账", unit, today, fmt))
    page = _views().household_list(query, args.get("after", ""), PAGE)
    shown = {k: request.args.get(k, "") for k in HOUSEHOLD_FILTERS}
    return render_template("households.html", rows=page["items"], args=shown,
                           next_after=page["next"], after=args.get("after"))


@blp.get("/households/<string:household_id>")
def household(household_id: str):
    """Status, findings, plan, monitoring, exit steps and the timeline, live or replayed."""
    views = _views()
    replay = _replay()
    access().require("household", household_id)
    status = found(views.household(household_id, replay["cut"]), "household", household_id)
    events = views.household_history(household_id, replay["cut"])
    for event in events:
        gap = (event["recorded_at"] - event["occurred_at"]).total_seconds()
        event["late"] = gap > LATE_AFTER_SECONDS
    return render_template("household.html", status=status, events=events, replay=replay)


@blp.get("/findings")
def findings():
    """The findings ledger (问题台账) with filters, pages and exports."""
    views = _views()
    args = _valid(FindingsArgsSchema)
    query = finding_filter(args)
    fmt = request.args.get("format")
    replay = _replay()
    if replay["active"] and not query.replayable:
        raise BadArguments("回放问题台账须指定责任单位、对象或责任人")
    if fmt in ("csv", "xlsx"):
        on = replay["cut"].on(views.clock())
        rows = [summary(f, on) for f in views.finding_states(query, replay["cut"])]
        if fmt == "csv":
            return _download(to_csv(FINDING_COLUMNS, rows), f"findings-{on}.{fmt}", fmt)
        columns = sheets.columns_with_names(FINDING_COLUMNS)
        body = to_xlsx("问题台账", columns, sheets.readable_rows(columns, rows))
        return _download(body, f"findings-{on}.{fmt}", fmt,
                         sheets.file_name("问题台账", args.get("unit_id"), str(on), fmt))
    limit = min(args.get("limit", PAGE), PAGE)
    if query.replayable:
        page = views.findings(query, replay["cut"], limit, args["offset"])
    else:
        # The whole county's counts by unit are the overview's business: a page of rows here.
        on = replay["cut"].on(views.clock())
        states = views.finding_states(query, replay["cut"], limit, args["offset"])
        page = {"as_of_date": on, "findings": [summary(f, on) for f in states],
                "counts_by_unit": [], "offset": args["offset"]}
    return render_template("findings.html", page=page, args=request.args, replay=replay,
                           sources=FINDING_SOURCES, sectors=FINDING_SECTORS,
                           limit=limit)


@blp.get("/findings/<string:finding_id>")
def finding(finding_id: str):
    views = _views()
    replay = _replay()
    access().require("finding", finding_id)
    detail = found(views.finding(finding_id, replay["cut"]), "finding", finding_id)
    return render_template("finding.html", f=detail, replay=replay)


@blp.get("/findings/<string:finding_id>/print")
def finding_order(finding_id: str):
    """The rectification order (督办整改单) for paper: finding, deadline, unit and person."""
    views = _views()
    access().require("finding", finding_id)
    detail = found(views.finding(finding_id), "finding", finding_id)
    unit = views.store.load_one("unit", detail["responsible_unit_id"])
    person_id = detail["responsible_person_id"]
    person = views.reveal(views.store.load_one("person", person_id)) if person_id else None
    household = views.reveal(views.store.load_one("household", detail["subject_id"])) \
        if detail["subject_type"] == "household" else None
    return render_template("finding_print.html", f=detail, unit=unit, person=person,
                           household=household, today=views.clock().date().isoformat())


@blp.get("/units/<string:unit_id>")
def unit(unit_id: str):
    views = _views()
    replay = _replay()
    access().require("unit", unit_id)
    board = found(views.unit(unit_id, replay["cut"]), "unit", unit_id)
    units = listing.all_units(views)
    children = sorted((u for u, s in units.items() if s.get("parent_id") == unit_id))
    return render_template("unit.html", b=board, replay=replay, children=children,
                           units=units)


@blp.get("/units/<string:unit_id>/exit-notice")
def exit_notice(unit_id: str):
    """The village's exit 公示 list for paper: households proposed or publicized for exit."""
    views = _views()
    access().require("unit", unit_id)
    board = found(views.unit(unit_id), "unit", unit_id)
    year = request.args.get("year") or str(views.clock().year)
    rows = [h for h in listing.village_statuses(views, unit_id) if _in_exit_notice(h, year)]
    for row in rows:
        audit("household", row["household_id"])
    notices = [h["exit"]["notice"] for h in rows
               if isinstance(h.get("exit"), dict) and h["exit"].get("notice")]
    return render_template("exit_notice.html", b=board, rows=rows, year=year,
                           notice=notices[0] if notices else None,
                           today=views.clock().date().isoformat())


def _in_exit_notice(status: dict[str, Any], year: str) -> bool:
    """On the list when the year's exit attempt has been acknowledged by the household (the
    step before 公示) and has not ended; before the lifecycle is recorded, the households of
    class A and B (预脱贫) are the proposal."""
    procedure = status.get("exit")
    if isinstance(procedure, dict):
        steps = {step.get("type") for step in procedure.get("steps", [])}
        return (str(procedure.get("year")) == year and "ExitAcknowledged" in steps
                and procedure.get("outcome") not in ("ended", "annulled"))
    return status["category"] == "registered_poor" and status.get("exit_class") in ("A", "B")


@blp.get("/people/<string:person_id>")
def person(person_id: str):
    views = _views()
    replay = _replay()
    access().require("person", person_id)
    trail = found(views.accountability(person_id, replay["cut"]), "person", person_id)
    return render_template("person.html", t=trail, replay=replay)


@blp.get("/disputes/<string:dispute_id>")
def dispute(dispute_id: str):
    return render_template("dispute.html", d=readable_dispute(dispute_id),
                           signing=current_app.extensions["checkpoints"].enabled)


@blp.get("/evidence/<string:subject_type>/<string:subject_id>")
def evidence(subject_type: str, subject_id: str):
    """The evidence pack of a subject, as the API gives it."""
    access().require(subject_type, subject_id)
    pack = build_pack(_ledger().recorder, current_app.extensions["checkpoints"], _views(),
                      subject_type, subject_id, None)
    return Response(pack_bytes(pack), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="evidence-{subject_type}-{subject_id}.json"'})


@blp.get("/events/<string:event_id>")
def event(event_id: str):
    """One logged event: its type, data, position and chain hash."""
    ledger = _ledger()
    position = ledger.position_of(event_id)
    if position is None:
        raise NotFound(f"event {event_id!r} does not exist", id=event_id)
    logged = ledger.read_log(position - 1, 1)[0]
    subject = access().require_event(logged.type, logged.data)
    if subject is not None:
        audit(*subject)
    return render_template("event.html", e=logged)


@blp.get("/ledger")
def ledger_page():
    """Integrity: the head, the views' lag, signed checkpoints, the last verification."""
    checkpoints = current_app.extensions["checkpoints"]
    return render_template(
        "ledger.html", head=_ledger().head(), lag=_views().lag(),
        checkpoints=checkpoints.listing(10) if checkpoints.enabled else [],
        checkpoints_enabled=checkpoints.enabled,
        verification=current_app.extensions.get("console_last_verification"))


@blp.post("/ledger/verify")
def verify():
    """Recompute the whole chain (and check the checkpoints), as `ledger verify` does; a
    form, since it reads the whole log."""
    checkpoints = current_app.extensions["checkpoints"]
    stored = checkpoints.listing(ALL_STORED, newest_first=False)
    result = verify_chain(_ledger().recorder, stored, current_app.extensions["verifying_key"])
    current_app.extensions["console_last_verification"] = {
        **result.to_dict(), "at": datetime.now(UTC)}
    return redirect(url_for("console_pages.ledger_page"))


def _download(body: bytes, name: str, fmt: str, shown: str | None = None) -> Response:
    """`name` in ASCII; `shown`, the name a person sees, in Chinese."""
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    disposition = sheets.disposition(shown, name) if shown else f'attachment; filename="{name}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


@blp.app_context_processor
def navigation() -> dict[str, Any]:
    return {"nav": [("console_pages.overview_page", "首页"),
                    ("console_pages.households", "农户"),
                    ("console_pages.findings", "问题台账"),
                    ("console_writes.index", "录入"),
                    ("console_pages.ledger_page", "完整性")],
            "url_for": url_for}
