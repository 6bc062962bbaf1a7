"""Writers in separate OS processes, each with its own Ledger on the same database."""
from __future__ import annotations

import multiprocessing
from typing import Any

from ledger.application import Command, Ledger
from ledger.errors import Conflict
from ledger.identity import Actor
from ledger.tamper import verification
from service.config import Config
from service.root import open_ledger

ADMIN = Actor("county-admin", "admin")
INSPECTOR = Actor("inspector-li", "inspector")
CONTEXT = multiprocessing.get_context("spawn")
TIMEOUT = 60


def _verify_in_process(url: str, barrier: Any, results: Any, who: str) -> None:
    ledger = None
    try:
        ledger = open_ledger(Config(database_url=url))
        command = Command("RectificationVerified",
                          {"finding_id": "f1", "accepted": True, "note": f"checked by {who}"})
        barrier.wait(TIMEOUT)
        ledger.record(Actor(who, "inspector"), [command])
        results.put((who, "ok", False))
    except Exception as error:  # reported to the parent, which checks it is a Conflict
        results.put((who, type(error).__name__, isinstance(error, Conflict)))
    finally:
        if ledger is not None:
            ledger.close()


def _register_households(url: str, barrier: Any, results: Any, worker: int) -> None:
    ledger = None
    try:
        ledger = open_ledger(Config(database_url=url))
        barrier.wait(TIMEOUT)
        for i in range(25):
            ledger.record(
                ADMIN,
                [Command("HouseholdRegistered",
                         {"household_id": f"h-{worker}-{i}", "village_id": "v1",
                          "head_name": "Li", "size": 3, "category": "edge"})],
            )
        results.put((worker, "ok"))
    except Exception as error:  # reported to the parent, which fails the test
        results.put((worker, repr(error)))
    finally:
        if ledger is not None:
            ledger.close()


def _retry_with_one_key(url: str, barrier: Any, results: Any, worker: int) -> None:
    ledger = None
    try:
        ledger = open_ledger(Config(database_url=url))
        command = Command("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                                  "head_name": "Li", "size": 3,
                                                  "category": "edge"})
        barrier.wait(TIMEOUT)
        [answer] = ledger.record(ADMIN, [command], "register-h1")
        results.put((worker, (answer.event_id, answer.position, answer.hash)))
    except Exception as error:  # reported to the parent, which fails the test
        results.put((worker, repr(error)))
    finally:
        if ledger is not None:
            ledger.close()


SHARED_HOUSEHOLDS = 5
BATCHES, BATCH = 4, 20


def _batches_on_shared_households(url: str, barrier: Any, results: Any, worker: int) -> None:
    """Batches that each touch every shared household, so every two of them contend."""
    ledger = None
    refused = 0
    try:
        ledger = open_ledger(Config(database_url=url))
        barrier.wait(TIMEOUT)
        for b in range(BATCHES):
            try:
                ledger.record(INSPECTOR, [
                    Command("InspectionRecorded", {
                        "inspection_id": f"i-{worker}-{b}-{i}", "subject_type": "household",
                        "subject_id": f"h{i % SHARED_HOUSEHOLDS}", "method": "visit",
                        "inspector_ids": ["p1"]})
                    for i in range(BATCH)])
            except Conflict:
                refused += 1
        results.put((worker, refused))
    except Exception as error:  # reported to the parent, which fails the test
        results.put((worker, repr(error)))
    finally:
        if ledger is not None:
            ledger.close()


def _run(target: Any, url: str, args: list[Any]) -> list[Any]:
    barrier = CONTEXT.Barrier(len(args))
    results = CONTEXT.Queue()
    processes = [CONTEXT.Process(target=target, args=(url, barrier, results, a)) for a in args]
    for process in processes:
        process.start()
    answers = [results.get(timeout=TIMEOUT) for _ in processes]
    for process in processes:
        process.join(TIMEOUT)
        assert process.exitcode == 0
    return answers


def test_two_processes_verify_the_same_rectification_once(
    ledger: Ledger, database_url: str
) -> None:
    ledger.record(
        ADMIN,
        [
            Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
            Command("FindingRaised", {"finding_id": "f1", "subject_type": "unit",
                                      "subject_id": "v1", "category": "visits",
                                      "description": "visits not done",
                                      "responsible_unit_id": "v1", "due_date": "2099-03-31"}),
            Command("RectificationReported", {"finding_id": "f1", "description": "done"}),
        ],
    )
    answers = sorted(_run(_verify_in_process, database_url, ["inspector-a", "inspector-b"]),
                     key=lambda a: a[1] != "ok")
    assert answers[0][1] == "ok", answers
    loser = answers[1]
    assert loser[2] is True, f"the second verifier got {loser[1]}, not a Conflict"
    verified = [e for e in ledger.read_log(0, 10000) if e.type == "RectificationVerified"]
    assert len(verified) == 1
    assert verified[0].actor == answers[0][0]
    assert verification.verify_chain(ledger.recorder).ok


def test_four_processes_append_concurrently(ledger: Ledger, database_url: str) -> None:
    ledger.record(
        ADMIN, [Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"})]
    )
    answers = _run(_register_households, database_url, [0, 1, 2, 3])
    assert sorted(answers) == [(w, "ok") for w in range(4)]
    log = ledger.read_log(0, 10000)
    households = [e.data["household_id"] for e in log if e.type == "HouseholdRegistered"]
    assert sorted(households) == sorted(f"h-{w}-{i}" for w in range(4) for i in range(25))
    positions = [e.position for e in log]
    assert all(a < b for a, b in zip(positions, positions[1:], strict=False))
    assert len(log) == 101
    report = verification.verify_chain(ledger.recorder)
    assert report.ok, report
    assert report.checked == 101


def test_the_same_idempotent_request_from_four_processes_is_recorded_once(
    ledger: Ledger, database_url: str
) -> None:
    ledger.record(
        ADMIN, [Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"})]
    )
    answers = {worker: answer for worker, answer in
               _run(_retry_with_one_key, database_url, [0, 1, 2, 3])}
    assert len(set(answers.values())) == 1, answers
    [(event_id, position, hash_)] = set(answers.values())
    log = ledger.read_log(0, 10000)
    assert [e.type for e in log] == ["UnitRegistered", "HouseholdRegistered"]
    assert (log[1].event_id, log[1].position, log[1].hash) == (event_id, position, hash_)


def test_four_processes_writing_batches_on_the_same_households_are_never_refused(
    ledger: Ledger, database_url: str
) -> None:
    ledger.record(ADMIN, [
        Command("UnitRegistered", {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}),
        Command("PersonRegistered", {"person_id": "p1", "name": "Li", "unit_id": "v1"}),
        *[Command("HouseholdRegistered", {"household_id": f"h{i}", "village_id": "v1",
                                          "head_name": "Li", "size": 3, "category": "edge"})
          for i in range(SHARED_HOUSEHOLDS)],
    ])
    answers = _run(_batches_on_shared_households, database_url, [0, 1, 2, 3])
    assert sorted(answers) == [(w, 0) for w in range(4)]  # no batch refused, none failed
    log = ledger.read_log(0, 10000)
    inspections = [e.data["inspection_id"] for e in log if e.type == "InspectionRecorded"]
    assert len(inspections) == len(set(inspections)) == 4 * BATCHES * BATCH
    report = verification.verify_chain(ledger.recorder)
    assert report.ok and report.checked == len(log), report
