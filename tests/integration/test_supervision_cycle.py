"""The whole supervision cycle through `Ledger.record`, on both backends."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ledger.application import Command, Ledger, LoggedEvent
from ledger.errors import Conflict
from ledger.identity import Actor
from ledger.tamper import verification

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("insp-1", "inspector")
CADRE = Actor("cadre-v1", "cadre", unit_id="v1")
DISCIPLINE = Actor("jiwei-zhao", "discipline")
CST = timezone(timedelta(hours=8))


def on(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=CST)


def cmd(type_: str, day: str, **data: object) -> Command:
    return Command(type_, data, on(day))


def _one(ledger: Ledger, actor: Actor, command: Command) -> LoggedEvent:
    [answer] = ledger.record(actor, [command])
    assert (answer.type, answer.actor) == (command.type, actor.id)
    assert answer.occurred_at == command.occurred_at
    return answer


def _register(ledger: Ledger) -> None:
    ledger.record(ADMIN, [
        cmd("UnitRegistered", "2020-01-02", unit_id="t1", name="Gaozhuang", kind="township"),
        cmd("UnitRegistered", "2020-01-02", unit_id="v1", name="Sanjiayu", kind="village",
            parent_id="t1"),
        cmd("HouseholdRegistered", "2020-01-02", household_id="h1", village_id="v1",
            head_name="Li Si", size=4, category="registered_poor"),
        cmd("PersonRegistered", "2020-01-02", person_id="p-cadre", name="Wang Li", unit_id="v1"),
        cmd("PersonRegistered", "2020-01-02", person_id="p-sec", name="Zhao Min", unit_id="v1"),
        cmd("PersonRegistered", "2020-01-02", person_id="insp-1", name="Sun Qiang",
            unit_id="t1"),
        cmd("ResponsibilityAssigned", "2020-01-02", person_id="p-cadre", role="helper_cadre",
            subject_type="household", subject_id="h1", effective_from="2020-01-01"),
        cmd("ResponsibilityAssigned", "2020-01-02", person_id="p-sec", role="village_secretary",
            subject_type="unit", subject_id="v1", effective_from="2020-01-01"),
        cmd("UnitListed", "2020-01-03", unit_id="v1", level="city"),
    ])


def _rectify(ledger: Ledger) -> list[LoggedEvent]:
    report = {"finding_id": "f1", "evidence": [{"name": "roof.jpg", "sha256": "ab" * 32}]}
    return [
        _one(ledger, INSPECTOR, cmd("InspectionRecorded", "2020-03-12", inspection_id="i1",
                                    subject_type="household", subject_id="h1",
                                    method="unannounced", inspector_ids=["insp-1"],
                                    checks={"housing": "unmet", "food": "met"})),
        _one(ledger, INSPECTOR, cmd("FindingRaised", "2020-03-12", finding_id="f1",
                                    subject_type="household", subject_id="h1",
                                    category="housing", description="roof leaks",
                                    responsible_unit_id="v1", due_date="2020-04-30",
                                    inspection_id="i1")),
        _one(ledger, CADRE, cmd("RectificationReported", "2020-03-20", **report,
                                description="roof patched")),
        _one(ledger, INSPECTOR, cmd("RectificationVerified", "2020-03-25", finding_id="f1",
                                    accepted=False, note="still leaks")),
        _one(ledger, CADRE, cmd("RectificationReported", "2020-04-02", **report,
                                description="roof replaced")),
        _one(ledger, INSPECTOR, cmd("RectificationVerified", "2020-04-05", finding_id="f1",
                                    accepted=True, note="dry after rain")),
    ]


def test_the_full_supervision_cycle(ledger: Ledger) -> None:
    _register(ledger)
    registered = len(ledger.read_log(0, 1000))
    steps = _rectify(ledger)
    raised = steps[1]
    # Entered in the village's ledger, counted open by the township above it, and noted on
    # its household's record.
    assert [(c.type, c.data.get("unit_id")) for c in raised.consequences] == [
        ("FindingAttached", "v1"), ("OpenFindingCounted", "t1"), ("HouseholdFindingNoted", None)]
    assert {c.actor for c in raised.consequences} == {"insp-1"}
    assert raised.data["inspection_id"] == "i1"

    # With the finding closed, the village can be delisted.
    _one(ledger, INSPECTOR, cmd("UnitDelisted", "2020-04-06", unit_id="v1"))

    first = _one(ledger, INSPECTOR, cmd("WarningIssued", "2020-03-31", warning_id="w1",
                                        unit_id="v1", color="yellow", period="2020-Q1",
                                        reason="visits not done", finding_ids=["f1"]))
    assert "InterviewRequired" not in [c.type for c in first.consequences]
    second = _one(ledger, INSPECTOR, cmd("WarningIssued", "2020-06-30", warning_id="w2",
                                         unit_id="v1", color="yellow", period="2020-Q2",
                                         reason="rectification falsified"))
    [interview] = [c for c in second.consequences if c.type == "InterviewRequired"]
    assert interview.actor == "system"
    assert interview.data == {"unit_id": "v1", "person_id": "p-sec",
                              "warning_ids": ["w1", "w2"], "periods": ["2020-Q1", "2020-Q2"]}
    assert interview.occurred_at == second.occurred_at
    assert interview.position > second.position

    held = _one(ledger, DISCIPLINE, cmd("InterviewHeld", "2020-07-10", unit_id="v1",
                                        person_id="p-sec", note="summoned and interviewed"))
    log = ledger.read_log(0, 1000)
    assert log[-1] == held
    assert [e.type for e in log].count("InterviewRequired") == 1
    assert [e.position for e in log] == sorted({e.position for e in log})
    assert [e.type for e in log[registered:]] == [
        "InspectionRecorded", "HouseholdInspectionNoted", "FindingRaised", "FindingAttached",
        "OpenFindingCounted", "HouseholdFindingNoted", "RectificationReported",
        "RectificationVerified", "RectificationReported", "RectificationVerified",
        "OpenFindingSettled", "OpenFindingSettled", "UnitDelisted",
        "WarningIssued", "YellowCardNoted", "WarningIssued", "YellowCardNoted",
        "InterviewRequired", "InterviewHeld",
    ]
    assert verification.verify_chain(ledger.recorder).ok


def test_interview_names_the_person_responsible_then_and_keeps_naming_them(
    ledger: Ledger,
) -> None:
    _register(ledger)
    ledger.record(ADMIN, [
        cmd("PersonRegistered", "2020-05-01", person_id="p-new", name="Qian Hua", unit_id="v1"),
        cmd("WarningIssued", "2020-03-31", warning_id="w1", unit_id="v1", color="yellow",
            period="2020-Q1", reason="visits not done"),
    ])
    [answer] = ledger.record(INSPECTOR, [cmd("WarningIssued", "2020-06-30", warning_id="w2",
                                             unit_id="v1", color="yellow", period="2020-Q2",
                                             reason="falsified")])
    interview = next(c for c in answer.consequences if c.type == "InterviewRequired")
    ledger.record(ADMIN, [
        cmd("ResponsibilityEnded", "2020-07-01", person_id="p-sec", role="village_secretary",
            subject_type="unit", subject_id="v1", effective_to="2020-06-30"),
        cmd("ResponsibilityAssigned", "2020-07-01", person_id="p-new", role="village_secretary",
            subject_type="unit", subject_id="v1", effective_from="2020-07-01"),
    ])
    [logged] = [e for e in ledger.read_log(0, 1000) if e.type == "InterviewRequired"]
    assert logged == interview
    assert logged.data["person_id"] == "p-sec"

    # A third card in Q3 makes a new interview due, now naming the new secretary.
    [third] = ledger.record(INSPECTOR, [cmd("WarningIssued", "2020-09-30", warning_id="w3",
                                            unit_id="v1", color="yellow", period="2020-Q3",
                                            reason="again")])
    [again] = [c for c in third.consequences if c.type == "InterviewRequired"]
    assert again.data["person_id"] == "p-new"
    assert again.data["periods"] == ["2020-Q2", "2020-Q3"]


def test_a_card_entered_late_for_the_earlier_period_makes_the_interview_due(
    ledger: Ledger,
) -> None:
    _register(ledger)
    [later] = ledger.record(INSPECTOR, [cmd("WarningIssued", "2020-06-30", warning_id="w-q2",
                                            unit_id="v1", color="yellow", period="2020-Q2",
                                            reason="falsified")])
    assert "InterviewRequired" not in [c.type for c in later.consequences]
    [late] = ledger.record(INSPECTOR, [cmd("WarningIssued", "2020-03-31", warning_id="w-q1",
                                           unit_id="v1", color="yellow", period="2020-Q1",
                                           reason="visits not done")])
    [interview] = [c for c in late.consequences if c.type == "InterviewRequired"]
    assert interview.data["warning_ids"] == ["w-q1", "w-q2"]
    assert interview.data["periods"] == ["2020-Q1", "2020-Q2"]


def _lifecycle_batch(accept: bool) -> list[Command]:
    finding = {"finding_id": "f1", "subject_type": "unit", "subject_id": "v1",
               "category": "visits", "description": "visits not done",
               "responsible_unit_id": "v1", "due_date": "2020-04-30"}
    return [
        cmd("FindingRaised", "2020-03-12", **finding),
        cmd("RectificationReported", "2020-03-20", finding_id="f1", description="done"),
        cmd("RectificationVerified", "2020-03-25", finding_id="f1", accepted=accept, note="n"),
        cmd("UnitDelisted", "2020-03-26", unit_id="v1"),
    ]


def test_one_batch_sees_its_own_earlier_commands(ledger: Ledger) -> None:
    _register(ledger)
    before = ledger.read_log(0, 1000)
    with pytest.raises(Conflict) as caught:
        ledger.record(ADMIN, _lifecycle_batch(accept=False))  # f1 is open again at delisting
    assert caught.value.details["open_finding_ids"] == ["f1"]
    assert caught.value.details["index"] == 3
    assert ledger.read_log(0, 1000) == before

    answers = ledger.record(ADMIN, _lifecycle_batch(accept=True))
    assert [a.type for a in answers] == [c.type for c in _lifecycle_batch(True)]
    log = ledger.read_log(0, 1000)
    assert [e.type for e in log[len(before):]] == [
        "FindingRaised", "FindingAttached", "OpenFindingCounted", "RectificationReported",
        "RectificationVerified", "OpenFindingSettled", "OpenFindingSettled", "UnitDelisted",
    ]
