"""Every role against every endpoint, on its own unit and on another, on both backends.

The expectations are written out here from CONTRACT.md and the README's roles, not read from
the code they guard: cadres and viewers read only within their unit and the units below it (a
township's token reads its villages); each event type has the roles that may record it; a cadre
records household facts and rectification reports only for its own unit, and disputes only
events within its scope. A refused request answers 403 `forbidden`, names no unit, shows none of
the subject's data and records nothing. The console's doors: test_console_doors.py.
"""
from __future__ import annotations

import io
import itertools
import re

import pytest
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from tests.guards.county import (
    EVENTS,
    READ_SCOPE,
    READ_UNITS,
    READERS,
    ROLES,
    SCOPED_ROLES,
    UNIT_IDS,
    UNITS,
    County,
)
from tests.guards.writes import MAKERS

# Who may record each client event type (README "Roles"; CONTRACT.md "Identity").
WHO_MAY_RECORD: dict[str, set[str]] = {
    "UnitRegistered": {"admin"},
    "PersonRegistered": {"admin"},
    "HouseholdRegistered": {"admin"},
    "HouseholdFactsRecorded": {"admin", "inspector", "cadre"},
    "ResponsibilityAssigned": {"admin"},
    "ResponsibilityEnded": {"admin"},
    "UnitListed": {"admin", "inspector"},
    "UnitDelisted": {"admin", "inspector"},
    "InspectionRecorded": {"admin", "inspector"},
    "FindingRaised": {"admin", "inspector"},
    "RectificationReported": {"admin", "cadre"},
    "RectificationVerified": {"admin", "inspector"},
    "DeadlineExtended": {"admin", "inspector"},
    "FindingWithdrawn": {"admin", "inspector"},
    "FindingTransferred": {"admin", "inspector"},
    "QuarterlyRatingRecorded": {"admin", "inspector"},
    "WarningIssued": {"admin", "inspector"},
    "WarningRevoked": {"admin", "inspector"},
    "InterviewHeld": {"admin", "discipline"},
    "AccountabilityMeasureTaken": {"discipline"},
    "ScoreRecorded": {"admin", "inspector"},
    "DisputeOpened": {"admin", "inspector", "cadre", "discipline"},
    "DisputeResolved": {"discipline"},
    "PersonalDataErased": {"admin", "discipline"},
    "RuleParameterSet": {"admin"},
    "HelpPlanRecorded": {"admin", "cadre"},
    "MeasureCompleted": {"admin", "cadre"},
    "SystemRecordCompared": {"admin", "inspector"},
    "MismatchResolved": {"admin", "inspector"},
    # The household lifecycle: the village's cadres (and admins) carry out exits and monitoring.
    "ExitAppraised": {"admin", "cadre"},
    "ExitVerified": {"admin", "cadre"},
    "ExitAcknowledged": {"admin", "cadre"},
    "ExitPublicized": {"admin", "cadre"},
    "ExitObjectionRaised": {"admin", "cadre"},
    "ExitObjectionSettled": {"admin", "cadre"},
    "HouseholdExited": {"admin", "cadre"},
    "MonitoringStarted": {"admin", "cadre"},
    "RiskEliminated": {"admin", "cadre"},
    # Poor villages: at county level (an admin, or a cadre of the county).
    "VillagePopulationRecorded": {"admin", "cadre"},
    "VillageExitRecorded": {"admin", "cadre"},
    # Members: cadres of a unit containing the household. InspectionRecorded above: a cadre
    # records one only as the household's helper cadre, which the matrix's cadre is not.
    "MemberRegistered": {"admin", "cadre"},
    "MemberFactsRecorded": {"admin", "cadre"},
    "MemberLeft": {"admin", "cadre"},
    # County level: the matrix's cadre is a village's (a county's cadre: tests/projections).
    "HouseholdReclassified": {"admin"},
}
# Writes a cadre makes only with a token of the county: a village's cadre is refused.
COUNTY_LEVEL = {"VillagePopulationRecorded", "VillageExitRecorded"}
# Writes a cadre may make only for its own unit (a dispute: of an event within its scope).
OWN_UNIT_ONLY = {"HouseholdFactsRecorded", "RectificationReported", "ExitAppraised",
                 "ExitVerified", "ExitAcknowledged", "ExitPublicized", "ExitObjectionRaised",
                 "ExitObjectionSettled", "HouseholdExited", "MonitoringStarted",
                 "RiskEliminated", "HelpPlanRecorded", "MeasureCompleted", "DisputeOpened",
                 "MemberRegistered", "MemberFactsRecorded", "MemberLeft"}
LEDGER_ONLY_TYPES = ("InterviewRequired", "FindingAttached", "YellowCardNoted", "TokenIssued",
                     "DataMismatchFound", "OpenFindingCounted", "OpenFindingSettled",
                     "QuarterlyRatingWithdrawn")

# Reads of one unit's subjects: path, and what a 200 answer must mention.
SCOPED_READS: dict[str, tuple[str, str]] = {
    "household": ("/api/v1/households/{household}", "{household}"),
    "household-replayed": ("/api/v1/households/{household}?valid_at=2020-06-30", "{household}"),
    "household-history": ("/api/v1/households/{household}/history", "{household}"),
    "findings-of-unit": ("/api/v1/findings?unit_id={unit}", "{finding}"),
    "findings-of-household": (
        "/api/v1/findings?subject_type=household&subject_id={household}", "{finding}"),
    "findings-export": ("/api/v1/findings-export?unit_id={unit}&format=csv", "{finding}"),
    "finding-trail": ("/api/v1/findings/{finding}", "{finding}"),
    "unit-board": ("/api/v1/units/{unit}", "{finding}"),
    "accountability": ("/api/v1/people/{person}/accountability", "{finding}"),
    "evidence-household": ("/api/v1/evidence/household/{household}", "{household}"),
    "evidence-finding": ("/api/v1/evidence/finding/{finding}", "{finding}"),
    "evidence-unit": ("/api/v1/evidence/unit/{unit}", "{unit}"),
    "evidence-person": ("/api/v1/evidence/person/{person}", "{person}"),
    "dispute": ("/api/v1/disputes/{dispute}", "{finding}"),
    "dispute-of-inspection": ("/api/v1/disputes/{inspection_dispute}", "{household}"),
    "findings-of-person": ("/api/v1/findings?person_id={person}", "{finding}"),
    "household-list": ("/api/v1/households?village_id={unit}", "{household}"),
    "household-list-csv": ("/api/v1/households.csv?village_id={unit}", "{household}"),
    "evidence-file": ("/api/v1/evidence/{evidence}", "the roof of {unit}"),
}
# The household list as a spreadsheet: a zip, so its cells are read with openpyxl.
HOUSEHOLD_XLSX = "/api/v1/households.xlsx?village_id={unit}"
# Reads with no unit to scope by: every role gets them.
UNSCOPED_READS = (
    "/api/v1/event-types",
    "/api/v1/scoring/r1",
    "/api/v1/scoring/years/2020",
    "/api/v1/ratings/2020-Q1",  # lights are circulated (通报) like competition rankings
    "/api/v1/views/position",
    "/api/v1/ledger/verify",
    "/api/v1/ledger/checkpoints",
    "/api/v1/ledger/proofs/inclusion?position=1&tree_size=5",
    "/api/v1/ledger/proofs/consistency?old=1&new=5",
    "/api/v1/units?listed=false",  # a cadre or viewer is answered its own subtree's units
)
UNFILTERED_FINDINGS = ("/api/v1/findings", "/api/v1/findings-export?format=csv")
UNFILTERED_HOUSEHOLDS = ("/api/v1/households", "/api/v1/households.csv")
# Reads for the discipline committee and admins only: who read a subject's personal data.
AUDITORS = ("admin", "discipline")
AUDIT_READS = ("/api/v1/audit/reads?subject_type=household&subject_id={household}",
               "/api/v1/audit/reads?subject_type=person&subject_id={person}",
               "/api/v1/late-entries?unit_id={unit}")
# The global log: the committee and admins only (a `replicate` token: test_read_doors.py).
LOG = "/api/v1/events?limit=200"
LOG_READERS = ("admin", "discipline")
WRITES = (EVENTS, EVENTS + "/batch", "/api/v1/ledger/checkpoints")
EVIDENCE_PUT = "/api/v1/evidence/{evidence}?subject_type=household&subject_id={household}"
OPEN_PATHS = ("/healthz", "/api/v1/openapi.json", "/api/v1/docs", "/metrics")

fresh = itertools.count(1)


def _fill(template: str, county: County, unit: str) -> str:
    village = county.villages[unit]
    return template.format(unit=village.unit, household=village.household,
                           finding=village.finding, person=village.person,
                           dispute=village.dispute,
                           inspection_dispute=village.inspection_dispute,
                           evidence=village.evidence)


NAMED_UNIT = re.compile(r"\b(" + "|".join(UNIT_IDS) + r")\b")


def _refused(answer: TestResponse, county: County, unit: str) -> None:
    assert answer.status_code == 403, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["error"]["code"] == "forbidden"
    text = answer.get_data(as_text=True)
    assert county.villages[unit].head_name not in text  # none of the subject's data
    assert NAMED_UNIT.search(text) is None, text  # and no unit, its own or the token's


def _reads(reader: str, unit: str) -> bool:
    scope = READ_SCOPE[reader]
    return scope is None or unit in scope


# Reads ---------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", READ_UNITS)
@pytest.mark.parametrize("read", SCOPED_READS)
@pytest.mark.parametrize("reader", READERS)
def test_a_read_answers_within_the_tokens_subtree_and_is_refused_outside(
    county: County, reader: str, read: str, unit: str
) -> None:
    path, marker = (_fill(t, county, READ_UNITS[unit]) for t in SCOPED_READS[read])
    answer = county.get(reader, path)
    if not _reads(reader, READ_UNITS[unit]):
        _refused(answer, county, READ_UNITS[unit])
    else:
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        assert marker in answer.get_data(as_text=True)


@pytest.mark.parametrize(("path", "subject"), [
    *((path, "finding") for path in UNFILTERED_FINDINGS),
    *((path, "household") for path in UNFILTERED_HOUSEHOLDS)])
@pytest.mark.parametrize("reader", READERS)
def test_an_unfiltered_list_shows_a_scoped_token_only_its_subtree(
    county: County, reader: str, path: str, subject: str
) -> None:
    answer = county.get(reader, path)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    for unit in READ_UNITS.values():
        assert (getattr(county.villages[unit], subject) in text) is _reads(reader, unit), unit


@pytest.mark.parametrize("unit", READ_UNITS)
@pytest.mark.parametrize("reader", READERS)
def test_the_household_spreadsheet_answers_within_the_tokens_subtree(
    county: County, reader: str, unit: str
) -> None:
    answer = county.get(reader, _fill(HOUSEHOLD_XLSX, county, READ_UNITS[unit]))
    if not _reads(reader, READ_UNITS[unit]):
        _refused(answer, county, READ_UNITS[unit])
    else:
        assert answer.status_code == 200
        cells = list(load_workbook(io.BytesIO(answer.data)).active.values)
        assert [row[0] for row in cells[1:]] == [county.villages[READ_UNITS[unit]].household]


@pytest.mark.parametrize("reader", READERS)
def test_the_global_log_answers_the_committee_and_admins_only(
    county: County, reader: str
) -> None:
    answer = county.get(reader, LOG)
    if reader in LOG_READERS:
        assert answer.status_code == 200
        assert county.villages["v3"].head_name in answer.get_data(as_text=True)
    else:
        _refused(answer, county, "v3")


@pytest.mark.parametrize("path", UNSCOPED_READS)
@pytest.mark.parametrize("role", ROLES)
def test_reads_without_a_unit_answer_every_role(county: County, role: str, path: str) -> None:
    answer = county.get(role, path)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("path", AUDIT_READS)
@pytest.mark.parametrize("role", ROLES)
def test_the_read_audit_answers_the_committee_and_admins_only(
    county: County, role: str, path: str, unit: str
) -> None:
    answer = county.get(role, _fill(path, county, UNITS[unit]))
    if role in AUDITORS:
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    else:
        _refused(answer, county, UNITS[unit])


def _every_path(county: County) -> list[tuple[str, str]]:
    reads = [_fill(t, county, unit) for t, _ in SCOPED_READS.values() for unit in UNITS.values()]
    reads += [_fill(HOUSEHOLD_XLSX, county, unit) for unit in UNITS.values()]
    reads += [_fill(t, county, UNITS["own"]) for t in AUDIT_READS]
    return ([("GET", p) for p in reads + [LOG] + list(UNSCOPED_READS) + list(UNFILTERED_FINDINGS)
             + list(UNFILTERED_HOUSEHOLDS)] + [("POST", p) for p in WRITES]
            + [("PUT", _fill(EVIDENCE_PUT, county, UNITS["own"]))])


def test_no_endpoint_but_health_and_the_document_answers_without_a_token(
    county: County,
) -> None:
    head = county.head()
    for n, (method, path) in enumerate(_every_path(county)):
        # Each from its own address: 20 failures from one address a minute get 429 after.
        address = {"REMOTE_ADDR": f"10.2.{n // 200}.{n % 200 + 1}"}
        answer = county.client.open(path, method=method, json={}, environ_base=address)
        assert answer.status_code == 401, (method, path)
        assert answer.get_json()["error"]["code"] == "unauthorized"
    for path in OPEN_PATHS:
        assert county.client.get(path).status_code == 200
    assert county.head() == head


def test_the_matrix_covers_every_endpoint_of_the_app(county: County) -> None:
    adapter = county.app.url_map.bind("localhost")
    covered = {adapter.match(path.split("?")[0], method=method)[0]
               for method, path in _every_path(county)}
    covered |= {adapter.match(path)[0] for path in OPEN_PATHS}
    # The console's pages apply the same checks through the API's own functions; its scope is
    # tested page by page in tests/console.
    every = {rule.endpoint for rule in county.app.url_map.iter_rules()
             if not rule.endpoint.startswith("console")} - {"static"}
    assert every - covered == set()


# Writes --------------------------------------------------------------------------------
def _expected_write(role: str, type_: str, unit: str) -> int:
    if role not in WHO_MAY_RECORD[type_]:
        return 403
    if role in SCOPED_ROLES and unit == "other" and type_ in OWN_UNIT_ONLY:
        return 403
    if role in SCOPED_ROLES and type_ in COUNTY_LEVEL:
        return 403
    return 201


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("type_", WHO_MAY_RECORD)
@pytest.mark.parametrize("role", ROLES)
def test_a_write_is_recorded_or_refused_by_role_and_unit(
    county: County, role: str, type_: str, unit: str
) -> None:
    data = MAKERS[type_](county, UNITS[unit], next(fresh))
    head = county.head()
    answer = county.post(role, {"type": type_, "data": data})
    expected = _expected_write(role, type_, unit)
    if expected == 403:
        _refused(answer, county, UNITS[unit])
        assert county.head() == head  # nothing recorded
    else:
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        assert (body["type"], body["actor"]) == (type_, f"{role}-1")
        assert county.head() != head


def test_every_client_event_type_is_in_the_matrix() -> None:
    from api.schemas.event_types import CLIENT_DATA

    assert set(WHO_MAY_RECORD) == set(CLIENT_DATA) == set(MAKERS)


@pytest.mark.parametrize("type_", LEDGER_ONLY_TYPES)
@pytest.mark.parametrize("role", ROLES)
def test_types_only_the_ledger_records_are_refused_to_every_role(
    county: County, role: str, type_: str
) -> None:
    head = county.head()
    answer = county.post(role, {"type": type_, "data": {"unit_id": "v1"}})
    assert answer.status_code == 422
    assert "type" in answer.get_json()["error"]["details"]["fields"]
    assert county.head() == head


@pytest.mark.parametrize("role", ROLES)
def test_only_an_admin_signs_a_checkpoint(county: County, role: str) -> None:
    before = county.get("admin", "/api/v1/ledger/checkpoints").get_json()["checkpoints"]
    answer = county.post(role, {}, path="/api/v1/ledger/checkpoints")
    after = county.get("admin", "/api/v1/ledger/checkpoints").get_json()["checkpoints"]
    if role == "admin":
        assert answer.status_code == 201
        assert len(after) == len(before) + 1
    else:
        _refused(answer, county, UNITS["own"])
        assert after == before


@pytest.mark.parametrize("type_", sorted(OWN_UNIT_ONLY))
def test_a_cadre_batch_reaching_into_another_unit_records_nothing(
    county: County, type_: str
) -> None:
    own = {"type": type_, "data": MAKERS[type_](county, UNITS["own"], next(fresh))}
    other = {"type": type_, "data": MAKERS[type_](county, UNITS["other"], next(fresh))}
    head = county.head()
    answer = county.post("cadre", {"events": [own, other]}, path=EVENTS + "/batch")
    _refused(answer, county, UNITS["other"])
    assert answer.get_json()["error"]["details"]["index"] == 1
    assert county.head() == head
    assert county.post("cadre", {"events": [own]}, path=EVENTS + "/batch").status_code == 201
