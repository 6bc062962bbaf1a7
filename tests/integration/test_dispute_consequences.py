"""An overturned dispute is undone by the ledger itself, and the log keeps both sides."""
from __future__ import annotations

import pytest

from ledger.application import Command, Ledger
from ledger.errors import InvalidTransition
from ledger.identity import Actor

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("inspector-li", "inspector")
DISCIPLINE = Actor("jiwei-zhao", "discipline")


def _village_with_two_yellow_cards(ledger: Ledger) -> list:
    return ledger.record(
        ADMIN,
        [
            Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
            Command("PersonRegistered", {"person_id": "p1", "name": "Wang", "unit_id": "v1"}),
            Command(
                "ResponsibilityAssigned",
                {
                    "person_id": "p1",
                    "role": "village_secretary",
                    "subject_type": "unit",
                    "subject_id": "v1",
                    "effective_from": "2020-01-01",
                },
            ),
            Command(
                "WarningIssued",
                {"warning_id": "w1", "unit_id": "v1", "color": "yellow", "period": "2020-Q1",
                 "reason": "visits not done"},
            ),
            Command(
                "WarningIssued",
                {"warning_id": "w2", "unit_id": "v1", "color": "yellow", "period": "2020-Q2",
                 "reason": "rectification falsified"},
            ),
        ],
    )


def _types(ledger: Ledger) -> list[tuple[str, str]]:
    return [(e.type, e.actor) for e in ledger.read_log(0, 1000)]


def test_an_overturned_warning_is_revoked_and_its_interview_voided_by_the_system(
    ledger: Ledger,
) -> None:
    answers = _village_with_two_yellow_cards(ledger)
    assert [c.type for c in answers[-1].consequences] == ["YellowCardNoted", "InterviewRequired"]
    contested = answers[-1].event_id
    ledger.record(
        DISCIPLINE,
        [Command("DisputeOpened", {"dispute_id": "d1", "contested_event_id": contested,
                                   "grounds": "the falsification was by another village"})],
    )

    resolved = ledger.record(
        DISCIPLINE,
        [Command("DisputeResolved", {"dispute_id": "d1", "outcome": "overturned", "note": "ok"})],
    )

    assert [(c.type, c.actor) for c in resolved[0].consequences] == [
        ("WarningRevoked", "system"),
        ("YellowCardWithdrawn", "system"),
        ("InterviewVoided", "system"),
    ]
    voided = resolved[0].consequences[-1].data
    assert voided["warning_ids"] == ["w1", "w2"]
    assert voided["reason"] == "overturned by dispute d1"
    log = _types(ledger)
    assert ("InterviewRequired", "system") in log and ("InterviewVoided", "system") in log


def test_an_upheld_dispute_changes_nothing_but_its_own_record(ledger: Ledger) -> None:
    answers = _village_with_two_yellow_cards(ledger)
    ledger.record(
        DISCIPLINE,
        [Command("DisputeOpened", {"dispute_id": "d1", "contested_event_id": answers[-1].event_id,
                                   "grounds": "too harsh"})],
    )
    before = len(ledger.read_log(0, 1000))

    resolved = ledger.record(
        DISCIPLINE,
        [Command("DisputeResolved", {"dispute_id": "d1", "outcome": "upheld", "note": "stands"})],
    )

    assert resolved[0].consequences == []
    assert len(ledger.read_log(0, 1000)) == before + 1
    with pytest.raises(InvalidTransition):
        ledger.record(
            DISCIPLINE,
            [Command("DisputeResolved", {"dispute_id": "d1", "outcome": "overturned",
                                         "note": "second thoughts"})],
        )
    assert len(ledger.read_log(0, 1000)) == before + 1


def test_revoking_one_of_two_cards_in_a_period_keeps_the_interview_due(ledger: Ledger) -> None:
    _village_with_two_yellow_cards(ledger)
    ledger.record(
        INSPECTOR,
        [Command("WarningIssued", {"warning_id": "w1b", "unit_id": "v1", "color": "yellow",
                                   "period": "2020-Q1", "reason": "second problem"})],
    )

    revoked = ledger.record(
        INSPECTOR, [Command("WarningRevoked", {"warning_id": "w1", "reason": "typed in error"})]
    )

    assert [c.type for c in revoked[0].consequences] == ["YellowCardWithdrawn"]
