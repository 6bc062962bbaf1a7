"""A checkpoint someone else signed and slipped into the table (the service role may insert
rows) is never taken for the ledger's latest: `latest()`, the next checkpoint's starting
point and evidence packs all use the last one the ledger itself signed."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from evidence.packs import build_pack, pack_bytes, verify_pack
from ledger.tamper.checkpoints import Checkpoints
from ledger.tamper.signing import Signer, load_public_key, verify_checkpoint, write_key_pair
from service.config import Config
from service.root import Root
from tests.projections.conftest import make_world


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Root]:
    write_key_pair(tmp_path / "signing.pem", tmp_path / "signing.pem.pub")
    built = Root(Config(database_url=f"sqlite:///{tmp_path / 'l.db'}",
                        master_key_file=str(tmp_path / "m.key"),
                        signing_key_file=str(tmp_path / "signing.pem")))
    yield built
    built.close()


def _forge(root: Root, copies: int = 1) -> None:
    """Checkpoints of the current head with a made-up root, signed by a stranger's key."""
    stranger = Signer(Ed25519PrivateKey.generate())
    position, head_hash = root.ledger.head()  # type: ignore[misc]
    for _ in range(copies):
        forged = stranger.sign(position + 5, position + 5, head_hash, "ab" * 32)
        root.ledger.recorder.insert_checkpoint(forged.to_dict())  # type: ignore[attr-defined]


def test_latest_next_start_and_packs_use_the_ledgers_own_checkpoint(
        root: Root, tmp_path: Path) -> None:
    world = make_world(root)
    world.village("v1"), world.person("p1"), world.household("h1")
    genuine = root.checkpoints.make()
    world.visit("i1", "h1", "2020-03-01")
    world.project()
    _forge(root, copies=25)  # more than a short look back would pass over
    assert root.checkpoints.latest() == genuine
    verifier = Checkpoints(root.ledger.recorder, None,
                           load_public_key(str(tmp_path / "signing.pem.pub")))
    assert verifier.latest() == genuine  # a verifier with the public key only, too
    # The next checkpoint verifies from the genuine one and signs the real head.
    following = root.checkpoints.make()
    assert following.position == root.ledger.head()[0]  # type: ignore[index]
    assert verify_checkpoint(following, root.verifying_key)  # type: ignore[arg-type]
    assert root.checkpoints.latest() == following
    _forge(root)
    pack = build_pack(root.ledger.recorder, root.checkpoints, root.views, "household", "h1")
    assert pack["checkpoint"] == following.to_dict()
    assert verify_pack(pack_bytes(pack), root.verifying_key).ok  # type: ignore[arg-type]
