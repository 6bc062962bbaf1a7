"""Evidence packs verify offline, and any changed byte makes them fail."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.packs import build_pack, pack_bytes, verify_pack
from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.signing import load_public_key
from service.cli import main
from tests.projections.conftest import World


def _household_world(world: World) -> None:
    world.village()
    world.person("p1")
    world.household("h1")
    world.assign("p1", "h1")
    world.visit("i1", "h1", "2020-02-10")
    world.finding("f1", on="2020-03-01")
    world.household("h2")  # another subject: not in h1's pack
    world.project()


def _pack(world: World, checkpoints: Checkpoints, kind: str = "household", key: str = "h1",
          as_of: datetime | None = None) -> bytes:
    return pack_bytes(build_pack(world.ledger.recorder, checkpoints, world.views, kind, key,
                                 as_of))


def _offset(data: bytes, needle: bytes, skip: int) -> int:
    start = data.index(needle)
    return start + len(needle) + skip


def test_a_household_pack_verifies_and_holds_its_events_proofs_checkpoint_and_view(
    world: World, checkpoints: Checkpoints, public_key_file: Path,
) -> None:
    _household_world(world)
    data = _pack(world, checkpoints)
    report = verify_pack(data, load_public_key(public_key_file))
    assert report.ok, report.problems
    pack = json.loads(data)
    types = [e["type"] for e in pack["events"]]
    assert types[0] == "HouseholdRegistered" and "FindingRaised" in types
    assert all(e["proof"]["tree_size"] == pack["checkpoint"]["tree_size"] for e in pack["events"])
    assert pack["view"]["household_id"] == "h1"
    assert report.events == len(pack["events"]) >= 4
    other = json.loads(_pack(world, checkpoints, key="h2"))
    assert [e["type"] for e in other["events"]] == ["HouseholdRegistered"]


def test_a_pack_as_of_a_past_moment_holds_only_what_was_recorded_by_then(
    world: World, checkpoints: Checkpoints, public_key_file: Path,
) -> None:
    world.village()
    world.household("h1")
    world.project()
    between = datetime.now(UTC)
    world.finding("f1", on="2020-03-01")
    world.project()
    before = json.loads(_pack(world, checkpoints, as_of=between))
    now = json.loads(_pack(world, checkpoints))
    assert [e["type"] for e in before["events"]] == ["HouseholdRegistered"]
    assert [e["type"] for e in now["events"]] == ["HouseholdRegistered", "FindingRaised"]
    assert before["view"] != now["view"]


@pytest.mark.parametrize("where", [
    (b'"state":"', 5),        # inside an event's stored bytes
    (b'"previous_hash":"', 3),
    (b'"path":["', 4),        # inside an inclusion proof
    (b'"view":{', 3),         # inside the replayed view
    (b'"signature":"', 2),    # the pack signature
    (b'"root":"', 7),         # the checkpoint
    (b'"digest":"', 0),
])
def test_flipping_one_byte_anywhere_fails(
    world: World, checkpoints: Checkpoints, public_key_file: Path, where: tuple[bytes, int],
) -> None:
    _household_world(world)
    data = bytearray(_pack(world, checkpoints))
    key = load_public_key(public_key_file)
    assert verify_pack(bytes(data), key).ok
    at_ = _offset(bytes(data), *where)
    for flip in (0x01, 0x20):
        changed = bytearray(data)
        changed[at_] ^= flip
        assert not verify_pack(bytes(changed), key).ok, (where, flip, chr(changed[at_]))


def test_every_single_byte_change_fails(
    world: World, checkpoints: Checkpoints, public_key_file: Path,
) -> None:
    world.village()
    world.household("h1")
    world.project()
    data = _pack(world, checkpoints)
    key = load_public_key(public_key_file)
    for index in range(len(data)):
        changed = bytearray(data)
        changed[index] ^= 0x01
        assert not verify_pack(bytes(changed), key).ok, index


def test_a_recomputed_digest_does_not_rescue_a_changed_view(
    world: World, checkpoints: Checkpoints, public_key_file: Path,
) -> None:
    from evidence.packs import _digest, canonical

    _household_world(world)
    pack = json.loads(_pack(world, checkpoints))
    pack["view"]["size"] = 99
    pack["digest"] = _digest(pack)
    report = verify_pack(canonical(pack), load_public_key(public_key_file))
    assert not report.ok
    assert report.problems == ["the pack signature does not verify"]


def test_another_key_does_not_verify(
    world: World, checkpoints: Checkpoints, tmp_path: Path,
) -> None:
    from ledger.tamper.signing import write_key_pair

    _household_world(world)
    write_key_pair(tmp_path / "other.pem", tmp_path / "other.pub")
    report = verify_pack(_pack(world, checkpoints), load_public_key(tmp_path / "other.pub"))
    assert not report.ok


def test_without_a_key_a_pack_is_refused_and_nothing_is_recorded(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ledger.tamper.checkpoints import CheckpointsDisabled

    monkeypatch.delenv("LEDGER_SIGNING_KEY_FILE", raising=False)
    _household_world(world)
    head = world.ledger.head()
    with pytest.raises(CheckpointsDisabled, match="LEDGER_SIGNING_KEY_FILE"):
        build_pack(world.ledger.recorder, Checkpoints(world.ledger.recorder, None),
                   world.views, "household", "h1")
    assert world.ledger.head() == head
    assert world.ledger.recorder.select_checkpoints(10) == []


def test_a_pack_for_a_later_event_makes_a_new_checkpoint(
    world: World, checkpoints: Checkpoints, public_key_file: Path,
) -> None:
    world.village()
    world.person("p1")
    world.household("h1")
    world.project()
    first = checkpoints.make()
    world.visit("i1", "h1", "2020-02-10")
    world.project()
    pack = json.loads(_pack(world, checkpoints))
    assert pack["checkpoint"]["position"] > first.position
    assert verify_pack(pack_bytes(pack), load_public_key(public_key_file)).ok


def test_verify_pack_and_evidence_pack_from_the_command_line(
    world: World, key_file: Path, public_key_file: Path, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    _household_world(world)
    out = tmp_path / "h1.json"
    assert main(["evidence-pack", "--subject-type", "household", "--subject-id", "h1",
                 "--out", str(out)]) == 0
    monkeypatch.delenv("LEDGER_SIGNING_KEY_FILE")
    assert main(["verify-pack", str(out), "--public-key", str(public_key_file)]) == 0
    assert "ok:" in capsys.readouterr().out
    data = bytearray(out.read_bytes())
    data[_offset(bytes(data), b'"state":"', 10)] ^= 0x02
    bad = tmp_path / "bad.json"
    bad.write_bytes(bytes(data))
    assert main(["verify-pack", str(bad), "--public-key", str(public_key_file)]) == 1
    assert "INVALID" in capsys.readouterr().out
    assert main(["verify-pack", str(out)]) == 2


def test_pack_proofs_are_the_ledgers_own_inclusion_proofs(
    world: World, checkpoints: Checkpoints,
) -> None:
    from ledger.tamper.proofs import inclusion_proof
    from ledger.tamper.signing import Checkpoint

    _household_world(world)
    pack = json.loads(_pack(world, checkpoints))
    checkpoint = Checkpoint.from_dict(pack["checkpoint"])
    for event in pack["events"]:
        expected = inclusion_proof(world.ledger.recorder, event["position"], checkpoint)
        assert event["proof"] == expected.to_dict()
