"""Reads of personal data, recorded as they are answered and listed for the committee.

An answered (200) read of a household's status or history, of a person's accountability
trail, or of an evidence pack about either, adds a row to the read audit
(`ledger/read_audit.py`) before the answer leaves; so do the console's pages of the same, and
every read that notes the subjects it shows (`api.scope.audit`: a dispute, an event page, a
page of the global log opened for the committee). If the row cannot be written, the reader
gets the storage error instead of the data: no one sees personal data without a trace.
`GET /api/v1/audit/reads` lists a subject's reads, for the discipline committee and admins
only."""
from __future__ import annotations

from flask import Flask, current_app, g, jsonify, request
from flask.wrappers import Response
from marshmallow import RAISE

from api.auth import require_actor
from api.errors import STORAGE_ERRORS, STORAGE_RETRY_AFTER, error_body, storage_refusal
from api.observability import request_id
from api.openapi import LedgerBlueprint
from api.schemas.audit import ReadsArgsSchema, ReadsPageSchema
from api.scope import access
from ledger.read_audit import SUBJECT_TYPES, Read, ReadAudit

# endpoint -> (subject type, or the view argument naming it; the view argument naming the
# subject)
AUDITED = {
    "reads.household_status": ("household", "household_id"),
    "reads.household_history": ("household", "household_id"),
    "reads.accountability_trail": ("person", "person_id"),
    "disputes.evidence_pack": ("<subject_type>", "subject_id"),
    "console_pages.household": ("household", "household_id"),
    "console_pages.person": ("person", "person_id"),
    "console_pages.evidence": ("<subject_type>", "subject_id"),
}

blp = LedgerBlueprint("audit", __name__, url_prefix="/api/v1/audit",
                      description="Who read whose personal data")
blp.before_request(require_actor)


def _audit() -> ReadAudit:
    return current_app.extensions["read_audit"]


@blp.get("/reads")
@blp.arguments(ReadsArgsSchema, location="query", unknown=RAISE)
@blp.response(200, ReadsPageSchema)
@blp.errors(401, 403)
def list_reads(args: dict):
    """Every answered read of one household's or person's personal data: who, when, which
    route; never the data. Discipline committee and admins only."""
    access().require_auditor()
    reads = _audit().reads_of(args["subject_type"], args["subject_id"], args["after"],
                              args["limit"])
    return {"subject_type": args["subject_type"], "subject_id": args["subject_id"],
            "reads": reads, "next_after": reads[-1]["id"] if reads else args["after"]}


def _subjects_read() -> list[tuple[str, str]]:
    """The subjects this request's answer shows personal data of: by its route, and those the
    route noted itself."""
    found = list(g.get("audited_subjects", []))
    audited = AUDITED.get(request.endpoint or "")
    if audited is not None:
        subject_type, argument = audited
        arguments = request.view_args or {}
        if subject_type.startswith("<"):
            subject_type = arguments[subject_type.strip("<>")]
        found.insert(0, (subject_type, arguments[argument]))
    return found


def install_read_audit(app: Flask) -> None:
    """Record every answered read of personal data of `app`."""

    @app.after_request
    def record_read(response: Response) -> Response:
        if response.status_code != 200:
            return response
        subjects = [s for s in _subjects_read() if s[0] in SUBJECT_TYPES]
        if not subjects:
            return response
        actor = g.actor
        route = request.url_rule.rule if request.url_rule else ""
        reads = [Read(actor.id, actor.role, kind, natural_id, route, request_id())
                 for kind, natural_id in subjects]
        try:
            _audit().record_many(reads)
        except STORAGE_ERRORS as error:
            refusal = storage_refusal(error)
            if refusal is None:
                raise
            status, code, message = refusal
            refused = jsonify(error_body(code, f"{message} (the read could not be audited)"))
            refused.status_code = status
            if status == 503:
                refused.headers["Retry-After"] = STORAGE_RETRY_AFTER
            return refused
        return response
