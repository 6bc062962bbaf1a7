"""Every read door that is not a plain API read: the console's pages, spreadsheets and evidence
packs for every token on every village, the global log (opened for the committee and admins,
sealed for a `replicate` token), disputes, and the read audit of what the console and the log
show, on both backends.

Expectations come from CONTRACT.md ("Protection (third round)", "The household in full"): one
scope for every door, by subtree; a refusal (403) names no unit and shows none of the subject's
data; the log is the committee's and admins'; reads of personal data are audited on the console
as on the API. Each test here failed on main before the access policy (issue 18 items 1, 2, 7,
12): the console pages listed below had no test refusing a token out of scope, the log answered
every token, and a dispute of an inspection was read by anyone.
"""
from __future__ import annotations

import re

import pytest
from werkzeug.test import TestResponse

from ledger.privacy.fields import SEALED
from tests.guards.county import (
    EVENTS,
    READ_SCOPE,
    READ_UNITS,
    READERS,
    County,
)

# The console's doors about one village: path, and what a 200 answer must show (None: a file
# whose bytes are not text).
CONSOLE_DOORS: dict[str, tuple[str, str | None]] = {
    "household": ("/households/{household}", "{household}"),
    "household-list": ("/households?village_id={unit}", "{household}"),
    "household-csv": ("/households?village_id={unit}&format=csv", "{household}"),
    "household-xlsx": ("/households?village_id={unit}&format=xlsx", None),
    "findings": ("/findings?unit_id={unit}", "{finding}"),
    "findings-of-household": (
        "/findings?subject_type=household&subject_id={household}", "{finding}"),
    "findings-of-person": ("/findings?person_id={person}", "{finding}"),
    "findings-csv": ("/findings?unit_id={unit}&format=csv", "{finding}"),
    "findings-xlsx": ("/findings?unit_id={unit}&format=xlsx", None),
    "finding": ("/findings/{finding}", "{finding}"),
    "finding-print": ("/findings/{finding}/print", "{finding}"),
    "unit": ("/units/{unit}", "{unit}"),
    "exit-notice": ("/units/{unit}/exit-notice", "{unit_name}"),
    "person": ("/people/{person}", "{person}"),
    "dispute": ("/disputes/{dispute}", "{dispute}"),
    "dispute-of-inspection": ("/disputes/{inspection_dispute}", "{inspection_dispute}"),
    "evidence-household": ("/evidence/household/{household}", "{household}"),
    "evidence-finding": ("/evidence/finding/{finding}", "{finding}"),
    "evidence-unit": ("/evidence/unit/{unit}", "{unit}"),
    "evidence-person": ("/evidence/person/{person}", "{person}"),
    "event": ("/events/{event}", "{event}"),
    "evidence-file": ("/evidence-files/{evidence}", None),
}
# Console pages about no one village (the overview shows a scoped token its own unit).
CONSOLE_UNSCOPED = ("/", "/households", "/findings", "/ledger", "/forms",
                    "/forms/FindingRaised")
CONSOLE_NOT_PAGES = {"console_auth.login", "console_auth.static"}
# The console asks the same policy as the API (whose matrix tries every token): here each kind
# of token once, a village's viewer and a township's cadre for the scoped ones.
CONSOLE_READERS = ("admin", "inspector", "discipline", "viewer", "cadre-town")
LOG = EVENTS + "?limit=1000"
AUDIT = "/api/v1/audit/reads?subject_type={kind}&subject_id={id}"


def _fill(template: str, county: County, unit: str) -> str:
    village = county.villages[unit]
    return template.format(unit=village.unit, household=village.household,
                           finding=village.finding, person=village.person,
                           dispute=village.dispute,
                           inspection_dispute=village.inspection_dispute,
                           event=county.proofs[unit], unit_name=f"Village {unit[1:]}",
                           evidence=village.evidence)


def _reads(reader: str, unit: str) -> bool:
    scope = READ_SCOPE[reader]
    return scope is None or unit in scope


def _page_refused(answer: TestResponse, county: County, unit: str) -> None:
    """A console refusal: 403 (the app's answer out of scope), none of the village's data, and
    not its unit."""
    assert answer.status_code == 403, (answer.status_code, answer.get_data(as_text=True)[:300])
    text = answer.get_data(as_text=True)
    assert county.villages[unit].head_name not in text
    assert re.search(rf"\b{unit}\b", text) is None


@pytest.mark.parametrize("unit", READ_UNITS)
@pytest.mark.parametrize("door", CONSOLE_DOORS)
@pytest.mark.parametrize("reader", CONSOLE_READERS)
def test_a_console_door_answers_within_the_tokens_subtree_and_is_refused_outside(
    county: County, reader: str, door: str, unit: str
) -> None:
    village = READ_UNITS[unit]
    path, marker = CONSOLE_DOORS[door]
    answer = county.page(reader, _fill(path, county, village))
    if not _reads(reader, village):
        _page_refused(answer, county, village)
        return
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    if marker is not None:
        assert _fill(marker, county, village) in answer.get_data(as_text=True)


@pytest.mark.parametrize("reader", READERS)
def test_the_consoles_unfiltered_lists_and_exports_show_only_the_tokens_subtree(
    county: County, reader: str
) -> None:
    for path, subject in (("/households?format=csv", "household"),
                          ("/findings?format=csv", "finding")):
        text = county.page(reader, path).get_data(as_text=True)
        for unit, village in county.villages.items():
            assert (getattr(village, subject) in text) is _reads(reader, unit), (path, unit)


@pytest.mark.parametrize("reader", CONSOLE_READERS)
def test_console_pages_about_no_village_answer_every_token(county: County, reader: str) -> None:
    for path in CONSOLE_UNSCOPED:
        assert county.page(reader, path).status_code == 200, path


def test_the_doors_cover_every_console_page(county: County) -> None:
    adapter = county.app.url_map.bind("localhost")
    paths = [_fill(p, county, "v1") for p, _ in CONSOLE_DOORS.values()]
    covered = {adapter.match(p.split("?")[0])[0] for p in [*paths, *CONSOLE_UNSCOPED]}
    pages = {rule.endpoint for rule in county.app.url_map.iter_rules()
             if rule.endpoint.startswith("console") and "GET" in (rule.methods or ())}
    assert pages - covered - CONSOLE_NOT_PAGES == set()


# The global log ---------------------------------------------------------------------------
def test_a_replicate_token_reads_the_whole_log_with_personal_fields_sealed(
    county: County,
) -> None:
    token = county.ledger.create_token("replica-1", "admin", scopes=("replicate",))
    answer = county.client.get(LOG, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert not any(v.head_name in text for v in county.villages.values())
    registered = [e for e in answer.get_json()["events"] if e["type"] == "HouseholdRegistered"]
    assert len(registered) == len(county.villages)
    assert all(SEALED in e["data"]["head_name"] for e in registered)
    # The same page for the committee shows the names, and the same positions and hashes.
    opened = county.get("discipline", LOG).get_json()["events"]
    assert [(e["position"], e["hash"]) for e in opened][:len(answer.get_json()["events"])] == [
        (e["position"], e["hash"]) for e in answer.get_json()["events"]]
    assert {v.head_name for v in county.villages.values()} <= {
        e["data"]["head_name"] for e in opened if e["type"] == "HouseholdRegistered"}


def test_a_replicate_token_is_given_nothing_opened_elsewhere_and_records_nothing(
    county: County,
) -> None:
    token = county.ledger.create_token("replica-2", "admin", scopes=("replicate",))
    auth = {"Authorization": f"Bearer {token}"}
    village = county.villages["v1"]
    for path in (f"/api/v1/households/{village.household}", f"/api/v1/units/{village.unit}",
                 f"/api/v1/disputes/{village.dispute}"):
        answer = county.client.get(path, headers=auth)
        assert answer.status_code == 403, path
        assert village.head_name not in answer.get_data(as_text=True)
    assert county.client.get("/api/v1/households", headers=auth).get_json()["items"] == []
    head = county.head()
    answer = county.client.post(EVENTS, headers=auth, json={
        "type": "UnitRegistered", "data": {"unit_id": "u-replica", "name": "X", "kind": "group"}})
    assert answer.status_code == 403
    assert county.head() == head


def _audited(county: County, kind: str, natural_id: str) -> list[dict]:
    answer = county.get("admin", AUDIT.format(kind=kind, id=natural_id))
    assert answer.status_code == 200
    return answer.get_json()["reads"]


def test_a_page_of_the_log_read_by_the_committee_goes_to_the_read_audit(
    county: County,
) -> None:
    village = county.villages["v3"]
    before = len(_audited(county, "household", village.household))
    assert county.get("discipline", LOG).status_code == 200
    after = _audited(county, "household", village.household)
    assert len(after) == before + 1
    assert (after[-1]["actor"], after[-1]["route"]) == ("discipline-1", "/api/v1/events")
    assert county.get("viewer", LOG).status_code == 403
    assert len(_audited(county, "household", village.household)) == before + 1


# The console's reads of personal data ----------------------------------------------------
@pytest.mark.parametrize(("path", "kind", "field"), [
    ("/households/{household}", "household", "household"),
    ("/people/{person}", "person", "person"),
    ("/evidence/household/{household}", "household", "household"),
    ("/disputes/{inspection_dispute}", "household", "household"),
])
def test_a_console_read_of_personal_data_goes_to_the_read_audit(
    county: County, path: str, kind: str, field: str
) -> None:
    natural_id = getattr(county.villages["v1"], field)
    before = len(_audited(county, kind, natural_id))
    assert county.page("viewer", _fill(path, county, "v1")).status_code == 200
    after = _audited(county, kind, natural_id)
    assert len(after) == before + 1
    assert after[-1]["actor"] == "viewer-1" and after[-1]["role"] == "viewer"
    # A refused page shows nothing, so nothing is audited.
    other = getattr(county.villages["v2"], field)
    before = len(_audited(county, kind, other))
    assert county.page("viewer", _fill(path, county, "v2")).status_code == 403
    assert len(_audited(county, kind, other)) == before


# Disputes -------------------------------------------------------------------------------
@pytest.mark.parametrize("contested", ["proofs", "warnings"])
def test_a_cadre_may_not_dispute_another_units_finding_or_warning(
    county: County, contested: str
) -> None:
    head = county.head()
    for number, unit in enumerate(("v2", "v3")):
        answer = county.post("cadre", {"type": "DisputeOpened", "data": {
            "dispute_id": f"dc-{contested}-{number}",
            "contested_event_id": getattr(county, contested)[unit], "grounds": "unfair"}})
        assert answer.status_code == 403
        assert re.search(r"\bv[123]\b|\bt[12]\b", answer.get_data(as_text=True)) is None
    assert county.head() == head
    mine = county.post("cadre", {"type": "DisputeOpened", "data": {
        "dispute_id": f"dc-{contested}-own", "contested_event_id": getattr(county, contested)["v1"],
        "grounds": "unfair"}})
    assert mine.status_code == 201


def test_a_dispute_of_an_inspection_is_in_its_households_scope(county: County) -> None:
    village = county.villages["v2"]
    path = f"/api/v1/disputes/{village.inspection_dispute}"
    answer = county.get("viewer", path)
    assert answer.status_code == 403
    assert "was not at home" not in answer.get_data(as_text=True)
    shown = county.get("viewer-town", path).get_json()
    assert shown["subject"] == {"type": "household", "id": village.household}
    assert shown["grounds"] == f"{village.head_name} was not at home"


def test_a_tokens_event_is_no_units_business_on_the_console(county: County) -> None:
    issued = next(e for e in county.ledger.read_log(0, 1000)
                  if e.type == "TokenIssued" and e.data.get("unit_id") == "v1")
    assert county.page("viewer", f"/events/{issued.event_id}").status_code == 403
    assert county.page("admin", f"/events/{issued.event_id}").status_code == 200


def test_a_dispute_read_is_audited_for_whom_the_contested_event_is_about(
    county: County,
) -> None:
    """d1 contests a finding (its subject) whose description is about household h1."""
    village = county.villages["v1"]
    before = len(_audited(county, "household", village.household))
    answer = county.get("viewer", f"/api/v1/disputes/{village.dispute}")
    assert answer.status_code == 200
    assert village.head_name in answer.get_data(as_text=True)
    after = _audited(county, "household", village.household)
    assert len(after) == before + 1
    assert after[-1]["route"] == "/api/v1/disputes/<string:dispute_id>"


def test_a_village_token_replays_its_findings_ledger_without_naming_its_unit(
    county: County,
) -> None:
    page = county.page("viewer", "/findings?valid_at=2020-06-30")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert re.search(r"\bf1\b", text) and re.search(r"\bf2\b", text) is None
    # A township's scope is several units: its replay names one, as an admin's does.
    assert county.page("viewer-town", "/findings?valid_at=2020-06-30").status_code == 400
    assert county.page("admin", "/findings?valid_at=2020-06-30").status_code == 400
