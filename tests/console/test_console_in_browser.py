"""The console in a real browser (headless Chromium) against `ledger serve`, on SQLite and on
PostgreSQL: each role signs in; the supervision cycle is walked through the forms; a household
is replayed to a date; a cadre is refused another village; user text is shown as text; a form
without its CSRF token records nothing."""
from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

from service.config import Config
from service.root import Root
from tests.console.browser import Console, Served, chromium, served_ledger

# Where to save screenshots of the main pages (README "Console"): set to refresh them.
SCREENSHOTS = os.environ.get("LEDGER_CONSOLE_SCREENSHOTS")
REGISTRY = [
    {"type": "UnitRegistered", "occurred_at": "2020-01-01T09:00:00+08:00",
     "data": {"unit_id": "town-1", "name": "三家峪镇", "kind": "township"}},
    {"type": "UnitRegistered", "occurred_at": "2020-01-01T09:00:00+08:00",
     "data": {"unit_id": "village-a", "name": "东沟村", "kind": "village", "parent_id": "town-1"}},
    {"type": "UnitRegistered", "occurred_at": "2020-01-01T09:00:00+08:00",
     "data": {"unit_id": "village-b", "name": "西岭村", "kind": "village", "parent_id": "town-1"}},
    {"type": "PersonRegistered", "occurred_at": "2020-01-01T09:00:00+08:00",
     "data": {"person_id": "cadre-wang", "name": "王支书", "unit_id": "village-a"}},
    {"type": "PersonRegistered", "occurred_at": "2020-01-01T09:00:00+08:00",
     "data": {"person_id": "insp-li", "name": "李督查", "unit_id": "town-1"}},
    {"type": "ResponsibilityAssigned", "occurred_at": "2020-01-02T09:00:00+08:00",
     "data": {"person_id": "cadre-wang", "role": "village_secretary", "subject_type": "unit",
              "subject_id": "village-a", "effective_from": "2020-01-01"}},
    {"type": "HouseholdRegistered", "occurred_at": "2020-01-03T09:00:00+08:00",
     "data": {"household_id": "hh-001", "village_id": "village-a", "head_name": "王大山",
              "size": 4, "category": "registered_poor"}},
    {"type": "HouseholdRegistered", "occurred_at": "2020-01-03T09:00:00+08:00",
     "data": {"household_id": "hh-002", "village_id": "village-b", "head_name": "周小河",
              "size": 3, "category": "registered_poor"}},
]
SCRIPT = "<script>alert('x')</script>危房未改"
MET = {f"checks.{n}": "met" for n in ("food", "clothing", "education", "medical", "water")}


@pytest.fixture
def county(database_url: str, tmp_path: Path) -> Iterator[tuple[Served, dict[str, str], Root]]:
    root = Root(Config.from_env(database_url=database_url))
    tokens = {
        "admin": root.ledger.create_token("county-admin", "admin"),
        "inspector": root.ledger.create_token("insp-li", "inspector"),
        "cadre": root.ledger.create_token("cadre-wang", "cadre", "village-a"),
        "discipline": root.ledger.create_token("jiwei-zhao", "discipline"),
        "viewer": root.ledger.create_token("viewer-a", "viewer", "village-a"),
    }
    with served_ledger(database_url, tmp_path) as served:
        served.api(tokens["admin"], "/api/v1/events/batch", {"events": REGISTRY})
        yield served, tokens, root
    root.close()


def _head(root: Root) -> int:
    """How many events the log holds, without the flags the server's follower records on its
    own time (service/late_entries.py): those may land while a refused form is answered."""
    return sum(e.type not in ("LateEntryFlagged", "DecisionContradicted")
               for e in root.ledger.read_log(0, 100_000))


def _last(events: list[dict], type_: str) -> dict:
    """The last event of a type (the server's follower may record flags after it)."""
    return [e for e in events if e["type"] == type_][-1]


def _no_alert(console: Console) -> bool:
    try:
        alert = console.driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return alert is None


def test_the_supervision_cycle_through_the_console(
    county: tuple[Served, dict[str, str], Root], database_url: str, tmp_path: Path,
) -> None:
    served, tokens, root = county
    shots = SCREENSHOTS and database_url.startswith("sqlite")  # one set is enough
    with chromium() as driver:
        console = Console(driver, served.base)

        # Without a session every page leads to the sign-in page; a bad token is refused.
        console.open("/households/hh-001")
        assert "/login" in driver.current_url
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
        console.sign_in("lgr_not-a-token")
        assert "令牌无效" in console.text(".error")

        # The inspector records a visit through the inspection form.
        console.sign_in(tokens["inspector"])
        console.submit_form("InspectionRecorded", {
            "inspection_id": "i-001", "method": "visit", "inspector_ids": "insp-li",
            **MET, "checks.housing": "unmet", "income.wage": "9000", "income.transfer": "2000",
            "occurred_at": "2020-03-10T10:00:00"},
            "?subject_type=household&subject_id=hh-001")
        assert "/households/hh-001" in driver.current_url, console.text()
        assert "已记录" in console.text(".flash")
        assert "未达标" in console.text("#guarantees")

        # A finding whose description is a script: shown as text, never run.
        console.submit_form("FindingRaised", {
            "finding_id": "f-001", "category": "housing", "description": SCRIPT,
            "responsible_unit_id": "village-a", "responsible_person_id": "cadre-wang",
            "due_date": "2020-04-30", "inspection_id": "i-001",
            "occurred_at": "2020-03-12T09:30:00"},
            "?subject_type=household&subject_id=hh-001")
        assert "/findings/f-001" in driver.current_url
        assert console.text("#description") == SCRIPT
        assert _no_alert(console)
        if shots:
            console.screenshot(Path(SCREENSHOTS) / "finding.png")

        # The cadre reports a fix with an evidence file, hashed in the browser and uploaded.
        evidence = tmp_path / "照片.pdf"
        evidence.write_bytes(b"%PDF-1.4 roof repaired, 2020-04-20")
        console.sign_in(tokens["cadre"])
        console.open("/forms/RectificationReported?finding_id=f-001")
        console.fill({"description": "已修缮屋顶", "occurred_at": "2020-04-20T15:00:00"})
        driver.find_element(By.NAME, "evidence_files").send_keys(str(evidence))
        digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
        assert _wait_for(lambda: digest in console.text("#evidence-list"))
        console.submit()
        assert "已报整改" in console.text("#status")
        reported = _last(served.api(tokens["admin"], "/api/v1/events?limit=1000")["events"],
                         "RectificationReported")
        assert reported["data"]["evidence"] == [{"name": evidence.name, "sha256": digest}]

        # The inspector rejects it; verifying again is refused next to the field, with what
        # was typed kept, and nothing recorded.
        console.sign_in(tokens["inspector"])
        console.submit_form("RectificationVerified", {
            "accepted": "false", "note": "屋顶仍漏雨", "occurred_at": "2020-04-22T10:00:00"},
            "?finding_id=f-001")
        assert "未整改" in console.text("#status")
        assert "屋顶仍漏雨" in console.text("body")
        before = _head(root)
        console.submit_form("RectificationVerified", {
            "accepted": "true", "note": "再次核验"}, "?finding_id=f-001")
        assert "不符合当前流程状态" in console.field_errors("finding_id")
        assert console.value("note") == "再次核验"
        assert _head(root) == before

        # A missing required field is named in Chinese next to it, nothing recorded.
        console.submit_form("WarningIssued", {"warning_id": "w-x", "unit_id": "village-a",
                                              "color": "yellow", "period": "2020-Q1"})
        assert "此项必填" in console.field_errors("reason")
        assert console.value("warning_id") == "w-x"
        assert _head(root) == before

        # Reported again and accepted.
        console.sign_in(tokens["cadre"])
        console.submit_form("RectificationReported", {
            "description": "重新修缮并验收", "occurred_at": "2020-04-25T15:00:00"},
            "?finding_id=f-001")
        console.sign_in(tokens["inspector"])
        console.submit_form("RectificationVerified", {
            "accepted": "true", "note": "已修好", "occurred_at": "2020-04-28T10:00:00"},
            "?finding_id=f-001")
        assert "已销号" in console.text("#status")

        # A later visit finds the housing met.
        console.submit_form("InspectionRecorded", {
            "inspection_id": "i-002", "method": "visit", "inspector_ids": "insp-li",
            **MET, "checks.housing": "met", "occurred_at": "2020-05-10T10:00:00"},
            "?subject_type=household&subject_id=hh-001")
        assert "未达标" not in console.text("#guarantees")

        # Two yellow cards in consecutive quarters: the board shows an interview due.
        for warning, period, day in (("w-1", "2020-Q1", "2020-03-31"),
                                     ("w-2", "2020-Q2", "2020-06-30")):
            console.submit_form("WarningIssued", {
                "warning_id": warning, "unit_id": "village-a", "color": "yellow",
                "period": period, "reason": "走访不到位", "occurred_at": f"{day}T17:00:00"})
        assert "/units/village-a" in driver.current_url
        assert "待约谈" in console.text("#interviews")
        assert "cadre-wang" in console.text("#interviews")
        if shots:
            console.screenshot(Path(SCREENSHOTS) / "unit.png")

        # Replay: the household on 20 March 2020 had its housing unmet, marked as a replay.
        console.open("/households/hh-001?valid_at=2020-03-20")
        assert "回放视图" in console.text("#replay-banner")
        assert "未达标" in console.text("#guarantees")
        assert "f-001" in console.text("body")
        if shots:
            console.screenshot(Path(SCREENSHOTS) / "household-replay.png")
        console.open("/households/hh-001")
        assert not driver.find_elements(By.ID, "replay-banner")

        # A form posted without its CSRF token is refused and records nothing.
        before = _head(root)
        console.open("/forms/WarningIssued?unit_id=village-a")
        console.fill({"warning_id": "w-3", "color": "red", "period": "2020-Q3",
                      "reason": "伪造请求"})
        driver.execute_script(
            "document.querySelector('#event-form input[name=csrf_token]').remove()")
        console.submit()
        assert "防伪令牌" in console.text("body")
        assert _head(root) == before

        # The cadre reads its own village but is refused another village's household.
        console.sign_in(tokens["cadre"])
        console.open("/households/hh-001")
        assert "王大山" in console.text("h1")
        console.open("/households/hh-002")
        assert "无权查看" in console.text("h1")
        assert "周小河" not in driver.page_source
        console.open("/units/village-b")
        assert "无权查看" in console.text("h1")

        # With scripts off the pages still work, and an evidence file is uploaded and hashed
        # by the server.
        served.api(tokens["inspector"], "/api/v1/events", {
            "type": "FindingRaised", "occurred_at": "2020-06-01T09:00:00+08:00",
            "data": {"finding_id": "f-002", "subject_type": "household", "subject_id": "hh-001",
                     "category": "water", "description": "饮水不安全",
                     "responsible_unit_id": "village-a", "due_date": "2020-07-01"}})
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        console.open("/forms/RectificationReported?finding_id=f-002")
        assert "由服务器计算" in console.text("#no-script")
        console.fill({"description": "已通自来水"})
        driver.find_element(By.NAME, "evidence_files").send_keys(str(evidence))
        console.submit()
        assert "已报整改" in console.text("#status")
        reported = _last(served.api(tokens["admin"], "/api/v1/events?limit=1000")["events"],
                         "RectificationReported")
        assert reported["data"]["evidence"] == [{"name": evidence.name, "sha256": digest}]
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})

        # The viewer reads its unit and may not write.
        console.sign_in(tokens["viewer"])
        console.open("/units/village-a")
        assert "东沟村" in console.text("h1")
        console.open("/forms")
        assert "只能查看" in console.text("body")

        # The discipline committee follows the trail to the evidence.
        console.sign_in(tokens["discipline"])
        console.open("/people/cadre-wang")
        trail = console.text("#trail-rejected_rectifications")
        assert "f-001" in trail and "屋顶仍漏雨" in trail
        console.click_and_wait("#trail-rejected_rectifications a.ev")
        assert "位置" in console.text("body") and "RectificationReported" in console.text("h1")
        if shots:
            console.open("/people/cadre-wang")
            console.screenshot(Path(SCREENSHOTS) / "person.png")

        # The admin sees the overview and the findings ledger; then signs out.
        console.sign_in(tokens["admin"])
        console.open("/")
        assert "台账完整性" in console.text("body")
        assert driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")
        if shots:
            console.screenshot(Path(SCREENSHOTS) / "overview.png")
            for path, name in (("/findings", "findings.png"), ("/households", "households.png"),
                               ("/households/hh-001", "household.png"),
                               ("/forms/InspectionRecorded", "inspection-form.png"),
                               ("/ledger", "ledger.png")):
                console.open(path)
                console.screenshot(Path(SCREENSHOTS) / name)
        console.open("/")
        console.click_and_wait("header form button")
        assert "/login" in driver.current_url
        console.open("/findings")
        assert "/login" in driver.current_url


def _wait_for(condition, tries: int = 50) -> bool:
    """Poll a condition the page's script fulfils asynchronously (no timing is asserted)."""
    import time

    for _ in range(tries):
        if condition():
            return True
        time.sleep(0.1)
    return False


PHONE_PAGES = ("/", "/households?village_id=village-a", "/households/hh-001", "/findings",
               "/findings/f-phone", "/units/village-a", "/people/cadre-wang", "/forms",
               "/forms/FindingRaised")


def test_on_a_phone_no_page_scrolls_sideways_and_the_order_prints_on_a4_with_names(
    county: tuple[Served, dict[str, str], Root],
) -> None:
    served, tokens, _ = county
    served.api(tokens["admin"], "/api/v1/events", {"type": "FindingRaised", "data": {
        "finding_id": "f-phone", "subject_type": "household", "subject_id": "hh-001",
        "category": "housing", "description": "危房未改造", "due_date": "2099-05-31",
        "responsible_unit_id": "village-a", "responsible_person_id": "cadre-wang"}})
    with chromium() as driver:
        console = Console(driver, served.base)
        console.sign_in(tokens["cadre"])
        driver.set_window_size(390, 844)
        for path in PHONE_PAGES:
            console.open(path)
            wide = driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            assert wide[1] <= 400 and wide[0] <= wide[1], (path, wide)
        if SCREENSHOTS:
            console.open("/households/hh-001")
            console.screenshot(Path(SCREENSHOTS) / "household-phone.png")
        driver.set_window_size(1280, 1000)
        console.open("/findings/f-phone/print")
        assert "王支书" in console.text() and "王大山" in console.text()
        assert "_sealed_" not in driver.page_source
        options = PrintOptions()
        options.page_width, options.page_height = 21.0, 29.7
        pdf = base64.b64decode(driver.print_page(options))
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    assert re.search(rb"/MediaBox \[0 0 595\.\d+ 841\.\d+\]", pdf)
