"""Signed checkpoints and Merkle proofs over the stored log, checked offline with the key."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.application import Ledger
from ledger.errors import NotFound
from ledger.tamper import merkle
from ledger.tamper.chain import link
from ledger.tamper.checkpoints import Checkpoints, CheckpointsDisabled, LogNotVerified
from ledger.tamper.log_tree import CHUNK
from ledger.tamper.proofs import (
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from ledger.tamper.signing import Checkpoint
from tests.tamper.conftest import Database, record_units

MANY = 2 * CHUNK + 77  # enough for cached chunks, a cached parent and a ragged tail


def _leaves(ledger: Ledger) -> list[bytes]:
    return [bytes(h) for _, h in ledger.recorder.chain_hashes(0, 10**6)]


def test_checkpoints_are_disabled_without_a_key(ledger: Ledger) -> None:
    record_units(ledger, 3)
    disabled = Checkpoints(ledger.recorder, None)
    with pytest.raises(CheckpointsDisabled):
        disabled.make()
    assert disabled.listing(10) == []


def test_a_checkpoint_signs_the_head_and_the_root_of_the_log(
    ledger: Ledger, checkpoints: Checkpoints
) -> None:
    record_units(ledger, MANY)
    made = checkpoints.make()
    leaves = _leaves(ledger)
    assert (made.tree_size, made.position, made.hash) == (MANY, MANY, leaves[-1].hex())
    assert made.root == merkle.root_of([merkle.leaf_hash(x) for x in leaves]).hex()
    assert checkpoints.listing(10) == [made] and checkpoints.latest() == made
    assert checkpoints.make_if_moved() is None  # the log has not moved


def test_every_inclusion_proof_verifies_offline_and_binds_the_event(
    ledger: Ledger, checkpoints: Checkpoints, db: Database
) -> None:
    record_units(ledger, MANY)
    old = checkpoints.make()
    record_units(ledger, 40, prefix="late")
    new = checkpoints.make()
    key = checkpoints.signer.public_key  # type: ignore[union-attr]
    leaves = _leaves(ledger)
    edges = {1, 2, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1, MANY, new.position}
    for position in sorted(edges | set(range(1, new.position + 1, 11))):
        proof = inclusion_proof(ledger.recorder, position, new)
        assert len(proof.path) <= (new.tree_size - 1).bit_length()
        assert verify_inclusion(proof, new, key, event_hash=leaves[position - 1].hex())
    proof = inclusion_proof(ledger.recorder, 300, old)
    assert verify_inclusion(proof, old, key) and not verify_inclusion(proof, new, key)
    # the proof binds the event's stored bytes: recompute its hash from them
    oid, version, topic, state = db.event(300)
    oid = oid if isinstance(oid, str) else oid.hex
    recomputed = link(leaves[298], 300, oid, version, topic, state).hex()
    assert verify_inclusion(proof, old, key, event_hash=recomputed)
    changed = link(leaves[298], 300, oid, version, topic, state + b" ").hex()
    assert not verify_inclusion(proof, old, key, event_hash=changed)


def test_altered_proofs_and_checkpoints_fail(ledger: Ledger, checkpoints: Checkpoints) -> None:
    record_units(ledger, MANY)
    made = checkpoints.make()
    key = checkpoints.signer.public_key  # type: ignore[union-attr]
    proof = inclusion_proof(ledger.recorder, 17, made)
    bent = type(proof)(**{**proof.to_dict(), "path": [proof.path[0][::-1], *proof.path[1:]]})
    assert not verify_inclusion(bent, made, key)
    moved = type(proof)(**{**proof.to_dict(), "leaf_index": 18})
    assert not verify_inclusion(moved, made, key)
    other_root = Checkpoint(**{**made.to_dict(), "root": "00" * 32})
    assert not verify_inclusion(proof, other_root, key)
    stranger = Ed25519PrivateKey.generate().public_key()
    assert not verify_inclusion(proof, made, stranger)


def test_a_later_checkpoint_is_proven_to_extend_an_earlier_one(
    ledger: Ledger, checkpoints: Checkpoints
) -> None:
    key = checkpoints.signer.public_key  # type: ignore[union-attr]
    made = []
    for count in (5, CHUNK - 5, CHUNK + 3, CHUNK, 1):
        record_units(ledger, count, prefix=f"b{len(made)}-")
        made.append(checkpoints.make())
    for i, old in enumerate(made):
        for new in made[i:]:
            proof = consistency_proof(ledger.recorder, old, new)
            assert len(proof.path) <= 2 * new.tree_size.bit_length()
            assert verify_consistency(proof, old, new, key)
            if new.tree_size > old.tree_size:
                assert not verify_consistency(proof, new, old, key)
    forked = Checkpoint(**{**made[0].to_dict(), "root": made[1].root})
    proof = consistency_proof(ledger.recorder, made[0], made[-1])
    assert not verify_consistency(proof, forked, made[-1], key)


def test_proofs_for_what_is_not_there_are_refused(
    ledger: Ledger, checkpoints: Checkpoints
) -> None:
    record_units(ledger, 10)
    made = checkpoints.make()
    with pytest.raises(NotFound):
        inclusion_proof(ledger.recorder, 11, made)
    with pytest.raises(NotFound):
        consistency_proof(ledger.recorder, 3, 11)


def test_the_ledger_refuses_to_sign_a_log_that_does_not_verify(
    ledger: Ledger, checkpoints: Checkpoints, db: Database
) -> None:
    record_units(ledger, 10)
    checkpoints.make()
    record_units(ledger, 5, prefix="late")
    db.run(f"DELETE FROM {db.events} WHERE {db.position} = 12")
    with pytest.raises(LogNotVerified):
        checkpoints.make()
    assert len(checkpoints.listing(10)) == 1
