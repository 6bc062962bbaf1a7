"""Evidence files over HTTP, on both backends: stored sealed under the subject's key, served in
scope, refused with nothing stored, unreadable once the subject is erased."""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.packs import verify_pack
from ledger.privacy.evidence_files import MAX_BYTES
from ledger.tamper.signing import load_public_key, write_key_pair
from tests.e2e.conftest import HttpLedger

PNG = b"\x89PNG\r\n\x1a\n" + "王小明家新屋顶".encode() * 50
FILES = "/api/v1/evidence"
ABOUT_H1 = "subject_type=household&subject_id=h1"


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _county(http: HttpLedger) -> str:
    admin = http.token("admin-1", "admin")
    for body in (
        {"type": "UnitRegistered", "data": {"unit_id": "t1", "name": "T1", "kind": "township"}},
        {"type": "UnitRegistered", "data": {"unit_id": "v1", "name": "V1", "kind": "village",
                                            "parent_id": "t1"}},
        {"type": "UnitRegistered", "data": {"unit_id": "v2", "name": "V2", "kind": "village",
                                            "parent_id": "t1"}},
        {"type": "HouseholdRegistered", "data": {"household_id": "h1", "village_id": "v1",
                                                 "head_name": "王小明", "size": 3,
                                                 "category": "registered_poor"}},
    ):
        answer = http.post(admin, {**body, "occurred_at": "2020-01-02T10:00:00+08:00"})
        assert answer.status_code == 201, answer.get_json()
    return admin


def _seen(http: HttpLedger) -> str:
    """The views caught up with the log (as the projector would), and read-your-writes."""
    http.app.extensions["root"].runner().catch_up()
    return f"min_position={http.app.extensions['ledger'].head()[0]}"


def _put(http: HttpLedger, token: str, sha256: str, body: bytes, about: str = ABOUT_H1):
    return http.client.put(f"{FILES}/{sha256}?{about}&{_seen(http)}", data=body,
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/octet-stream"})


def _get(http: HttpLedger, token: str, sha256: str):
    return http.client.get(f"{FILES}/{sha256}?{_seen(http)}",
                           headers={"Authorization": f"Bearer {token}"})


def _stored_rows(http: HttpLedger) -> list:
    files = http.app.extensions["ledger"].evidence_files
    return [s for s in (files.find(_sha(PNG)), files.find(_sha(b"%PDF-1.4 x"))) if s]


def test_a_file_round_trip_sealed_at_rest_and_read_audited(
        make_http: Callable[..., HttpLedger]) -> None:
    http = make_http()
    admin = _county(http)
    cadre = http.token("cadre-v1", "cadre", "v1")
    stored = _put(http, cadre, _sha(PNG), PNG)
    assert stored.status_code == 201, stored.get_json()
    assert stored.get_json() == {"sha256": _sha(PNG), "size": len(PNG), "media_type": "image/png",
                                 "subject_type": "household", "subject_id": "h1",
                                 "stored": True}
    again = _put(http, cadre, _sha(PNG), PNG)
    assert again.status_code == 200 and again.get_json()["stored"] is False

    kept = http.app.extensions["ledger"].evidence_files.find(_sha(PNG))
    assert kept is not None and "王小明".encode() not in kept.sealed

    read = _get(http, admin, _sha(PNG))
    assert read.status_code == 200 and read.data == PNG and read.mimetype == "image/png"
    township = http.token("cadre-t1", "cadre", "t1")
    assert _get(http, township, _sha(PNG)).data == PNG
    reads = http.client.get("/api/v1/audit/reads?subject_type=household&subject_id=h1",
                            headers={"Authorization": f"Bearer {admin}"}).get_json()["reads"]
    assert [r["actor"] for r in reads if "/evidence/" in r["route"]] == ["admin-1", "cadre-t1"]
    other = http.token("cadre-v2", "cadre", "v2")
    refused = _get(http, other, _sha(PNG))
    assert refused.status_code == 403 and b"\x89PNG" not in refused.data
    assert _get(http, admin, "0" * 64).status_code == 404


@pytest.mark.parametrize("body, sha, status, code", [
    (b"%PDF-1.4 x", _sha(PNG), 422, "hash_mismatch"),
    (b"GIF89a" + b"x" * 10, _sha(b"GIF89a" + b"x" * 10), 415, "unsupported_media_type"),
    (PNG + bytes(MAX_BYTES), _sha(PNG + bytes(MAX_BYTES)), 413, "too_large"),
])
def test_a_refused_file_is_not_stored(make_http: Callable[..., HttpLedger], body: bytes,
                                      sha: str, status: int, code: str) -> None:
    http = make_http()
    _county(http)
    answer = _put(http, http.token("cadre-v1", "cadre", "v1"), sha, body)
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code)
    assert _stored_rows(http) == []


def test_a_writer_out_of_scope_or_a_reader_is_refused(
        make_http: Callable[..., HttpLedger]) -> None:
    http = make_http()
    _county(http)
    for token in (http.token("cadre-v2", "cadre", "v2"), http.token("viewer-v1", "viewer", "v1")):
        answer = _put(http, token, _sha(PNG), PNG)
        assert answer.status_code == 403, answer.get_json()
    bad = _put(http, http.token("admin-2", "admin"), _sha(PNG), PNG, "subject_type=finding&"
               "subject_id=h1")
    assert bad.status_code == 422 and "subject_type" in str(bad.get_json())
    assert _stored_rows(http) == []


def test_an_erased_subject_s_files_are_unreadable(make_http: Callable[..., HttpLedger]) -> None:
    http = make_http()
    admin = _county(http)
    assert _put(http, admin, _sha(PNG), PNG).status_code == 201
    erased = http.post(http.token("discipline-1", "discipline"), {
        "type": "PersonalDataErased", "occurred_at": "2020-06-02T10:00:00+08:00",
        "data": {"subject_type": "household", "subject_id": "h1",
                 "basis": "PIPL art. 47: the household asked on 2020-06-01"}})
    assert erased.status_code == 201, erased.get_json()
    gone = _get(http, admin, _sha(PNG))
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "evidence_erased"
    again = _put(http, admin, _sha(b"%PDF-1.4 x"), b"%PDF-1.4 x")
    assert again.status_code == 410 and again.get_json()["error"]["code"] == "subject_erased"


def test_a_finding_s_pack_carries_its_rectification_files(
        make_http: Callable[..., HttpLedger], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "signing.pem"
    write_key_pair(key, tmp_path / "signing.pem.pub")
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(key))
    http = make_http()
    admin = _county(http)
    pdf = b"%PDF-1.4 scan"
    for content in (PNG, pdf):
        assert _put(http, admin, _sha(content), content).status_code == 201
    missing = "f" * 64
    for body in (
        {"type": "FindingRaised", "data": {"finding_id": "f1", "subject_type": "household",
                                           "subject_id": "h1", "category": "housing",
                                           "description": "漏雨", "responsible_unit_id": "v1",
                                           "due_date": "2020-03-31"}},
        {"type": "RectificationReported", "data": {"finding_id": "f1", "description": "已换瓦",
                                                   "evidence": [
                                                       {"name": "屋顶.png", "sha256": _sha(PNG)},
                                                       {"name": "验收.pdf", "sha256": missing}]}},
    ):
        answer = http.post(admin, {**body, "occurred_at": "2020-03-02T10:00:00+08:00"})
        assert answer.status_code == 201, answer.get_json()
    pack = http.client.get(f"/api/v1/evidence/finding/f1?{_seen(http)}",
                           headers={"Authorization": f"Bearer {admin}"})
    assert pack.status_code == 200, pack.get_json()
    report = verify_pack(pack.data, load_public_key(f"{key}.pub"))
    assert report.ok, report.problems
    files = {f["sha256"]: f for f in pack.get_json()["files"]}
    assert set(files) == {_sha(PNG), missing}
    assert base64.b64decode(files[_sha(PNG)]["content"]) == PNG
    assert files[missing]["status"] == "not_stored"
