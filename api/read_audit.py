"""Reads of personal data, recorded as they are answered and listed for the committee.

An answered (200) read of a household's status or history, of a person's accountability
trail, or of an evidence pack about either, adds a row to the read audit
(`ledger/read_audit.py`) before the answer leaves. If the row cannot be written, the reader
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
from ledger.errors import Forbidden
from ledger.read_audit import SUBJECT_TYPES, Read, ReadAudit

# endpoint -> (subject type, or the view argument naming it; the view argument naming the
# subject)
AUDITED = {
    "reads.household_status": ("household", "household_id"),
    "reads.household_history": ("household", "household_id"),
    "reads.accountability_trail": ("person", "person_id"),
    "disputes.evidence_pack": ("<subject_type>", "subject_id"),
}
AUDITORS = ("discipline", "admin")

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
    if g.actor.role not in AUDITORS:
        raise Forbidden("only the discipline committee and admins read the read audit",
                        role=g.actor.role)
    reads = _audit().reads_of(args["subject_type"], args["subject_id"], args["after"],
                              args["limit"])
    return {"subject_type": args["subject_type"], "subject_id": args["subject_id"],
            "reads": reads, "next_after": reads[-1]["id"] if reads else args["after"]}


def _audited_subjects() -> list[tuple[str, str]]:
    """The subjects whose personal data the answer shows: named by the route, or listed by
    the view (`audit_names_shown`)."""
    listed = list(getattr(g, "audited_subjects", []))
    audited = AUDITED.get(request.endpoint or "")
    if audited is None:
        return listed
    subject_type, argument = audited
    arguments = request.view_args or {}
    if subject_type.startswith("<"):
        subject_type = arguments[subject_type.strip("<>")]
    if subject_type not in SUBJECT_TYPES:
        return listed
    return [(subject_type, arguments[argument]), *listed]


def audit_names_shown(subject_type: str, subject_ids: list[str]) -> None:
    """A list or search answer shows these subjects' names: each read goes to the audit when
    the answer is given (`install_read_audit`)."""
    g.audited_subjects = [*getattr(g, "audited_subjects", []),
                          *((subject_type, s) for s in subject_ids)]


def install_read_audit(app: Flask) -> None:
    """Record every answered read of personal data of `app`."""

    @app.after_request
    def record_read(response: Response) -> Response:
        if response.status_code != 200:
            return response
        subjects = _audited_subjects()
        if not subjects:
            return response
        actor = g.actor
        route = request.url_rule.rule if request.url_rule else ""
        reads = [Read(actor.id, actor.role, subject_type, subject_id, route, request_id())
                 for subject_type, subject_id in subjects]
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
