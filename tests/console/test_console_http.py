"""The console without a browser: sessions, protections, refusals, scope and spreadsheets."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Flask
from openpyxl import load_workbook

from console import CONTENT_SECURITY_POLICY
from ledger.application import Command
from ledger.catalog import CLIENT_TYPES
from ledger.identity import Actor
from service.app import create_app
from service.config import Config
from tests.console.conftest import csrf_of

ADMIN = Actor("county-admin", "admin")
REGISTRY = [
    ("UnitRegistered", {"unit_id": "town-1", "name": "三家峪镇", "kind": "township"}),
    ("UnitRegistered", {"unit_id": "village-a", "name": "东沟村", "kind": "village",
                        "parent_id": "town-1"}),
    ("UnitRegistered", {"unit_id": "village-b", "name": "西岭村", "kind": "village",
                        "parent_id": "town-1"}),
    ("PersonRegistered", {"person_id": "insp-li", "name": "李督查", "unit_id": "town-1"}),
    ("HouseholdRegistered", {"household_id": "hh-001", "village_id": "village-a",
                             "head_name": "王大山", "size": 4, "category": "registered_poor"}),
    ("HouseholdRegistered", {"household_id": "hh-002", "village_id": "village-b",
                             "head_name": "周小河", "size": 3, "category": "registered_poor"}),
    ("FindingRaised", {"finding_id": "f-001", "subject_type": "household",
                       "subject_id": "hh-001", "category": "housing",
                       "description": "住房存在安全隐患", "responsible_unit_id": "village-a",
                       "due_date": "2099-04-30"}),
]


def _county(app: Flask) -> int:
    recorded = app.extensions["ledger"].record(ADMIN, [Command(t, d) for t, d in REGISTRY])
    position = recorded[-1].position
    assert app.extensions["views"].wait(position, 10)
    return position


def _head(app: Flask) -> int:
    return app.extensions["ledger"].head()[0]


def test_sign_in_starts_a_server_side_session_with_a_protected_cookie(
    console_app: Flask, sign_in: Any,
) -> None:
    client = console_app.test_client()
    assert client.get("/").headers["Location"].startswith("/login")
    signed = sign_in("insp-li", "inspector")
    cookie = signed.client.get_cookie("ledger_console")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure
    assert "token" not in cookie.value and len(cookie.value) >= 32  # an id, not the session
    over_https = sign_in("insp-wu", "inspector", base_url="https://localhost")
    assert over_https.client.get_cookie("ledger_console").secure
    page = signed.get("/")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert '<html lang="zh-CN">' in page.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_cookie_is_secure_when_the_proxy_says_https(
    database_url: str, tmp_path: Any,
) -> None:
    config = Config.from_env(database_url=database_url, trusted_proxies=1,
                             console_session_dir=str(tmp_path / "sessions"))
    app = create_app(config, settings={"TESTING": True})
    try:
        token = app.extensions["ledger"].create_token("insp-li", "inspector")
        client = app.test_client()
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9",
                 "Referer": "https://localhost/login"}
        csrf = csrf_of(client.get("/login", headers=https).get_data(as_text=True))
        client.post("/login", data={"token": token, "csrf_token": csrf}, headers=https)
        assert client.get_cookie("ledger_console").secure
    finally:
        app.extensions["root"].close()


def test_a_wrong_token_is_refused_and_signing_out_ends_the_session(
    console_app: Flask, sign_in: Any,
) -> None:
    client = console_app.test_client()
    csrf = csrf_of(client.get("/login").get_data(as_text=True))
    refused = client.post("/login", data={"token": "lgr_wrong", "csrf_token": csrf})
    assert refused.status_code == 401
    assert "令牌无效" in refused.get_data(as_text=True)
    signed = sign_in("insp-li", "inspector")
    assert signed.post_form("/logout", {}).status_code == 302
    assert signed.get("/findings").headers["Location"].startswith("/login")
    for _ in range(30):  # failed sign-ins count against the address, as for the API
        if client.post("/login", data={"token": "lgr_guess", "csrf_token": csrf}
                       ).status_code == 429:
            break
    limited = client.post("/login", data={"token": "lgr_guess", "csrf_token": csrf})
    assert limited.status_code == 429 and "登录失败次数过多" in limited.get_data(as_text=True)


def test_a_form_without_csrf_token_records_nothing(console_app: Flask, sign_in: Any) -> None:
    _county(console_app)
    signed = sign_in("insp-li", "inspector")
    before = _head(console_app)
    data = {"warning_id": "w-1", "unit_id": "village-a", "color": "yellow",
            "period": "2020-Q1", "reason": "走访不到位"}
    answer = signed.post_form("/forms/WarningIssued", data, csrf=False)
    assert answer.status_code == 400
    assert "防伪令牌" in answer.get_data(as_text=True)
    assert _head(console_app) == before


def test_a_refused_form_shows_the_reason_by_the_field_keeps_the_input_and_records_nothing(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    signed = sign_in("insp-li", "inspector")
    before = _head(console_app)
    answer = signed.post_form("/forms/RectificationVerified", {
        "finding_id": "f-001", "accepted": "true", "note": "<b>核验通过</b>"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    field = html.split('data-field="finding_id"')[1].split("</div>")[0]
    assert "不符合当前流程状态" in field
    assert "&lt;b&gt;核验通过&lt;/b&gt;" in html and "<b>核验通过</b>" not in html
    invalid = signed.post_form("/forms/FindingRaised", {
        "finding_id": "f-002", "subject_type": "household", "subject_id": "hh-001",
        "category": "housing", "description": "x", "responsible_unit_id": "village-a",
        "due_date": "2020-13-45"})
    assert invalid.status_code == 422
    assert "日期格式" in invalid.get_data(as_text=True).split('data-field="due_date"')[1]
    assert 'value="f-002"' in invalid.get_data(as_text=True)
    assert _head(console_app) == before


def test_uploaded_evidence_is_stored_sealed_and_linked_from_the_finding(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    cadre = sign_in("cadre-wang", "cadre", "village-a")
    photo = b"\xff\xd8\xff\xe0" + "屋顶照片".encode() * 1000
    sha = hashlib.sha256(photo).hexdigest()
    answer = cadre.post_form("/forms/RectificationReported", {
        "finding_id": "f-001", "description": "已修缮",
        "evidence_files": (io.BytesIO(photo), "roof.jpg")},
        content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    last = console_app.extensions["ledger"].read_log(_head(console_app) - 1, 1)[0]
    assert last.data["evidence"] == [{"name": "roof.jpg", "sha256": sha}]
    kept = console_app.extensions["ledger"].evidence_files.find(sha)
    assert kept.subject == "household:hh-001" and "屋顶照片".encode() not in kept.sealed
    assert f"/evidence-files/{sha}" in cadre.get("/findings/f-001").get_data(as_text=True)
    served = cadre.get(f"/evidence-files/{sha}")
    assert served.status_code == 200 and served.data == photo
    assert served.mimetype == "image/jpeg"
    other = sign_in("cadre-zhou", "cadre", "village-b").get(f"/evidence-files/{sha}")
    assert other.status_code == 403 and photo not in other.data

    before = _head(console_app)
    for name, content, reason in (("video.mp4", b"x" * 100, "JPEG"),
                                  ("huge.png", b"\x89PNG\r\n\x1a\n" + bytes(20 << 20), "20 MB")):
        refused = cadre.post_form("/forms/RectificationReported", {
            "finding_id": "f-001", "description": "再次修缮",
            "evidence_files": (io.BytesIO(content), name)},
            content_type="multipart/form-data")
        assert refused.status_code == 422 and reason in refused.get_data(as_text=True)
        assert console_app.extensions["ledger"].evidence_files.find(
            hashlib.sha256(content).hexdigest()) is None
    assert _head(console_app) == before


def test_a_cadre_is_refused_another_villages_pages_and_sees_none_of_their_data(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    cadre = sign_in("cadre-wang", "cadre", "village-a")
    assert cadre.get("/households/hh-001").status_code == 200
    for path in ("/households/hh-002", "/units/village-b", "/findings?unit_id=village-b",
                 "/households?village_id=village-b"):
        answer = cadre.get(path)
        assert answer.status_code == 403, path
        html = answer.get_data(as_text=True)
        assert "周小河" not in html and "西岭村" not in html
    listed = cadre.get("/households").get_data(as_text=True)
    assert "hh-001" in listed and "hh-002" not in listed


def test_every_client_event_type_has_a_form_from_the_catalog(
    console_app: Flask, sign_in: Any,
) -> None:
    admin = sign_in("county-admin", "admin")
    for type_name in CLIENT_TYPES:
        answer = admin.get(f"/forms/{type_name}")
        assert answer.status_code == 200, type_name
        assert 'name="csrf_token"' in answer.get_data(as_text=True)


def test_spreadsheets_for_people_and_for_machines(console_app: Flask, sign_in: Any) -> None:
    _county(console_app)
    admin = sign_in("county-admin", "admin")
    book = load_workbook(io.BytesIO(admin.get("/findings?format=xlsx").data))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["问题编号", "对象类型"]
    assert sheet.column_dimensions["E"].width > 10
    row = dict(zip(headers, [c.value for c in sheet[2]], strict=True))
    assert row["问题编号"] == "f-001" and row["对象类型"] == "农户" and row["状态"] == "未整改"
    assert row["责任单位"] == "village-a" and row["责任单位名称"] == "东沟村"
    assert row["整改时限"] == datetime(2099, 4, 30) and row["是否逾期"] == "否"
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)
    answer = admin.get("/findings?unit_id=village-a&format=xlsx")
    assert "filename*=UTF-8''" + quote("问题台账-东沟村-") in answer.headers["Content-Disposition"]
    raw = admin.get("/findings?format=csv").data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "finding_id" and rows[1][0] == "f-001"
    households = load_workbook(io.BytesIO(admin.get("/households?format=xlsx").data)).active
    assert [c.value for c in households[1]][:2] == ["户编号", "村"]
    assert households.max_row == 3


def test_a_dispute_opened_and_resolved_through_the_forms_and_the_paper_views(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    raised = console_app.extensions["ledger"].read_log(0, 100)
    contested = next(e for e in raised if e.type == "FindingRaised").event_id
    jiwei = sign_in("jiwei-zhao", "discipline")
    opened = jiwei.post_form("/forms/DisputeOpened", {
        "dispute_id": "d-1", "contested_event_id": contested, "grounds": "问题不实"})
    assert opened.headers["Location"] == "/disputes/d-1"
    page = jiwei.get("/disputes/d-1").get_data(as_text=True)
    assert "问题不实" in page and "尚未处理" in page and "ledger verify-pack" not in page
    assert "ledger verify-pack" in jiwei.get("/ledger").get_data(as_text=True)
    assert jiwei.post_form("/forms/DisputeResolved", {
        "dispute_id": "d-1", "outcome": "upheld", "note": "维持原问题"}).status_code == 302
    assert "维持原问题" in jiwei.get("/disputes/d-1").get_data(as_text=True)
    order = jiwei.get("/findings/f-001/print").get_data(as_text=True)
    assert "督办整改单" in order and "2099-04-30" in order and "东沟村" in order
    notice = jiwei.get("/units/village-a/exit-notice?year=2020")
    assert notice.status_code == 200 and "公示" in notice.get_data(as_text=True)


def test_the_household_list_pages_filters_and_stays_in_scope(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    many = [Command("HouseholdRegistered", {
        "household_id": f"hh-1{n:02d}", "village_id": "village-a", "head_name": f"户主{n}",
        "size": 2, "category": "edge" if n % 5 == 0 else "registered_poor"}) for n in range(55)]
    position = console_app.extensions["ledger"].record(ADMIN, many)[-1].position
    assert console_app.extensions["views"].wait(position, 10)
    cadre = sign_in("cadre-wang", "cadre", "village-a")
    first = cadre.get("/households").get_data(as_text=True)
    assert first.count('href="/households/hh-') == 50
    after = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = cadre.get(after).get_data(as_text=True)
    assert second.count('href="/households/hh-') == 6  # hh-001 and hh-100 .. hh-154, 56 in all
    assert 'rel="next"' not in second
    edge = cadre.get("/households?category=edge").get_data(as_text=True)
    assert edge.count('href="/households/hh-') == 11
    assert "hh-002" not in first + second + edge


def test_the_ledger_page_verifies_the_chain_on_request(console_app: Flask, sign_in: Any) -> None:
    _county(console_app)
    viewer = sign_in("viewer-a", "viewer", "village-a")
    assert "本进程尚未校验" in viewer.get("/ledger").get_data(as_text=True)
    assert viewer.post_form("/ledger/verify", {}).status_code == 302
    page = viewer.get("/ledger").get_data(as_text=True)
    assert f"通过，校验 {_head(console_app)} 条" in page


def test_a_type_added_to_the_catalog_is_recorded_through_its_generic_form(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    admin = sign_in("county-admin", "admin")
    before = _head(console_app)
    missing = admin.post_form("/forms/MonitoringStarted", {
        "household_id": "hh-001", "monitoring_type": "sudden_hardship", "note": "户主重病"})
    assert missing.status_code == 422
    assert "此项必填" in missing.get_data(as_text=True).split('data-field="risks"')[1]
    assert _head(console_app) == before
    answer = admin.post_form("/forms/MonitoringStarted", {
        "household_id": "hh-001", "monitoring_type": "sudden_hardship",
        "risks": ["illness", "accident"], "note": "户主重病"})
    assert answer.headers["Location"] == "/households/hh-001"
    page = admin.get("/households/hh-001").get_data(as_text=True)
    section = page.split('id="status-monitoring"')[1].split("</div>")[0]
    assert "突发严重困难户" in section and "疾病" in section and "意外事故" in section


def test_print_views_show_names_opened_never_sealed_and_erased_as_deleted(
    console_app: Flask, sign_in: Any,
) -> None:
    """The 督办整改单 names the responsible person and the household's head, the 公示 every
    head, in plain text (the views store them sealed); an erased head reads （已删除）."""
    ledger = console_app.extensions["ledger"]
    position = ledger.record(ADMIN, [Command(t, d) for t, d in REGISTRY] + [
        Command("PersonRegistered", {"person_id": "cadre-zhang", "name": "张村长",
                                     "unit_id": "village-a"}),
        Command("FindingRaised", {"finding_id": "f-002", "subject_type": "household",
                                  "subject_id": "hh-001", "category": "housing",
                                  "description": "危房未改造", "due_date": "2099-05-31",
                                  "responsible_unit_id": "village-a",
                                  "responsible_person_id": "cadre-zhang"}),
        Command("HouseholdRegistered", {"household_id": "hh-003", "village_id": "village-a",
                                        "head_name": "刘春生", "size": 2,
                                        "category": "registered_poor"}),
        Command("HouseholdFactsRecorded", {"household_id": "hh-003", "income": {"wage": 40000}}),
        Command("HouseholdRegistered", {"household_id": "hh-004", "village_id": "village-a",
                                        "head_name": "赵秋实", "size": 2,
                                        "category": "registered_poor"}),
        Command("HouseholdFactsRecorded", {"household_id": "hh-004", "income": {"wage": 40000}}),
        Command("PersonalDataErased", {"subject_type": "household", "subject_id": "hh-004",
                                       "basis": "本人申请"}),
    ])[-1].position
    assert console_app.extensions["views"].wait(position, 10)
    jiwei = sign_in("jiwei-zhao", "discipline")
    order = jiwei.get("/findings/f-002/print").get_data(as_text=True)
    assert "张村长" in order and "王大山" in order and "东沟村" in order
    notice = jiwei.get("/units/village-a/exit-notice").get_data(as_text=True)
    assert "刘春生" in notice and "（已删除）" in notice and "赵秋实" not in notice
    assert "20,000 元" in notice and "公示期" in notice
    household = jiwei.get("/households/hh-003").get_data(as_text=True)
    assert "40,000 元" in household and "20,000 元" in household  # wage and per capita
    for page in (order, notice):
        assert "_sealed_" not in page


# Words a page may show in Latin letters: file formats and the pack's tool.
ALLOWED_WORDS = {"CSV", "PDF", "Excel", "xlsx", "csv"}
WORD = re.compile(r"[A-Za-z]{3,}")


def _words(html: str) -> set[str]:
    """English words a person reads on the page: text outside tags, scripts, styles, event
    links and the small type that carries ids beside names."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r'<small class="id">.*?</small>', " ", text, flags=re.S)
    text = re.sub(r'<span class="digest">.*?</span>', " ", text, flags=re.S)
    text = re.sub(r"<a class=\"ev\"[^>]*>.*?</a>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"[\w-]*\d[\w-]*", " ", text)  # hashes, event ids and dates are not words
    return {w for w in WORD.findall(text) if w not in ALLOWED_WORDS}


def test_pages_a_role_reaches_show_chinese_and_names_never_sealed_or_english(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    pages = ["/", "/units/village-a", "/units/town-1", "/households?village_id=village-a",
             "/households/hh-001", "/findings", "/findings/f-001", "/findings/f-001/print",
             "/units/village-a/exit-notice", "/people/insp-li"]
    for who in (sign_in("jiwei-zhao", "discipline"), sign_in("cadre-a", "cadre", "village-a")):
        for path in pages:
            answer = who.get(path)
            if answer.status_code == 403:
                continue
            html = answer.get_data(as_text=True)
            assert answer.status_code == 200, path
            assert "_sealed_" not in html, path
            assert not _words(html), (path, " ".join(sorted(_words(html))))


def test_a_unit_typed_by_name_filters_and_a_bad_filter_keeps_the_list_and_the_filters(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    admin = sign_in("county-admin", "admin")
    by_name = admin.get("/households?village_id=东沟村").get_data(as_text=True)
    assert "王大山" in by_name and "周小河" not in by_name
    answer = admin.get("/households?village_id=东沟村!&category=registered_poor")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="filter-errors"' in page
    assert 'value="东沟村!"' in page and "王大山" in page and "周小河" in page
    assert 'value="registered_poor" selected' in page


def test_each_role_is_offered_only_the_actions_it_may_take(
    console_app: Flask, sign_in: Any,
) -> None:
    _county(console_app)
    inspector = sign_in("insp-li", "inspector").get("/units/village-a").get_data(as_text=True)
    viewer = sign_in("viewer-a", "viewer", "village-a").get("/units/village-a")
    assert "/forms/InspectionRecorded" in inspector
    assert "/forms/" not in viewer.get_data(as_text=True)
