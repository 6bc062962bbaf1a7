"""Evidence files over HTTP: `PUT /api/v1/evidence/{sha256}` stores a JPEG, PNG or PDF
(at most 20 MB) sealed under the key of the subject named by `subject_type` and `subject_id`;
`GET` serves it, opened, to those whose scope holds that subject (a read of personal data,
audited). Once the subject is erased the file is gone with its key: 410 `evidence_erased`."""
from __future__ import annotations

from flask import Response, current_app, g, jsonify, request
from marshmallow import RAISE, ValidationError

from api.auth import require_actor
from api.errors import error_body
from api.openapi import LedgerBlueprint
from api.reads import read_cut
from api.schemas.evidence_files import (
    EvidenceHashSchema,
    EvidenceSubjectSchema,
    StoredEvidenceSchema,
)
from api.schemas.reads import ReadArgsSchema
from api.scope import access, audit
from ledger.errors import Forbidden, Invalid, NotFound
from ledger.privacy.evidence_files import (
    MAX_BYTES,
    WRITERS,
    EvidenceErased,
    EvidenceFiles,
    EvidenceRefused,
)
from ledger.privacy.fields import subject_key

blp = LedgerBlueprint("evidence_files", __name__, url_prefix="/api/v1",
                      description="Evidence files: photos and scans, sealed per subject")
blp.before_request(require_actor)


@blp.errorhandler(EvidenceRefused)
def refused(error: EvidenceRefused):
    return jsonify(error_body(error.code, error.message, error.details)), error.status


@blp.errorhandler(EvidenceErased)
def erased(error: EvidenceErased):
    return jsonify(error_body(error.code, error.message, error.details)), 410


def _files() -> EvidenceFiles:
    files = current_app.extensions["ledger"].evidence_files
    if files is None:
        raise Invalid("this service keeps no evidence files")
    return files


def _hash(sha256: str) -> str:
    try:
        return EvidenceHashSchema().load({"sha256": sha256})["sha256"]
    except ValidationError as error:
        raise Invalid("not a SHA-256", field="sha256", messages=error.messages) from None


@blp.put("/evidence/<string:sha256>")
@blp.arguments(EvidenceSubjectSchema, location="query", unknown=RAISE)
@blp.response(201, StoredEvidenceSchema)
@blp.alt_response(200, schema=StoredEvidenceSchema, description="kept already")
@blp.errors(401, 403, 404, 410, 413, 415, 422)
def put_file(args: dict, sha256: str):
    """Store the request body (JPEG, PNG or PDF by its first bytes, at most 20 MB) about the
    subject. 201 when stored, 200 when the same bytes were kept already; 422 `hash_mismatch`
    when the body does not hash to the path's SHA-256. Nothing is stored on any refusal."""
    sha256 = _hash(sha256)
    actor = g.actor
    if actor.role not in WRITERS or access().sealed_only:
        raise Forbidden(f"role {actor.role} may not store evidence files", role=actor.role)
    read_cut(args)
    access().require(args["subject_type"], args["subject_id"])
    request.max_content_length = MAX_BYTES + 1
    stored, added = _files().store(
        sha256, subject_key(args["subject_type"], args["subject_id"]), request.get_data())
    subject_type, _, subject_id = stored.subject.partition(":")
    answer = {"sha256": stored.sha256, "size": stored.size, "media_type": stored.media_type,
              "subject_type": subject_type, "subject_id": subject_id, "stored": added}
    return answer, 201 if added else 200


@blp.get("/evidence/<string:sha256>")
@blp.arguments(ReadArgsSchema, location="query", unknown=RAISE)
@blp.alt_response(200, description="the file", content_type="application/octet-stream",
                  success=True)
@blp.errors(401, 403, 404, 410)
def get_file(args: dict, sha256: str):
    """The file's bytes with its content type, for tokens whose scope holds its subject."""
    read_cut(args)
    return served(sha256)


def served(sha256: str) -> Response:
    """The file, opened, if this request's token (or session) reads its subject: 404 when
    none is kept, 403 outside the scope, 410 once the subject was erased. Read-audited."""
    stored = _files().find(_hash(sha256))
    if stored is None:
        raise NotFound(f"no evidence file {sha256!r}", id=sha256)
    subject_type, _, subject_id = stored.subject.partition(":")
    access().require(subject_type, subject_id)
    opened = _files().open(stored.sha256)
    audit(subject_type, subject_id)
    return Response(opened.content, mimetype=opened.media_type, headers={
        "Content-Disposition": f'inline; filename="{stored.sha256}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
