"""Evidence files in the console: the report form's uploads are checked before the report is
recorded and stored (sealed under the key of the finding's subject) once it is; the finding
page links each file, served to those whose scope holds its subject."""
from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, current_app, render_template, request
from werkzeug.datastructures import FileStorage

from api.evidence_files import served
from console import formspec
from console.auth import require_session
from ledger.catalog import CLIENT_TYPES
from ledger.errors import Forbidden, NotFound
from ledger.privacy.evidence_files import MAX_BYTES, EvidenceErased, EvidenceRefused, check_file
from ledger.privacy.fields import subject_key

blp = Blueprint("console_evidence", __name__, template_folder="templates")
blp.before_request(require_session)

REFUSED = {413: "文件超过 20 MB", 415: "只接受 JPEG、PNG 或 PDF 文件", 422: "文件内容与摘要不符"}
UNREADABLE = {403: "无权查看此文件", 404: "文件不存在",
              410: "对象的个人信息已依法删除，文件已不可读"}
FORM_LIMIT = 5 * MAX_BYTES


def allow_uploads() -> None:
    """A before-request hook (ahead of the session's CSRF check, which reads the body): a
    form with evidence files may carry them; the other forms keep the body limit."""
    type_name = (request.view_args or {}).get("type_name")
    if request.endpoint == "console_writes.submit" and type_name in CLIENT_TYPES and any(
            s.widget == "evidence" for s in formspec.fields_of(type_name)):
        request.max_content_length = FORM_LIMIT


def checked(upload: FileStorage) -> tuple[dict[str, str], bytes]:
    """The file's entry for `evidence` and its bytes; `UploadRefused` for a file the store
    would refuse, so the report is not recorded."""
    content = upload.stream.read(MAX_BYTES + 1)
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        check_file(sha256, content)
    except EvidenceRefused as error:
        raise UploadRefused(f"{upload.filename}：{REFUSED.get(error.status, error.message)}"
                            ) from None
    return {"name": upload.filename or sha256, "sha256": sha256}, content


class UploadRefused(ValueError):
    """An uploaded file the evidence store would refuse (its message is for the form)."""


def store(data: dict[str, Any], uploads: list[bytes]) -> None:
    """Keep the report's files under the key of its finding's subject."""
    files = current_app.extensions["ledger"].evidence_files
    finding = current_app.extensions["views"].finding(data["finding_id"]) or {}
    if files is None or not uploads or "subject_type" not in finding:
        return
    subject = subject_key(finding["subject_type"], finding["subject_id"])
    for content in uploads:
        try:
            files.store(hashlib.sha256(content).hexdigest(), subject, content)
        except EvidenceRefused:  # the subject was erased meanwhile: no key to keep it under
            continue


@blp.get("/evidence-files/<string:sha256>")
def evidence_file(sha256: str):
    try:
        return served(sha256)
    except (Forbidden, NotFound, EvidenceErased) as error:
        status = 403 if isinstance(error, Forbidden) else 410 if isinstance(
            error, EvidenceErased) else 404
        return render_template("error.html", status=status, message=UNREADABLE[status]), status
