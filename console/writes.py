"""The console's forms: every write goes through the API's request schema and then the
ledger's one command path (`Ledger.record`), so a form meets exactly the API's refusals. A
refused form records nothing and comes back with what was typed and the reasons, in Chinese,
next to the field they concern."""
from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from api.errors import _flatten
from api.schemas.envelope import EventRequestSchema
from console import evidence_files, formspec, zh
from console.auth import csrf_refused, require_session
from console.replay import BadReplay, moment
from evidence.disputes import contested_subject
from ledger.application import Ledger, LoggedEvent
from ledger.catalog import BY_NAME, CLIENT_TYPES
from ledger.errors import LedgerError

blp = Blueprint("console_writes", __name__, template_folder="templates")
blp.before_request(evidence_files.allow_uploads)
blp.before_request(require_session)
blp.register_error_handler(CSRFError, csrf_refused)

# The daily forms first, in the order of the supervision cycle; then every other type.
DAILY = ("InspectionRecorded", "FindingRaised", "RectificationReported", "RectificationVerified",
         "DeadlineExtended", "WarningIssued", "DisputeOpened", "DisputeResolved", "InterviewHeld",
         "AccountabilityMeasureTaken")
STATUS_OF = {"not_found": 404, "forbidden": 403, "invalid": 422}
PAGE_OF = {"finding": "console_pages.finding", "household": "console_pages.household",
           "unit": "console_pages.unit", "person": "console_pages.person"}
ARGUMENT_OF = {"finding": "finding_id", "household": "household_id", "unit": "unit_id",
               "person": "person_id"}


@blp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """An uploaded evidence file over the body limit (only the browser's digest is sent in a
    secure context, so this happens on plain HTTP only)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = (f"提交的内容超过 {limit} MB，未记录任何内容。通过 HTTPS 访问时浏览器在本机计算"
               "文件摘要、不上传文件；否则请压缩后再提交。")
    return render_template("error.html", status=413, message=message), 413


def _ledger() -> Ledger:
    return current_app.extensions["ledger"]


def writable() -> list[str]:
    role = g.actor.role
    names = [n for n in DAILY if n in CLIENT_TYPES]
    names += sorted(n for n in CLIENT_TYPES if n not in DAILY)
    return [n for n in names if role in BY_NAME[n].writers]


def _type_or_404(type_name: str) -> str:
    if type_name not in CLIENT_TYPES:
        abort(404)
    return type_name


@blp.get("/forms")
def index():
    return render_template("forms.html", types=writable())


@blp.get("/forms/<string:type_name>")
def form(type_name: str):
    specs = formspec.fields_of(_type_or_404(type_name))
    values: dict[str, Any] = {s.name: request.args.get(s.name, "") for s in specs}
    for spec in specs:
        if spec.widget == "checkboxes":
            values[spec.name] = request.args.getlist(spec.name)
    return _render(type_name, specs, values, {}, [], 200)


def _render(type_name: str, specs: list[formspec.FormField], values: dict[str, Any],
            errors: dict[str, list[str]], general: list[str], status: int):
    allowed = g.actor.role in BY_NAME[type_name].writers
    return render_template("form.html", type_name=type_name, specs=specs, values=values,
                           errors=errors, general=general, allowed=allowed,
                           occurred_at=values.get("occurred_at", "")), status


def _evidence(values: dict[str, Any], uploads: list[bytes]) -> list[dict[str, str]]:
    """Digests the browser computed, and the files uploaded with the form: each checked now
    (`console.evidence_files`), its bytes put in `uploads` to be stored once the report is."""
    found: list[dict[str, str]] = []
    typed = request.form.get("evidence_json", "").strip()
    if typed:
        try:
            listed = json.loads(typed)
        except ValueError:
            raise formspec.Unreadable("evidence") from None
        if not isinstance(listed, list):
            raise formspec.Unreadable("evidence")
        found.extend(listed)
    for upload in request.files.getlist("evidence_files"):
        if not upload.filename:
            continue
        entry, content = evidence_files.checked(upload)
        found.append(entry)
        uploads.append(content)
    values["evidence_json"] = typed  # an upload is sent again with the form, never by digest
    return found


def _typed(specs: list[formspec.FormField]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.widget == "checkboxes":
            values[spec.name] = request.form.getlist(spec.name)
        elif spec.widget != "evidence":
            values[spec.name] = request.form.get(spec.name, "")
    values["occurred_at"] = request.form.get("occurred_at", "")
    return values


@blp.post("/forms/<string:type_name>")
def submit(type_name: str):
    specs = formspec.fields_of(_type_or_404(type_name))
    uploads: list[bytes] = []
    values = _typed(specs)
    errors: dict[str, list[str]] = {}
    try:
        if any(s.widget == "evidence" for s in specs):
            values["evidence"] = _evidence(values, uploads)
        data = formspec.data_of(specs, values)
    except formspec.Unreadable as error:
        errors[str(error)] = ["格式不正确，须为 JSON"]
        return _render(type_name, specs, values, errors, [], 422)
    except evidence_files.UploadRefused as error:
        errors["evidence"] = [str(error)]
        return _render(type_name, specs, values, errors, [], 422)
    body: dict[str, Any] = {"type": type_name, "data": data}
    if values["occurred_at"]:
        try:
            body["occurred_at"] = moment(values["occurred_at"]).isoformat()
        except BadReplay:
            errors["occurred_at"] = ["时间格式不正确，应如 2020-03-12T09:30"]
            return _render(type_name, specs, values, errors, [], 422)
    try:
        command = EventRequestSchema().load(body)
        recorded = _ledger().record(g.actor, [command])[0]
    except ValidationError as error:
        for name, messages in _flatten(error.messages).items():
            key = name.removeprefix("data.")
            errors.setdefault(key, []).extend(zh.message(m) for m in messages)
        return _render(type_name, specs, values, errors, [], 422)
    except LedgerError as error:
        return _refused(type_name, specs, values, error)
    if uploads:
        evidence_files.store(data, uploads)
    return _recorded(recorded)


def _refused(type_name: str, specs: list[formspec.FormField], values: dict[str, Any],
             error: LedgerError):
    """The ledger's refusal, next to the field it concerns (or above the form)."""
    names = {s.name for s in specs}
    field = _named_field(str(error.details.get("field", "")), names)
    if field is None:
        field = next((k for k in error.details if k in names), None)
    text = [zh.refusal(error.code, error.message)]
    reasons = error.details.get("reasons")
    if isinstance(reasons, list):
        text += [f"· {r}" for r in reasons]
    errors = {field: text} if field else {}
    status = STATUS_OF.get(error.code, 409)
    return _render(type_name, specs, values, errors, [] if field else text, status)


def _named_field(path: str, names: set[str]) -> str | None:
    """The form field a refusal names: `inspector_ids.0` is the field `inspector_ids`."""
    parts = path.split(".")
    while parts:
        if ".".join(parts) in names:
            return ".".join(parts)
        parts.pop()
    return None


def _recorded(recorded: LoggedEvent):
    """Wait until the views hold the event (read your writes), then show its subject."""
    current_app.extensions["views"].wait(recorded.position,
                                         current_app.config["READ_WAIT_SECONDS"])
    derived = "、".join(zh.event_type(c.type) for c in recorded.consequences)
    flash(f"已记录「{zh.event_type(recorded.type)}」（台账第 {recorded.position} 条）"
          + (f"；台账随之记录：{derived}" if derived else ""))
    if recorded.type in ("DisputeOpened", "DisputeResolved"):
        return redirect(url_for("console_pages.dispute",
                                dispute_id=recorded.data["dispute_id"]))
    subject: tuple[str, str] | None
    if recorded.type == "InspectionRecorded":
        subject = (recorded.data["subject_type"], recorded.data["subject_id"])
    else:
        subject = contested_subject(recorded.data)
    if subject is None:
        return redirect(url_for("console_writes.form", type_name=recorded.type))
    kind, natural_id = subject
    arguments: dict[str, Any] = {ARGUMENT_OF[kind]: natural_id}
    return redirect(url_for(PAGE_OF[kind], **arguments))
