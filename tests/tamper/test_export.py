"""The log as CloudEvents JSON lines, and an import that reproduces positions and hashes."""
from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cloudevents.v1.http import from_json

from ledger.application import Command, Ledger, LoggedEvent
from ledger.privacy.fields import PERSONAL_FIELDS
from ledger.tamper import export as export_module
from ledger.tamper.chain import GENESIS, link
from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.export import ImportRejected, LedgerNotEmpty, export_log, import_log
from ledger.tamper.proofs import inclusion_proof, verify_inclusion
from ledger.tamper.signing import Signer
from ledger.tamper.verification import verify_chain
from service.config import Config
from service.root import open_ledger
from tests.backends import fresh_database_url
from tests.tamper.conftest import ADMIN, record_units


@pytest.fixture
def target(database_url: str, tmp_path: Path) -> Iterator[Ledger]:
    """A second, empty ledger on the same backend."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    (tmp_path / "target").mkdir()
    with fresh_database_url(backend, tmp_path / "target") as url:
        other = open_ledger(Config(database_url=url))
        yield other
        other.close()


def _fill(ledger: Ledger) -> None:
    record_units(ledger, 30)
    ledger.record(ADMIN, [Command("PersonRegistered",
                                  {"person_id": "p1", "name": "Wang Wei", "unit_id": "u1"})])
    ledger.create_token("inspector-li", "inspector")


def _export(ledger: Ledger) -> list[str]:
    out = io.StringIO()
    count = export_log(ledger, out)
    lines = out.getvalue().splitlines()
    assert count == len(lines)
    return lines


def _chain(ledger: Ledger) -> list[tuple[int, bytes]]:
    return [(p, bytes(h)) for p, h in ledger.recorder.chain_hashes(0, 10**6)]


def _without_personal(event: LoggedEvent) -> LoggedEvent:
    data = {k: v for k, v in event.data.items() if k not in PERSONAL_FIELDS and k != "erased"}
    return replace(event, data=data)


def test_the_export_is_cloudevents_the_sdk_reads(ledger: Ledger) -> None:
    _fill(ledger)
    lines = _export(ledger)
    logged = ledger.read_log(0, 1000)
    assert len(lines) == len(logged) == 32
    for line, event in zip(lines, logged, strict=True):
        parsed = from_json(line)
        assert parsed["specversion"] == "1.0"
        assert parsed["id"] == event.event_id and parsed["type"] == event.type
        assert parsed["position"] == event.position and parsed["hash"] == event.hash
        assert parsed["actor"] == event.actor
        assert parsed["time"] == event.occurred_at.isoformat()
        assert parsed["recordedat"] == event.recorded_at.isoformat()
        plain = json.loads(json.dumps(_without_personal(event).data, default=str))
        assert {k: v for k, v in parsed.data.items() if k in plain} == plain
        assert parsed["id"] == f"{parsed['originatorid']}:{parsed['originatorversion']}"
        assert base64.b64decode(parsed["state"])


def test_the_export_carries_personal_fields_sealed_only(ledger: Ledger) -> None:
    _fill(ledger)
    lines = _export(ledger)
    assert not [line for line in lines if "Wang Wei" in line]
    registered = next(from_json(line) for line in lines if "PersonRegistered" in line)
    assert registered.data["name"]["_sealed_"] == "person:p1"
    [person] = [e for e in ledger.read_log(0, 1000) if e.type == "PersonRegistered"]
    assert person.data["name"] == "Wang Wei"  # the ledger itself still reads it


def test_a_round_trip_reproduces_positions_hashes_and_events(
    ledger: Ledger, target: Ledger
) -> None:
    _fill(ledger)
    assert import_log(target.recorder, _export(ledger)) == 32
    assert _chain(target) == _chain(ledger)
    assert verify_chain(target.recorder).ok
    # The copy holds the same sealed personal fields; its own key store has none of the
    # source's keys (a backup carries them), so it shows those fields as erased.
    copied, source = target.read_log(0, 1000), ledger.read_log(0, 1000)
    assert [_without_personal(e) for e in copied] == [_without_personal(e) for e in source]
    assert any(e.data.get("erased") for e in copied)
    record_units(target, 1, prefix="after-import")  # the ledger goes on where the export ended
    assert target.head()[0] == 33  # type: ignore[index]
    assert verify_chain(target.recorder).ok


def test_import_refuses_a_ledger_that_has_events(ledger: Ledger, target: Ledger) -> None:
    _fill(ledger)
    record_units(target, 2)
    before = _chain(target)
    with pytest.raises(LedgerNotEmpty):
        import_log(target.recorder, _export(ledger))
    assert _chain(target) == before


def test_a_broken_chain_in_a_late_batch_imports_nothing(
    ledger: Ledger, target: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(ledger)
    lines = _export(ledger)
    event = json.loads(lines[25])
    event["state"] = base64.b64encode(base64.b64decode(event["state"]) + b" ").decode()
    lines[25] = json.dumps(event)
    monkeypatch.setattr(export_module, "PAGE", 4)  # several transactions' worth of batches
    with pytest.raises(ImportRejected, match="line 26: the chain breaks at position 26"):
        import_log(target.recorder, lines)
    assert _chain(target) == [] and target.read_log(0, 10) == []


def test_malformed_lines_are_rejected_by_number(ledger: Ledger, target: Ledger) -> None:
    _fill(ledger)
    lines = _export(ledger)
    for broken in ("{not json", json.dumps({**json.loads(lines[1]), "id": "x:1"})):
        with pytest.raises(ImportRejected, match="line 2"):
            import_log(target.recorder, [lines[0], broken])
    assert _chain(target) == []


def test_positions_with_gaps_survive_import_and_proofs(
    ledger: Ledger, target: Ledger, signer: Signer
) -> None:
    """PostgreSQL leaves gaps in positions after rolled-back writes: an export may have them."""
    record_units(ledger, 20)
    previous, gapped = GENESIS, []
    for i, line in enumerate(_export(ledger)):
        event = json.loads(line)
        position = event["position"] + 3 * (i // 5)
        state = base64.b64decode(event["state"])
        previous = link(previous, position, event["originatorid"].replace("-", ""),
                        event["originatorversion"], event["topic"], state)
        gapped.append(json.dumps({**event, "position": position, "hash": previous.hex()}))
    import_log(target.recorder, gapped)
    positions = [p for p, _ in _chain(target)]
    assert positions[4:7] == [5, 9, 10] and positions[-1] == 29
    assert verify_chain(target.recorder).ok
    checkpoints = Checkpoints(target.recorder, signer)
    made = checkpoints.make()
    assert (made.tree_size, made.position) == (20, 29)
    for position in positions:
        proof = inclusion_proof(target.recorder, position, made)
        assert verify_inclusion(proof, made, signer.public_key)
    record_units(target, 1, prefix="next")
    assert target.head()[0] == 30  # type: ignore[index]
