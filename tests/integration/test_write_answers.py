"""What `Ledger.record` answers is exactly what the log holds (the recorder hands rows back)."""
from __future__ import annotations

from dataclasses import replace

from ledger.application import Command, Ledger, LoggedEvent
from ledger.identity import Actor

ADMIN = Actor("county-admin", "admin")


def _flatten(answers: list[LoggedEvent]) -> list[LoggedEvent]:
    flat = []
    for answer in answers:
        flat.append(replace(answer, consequences=[]))
        flat.extend(answer.consequences)
    return flat


def test_answers_with_consequences_equal_the_log_and_their_replay(ledger: Ledger) -> None:
    commands = [
        Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p1", "name": "Wang", "unit_id": "v1"}),
        Command("ResponsibilityAssigned", {
            "person_id": "p1", "role": "village_secretary", "subject_type": "unit",
            "subject_id": "v1", "effective_from": "2020-01-01"}),
        Command("WarningIssued", {"warning_id": "w1", "unit_id": "v1", "color": "yellow",
                                  "period": "2020-Q1", "reason": "visits not done"}),
        Command("WarningIssued", {"warning_id": "w2", "unit_id": "v1", "color": "yellow",
                                  "period": "2020-Q2", "reason": "rectification falsified"}),
    ]
    answers = ledger.record(ADMIN, commands, idempotency_key="k1")

    assert [a.type for a in answers] == [c.type for c in commands]
    assert "InterviewRequired" in [c.type for c in answers[-1].consequences]
    assert _flatten(answers) == ledger.read_log(0, 100)
    assert ledger.record(ADMIN, commands, idempotency_key="k1") == answers
    assert len(ledger.read_log(0, 100)) == len(_flatten(answers))


def test_a_second_write_answers_the_next_positions_and_chained_hashes(ledger: Ledger) -> None:
    first = ledger.record(ADMIN, [Command("UnitRegistered", {
        "unit_id": "v1", "name": "Sanjiayu", "kind": "village"})])
    second = ledger.record(ADMIN, [Command("PersonRegistered", {
        "person_id": "p1", "name": "Wang", "unit_id": "v1"})])

    assert second[0].position > first[0].position
    assert first + second == ledger.read_log(0, 100)
