"""Evidence packs and the dispute view over HTTP."""
from __future__ import annotations

from flask import Response, current_app
from marshmallow import RAISE

from api.auth import require_actor
from api.openapi import LedgerBlueprint
from api.reads import current_views, read_cut
from api.schemas.evidence import DisputeSchema, EvidenceArgsSchema, EvidencePackSchema
from api.schemas.reads import ReadArgsSchema
from api.scope import access, audit
from evidence.disputes import contested_event, dispute_view
from evidence.files import FileEntry, pack_entries
from evidence.packs import SUBJECT_TYPES, build_pack, pack_bytes
from ledger.errors import Invalid, NotFound
from ledger.privacy.fields import sealed_subjects

blp = LedgerBlueprint("disputes", __name__, url_prefix="/api/v1",
                      description="Evidence packs and disputes")
blp.before_request(require_actor)


@blp.get("/evidence/<string:subject_type>/<string:subject_id>", parameters=[
    {"in": "path", "name": "subject_type", "schema": {"type": "string", "enum": SUBJECT_TYPES}}])
@blp.arguments(EvidenceArgsSchema, location="query", unknown=RAISE)
@blp.response(200, EvidencePackSchema)
@blp.errors(401, 403, 404, 409, 503)
def evidence_pack(args: dict, subject_type: str, subject_id: str):
    """One signed file: the subject's events, their proofs, the checkpoint and the view.

    The body is the pack's exact bytes; `ledger verify-pack FILE` checks it offline.
    409 (checkpoints_disabled): the service has no signing key."""
    if subject_type not in SUBJECT_TYPES:
        raise Invalid(f"subject_type must be one of {', '.join(SUBJECT_TYPES)}",
                      field="subject_type")
    read_cut(args)
    access().require(subject_type, subject_id)
    pack = build_pack(current_app.extensions["ledger"].recorder,
                      current_app.extensions["checkpoints"], current_views(), subject_type,
                      subject_id, args.get("as_of"), _pack_files())
    name = f"evidence-{subject_type}-{subject_id}.json"
    return Response(pack_bytes(pack), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _pack_files() -> FileEntry | None:
    """The pack's evidence files, each opened when this token reads its subject."""
    files = current_app.extensions["ledger"].evidence_files
    return None if files is None else pack_entries(files, readable_subject)


def readable_subject(subject_type: str, subject_id: str) -> bool:
    """Whether this token reads the subject (noted for the read audit when it does)."""
    try:
        allowed = access().within(access().unit_of(subject_type, subject_id))
    except NotFound:
        return False
    if allowed:
        audit(subject_type, subject_id)
    return allowed


@blp.get("/disputes/<string:dispute_id>")
@blp.arguments(ReadArgsSchema, location="query", unknown=RAISE)
@blp.response(200, DisputeSchema)
@blp.errors(401, 403, 404, 503)
def dispute(args: dict, dispute_id: str):
    """A dispute, the contested event, its subject as it stood then, and the evidence pack."""
    read_cut(args)
    return readable_dispute(dispute_id)


def readable_dispute(dispute_id: str) -> dict:
    """The dispute view, if the token reads the contested event's subject (403 otherwise,
    before anything of it is shown). Its read goes to the read audit for that subject (a
    household or a person) and for whoever the contested event's personal fields are about."""
    ledger = current_app.extensions["ledger"]
    contested = contested_event(ledger, dispute_id)
    if contested is None:
        access().require_event("", {})
        return dispute_view(ledger, current_views(), dispute_id)
    subject = access().require_event(contested.type, contested.data)
    for shown in ([subject] if subject else []) + sealed_subjects(contested.data):
        audit(*shown)
    return dispute_view(ledger, current_views(), dispute_id)
