"""The tamper-evidence endpoints over HTTP."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ledger.application import Ledger
from ledger.identity import UNIT_SCOPED_ROLES
from ledger.tamper.proofs import (
    ConsistencyProof,
    InclusionProof,
    verify_consistency,
    verify_inclusion,
)
from ledger.tamper.signing import Checkpoint, load_public_key
from service.app import create_app
from service.root import Root
from tests.tamper.conftest import Database, record_units


def _app(root: Root, key_file: Path | None) -> Flask:
    """An app on the test's database, signing with `key_file` (or with checkpoints off)."""
    config = replace(root.config, signing_key_file=str(key_file) if key_file else None)
    return create_app(root=Root(config), settings={"TESTING": True})


@pytest.fixture
def client(root: Root, key_file: Path) -> Iterator[FlaskClient]:
    app = _app(root, key_file)
    yield app.test_client()
    app.extensions["root"].close()


def _auth(ledger: Ledger, role: str) -> dict[str, str]:
    unit = "u0" if role in UNIT_SCOPED_ROLES else None
    return {"Authorization": f"Bearer {ledger.create_token(f'{role}-1', role, unit)}"}


def test_verify_answers_the_contract_shape_and_finds_tampering(
    ledger: Ledger, client: FlaskClient, db: Database
) -> None:
    viewer = _auth(ledger, "viewer")
    record_units(ledger, 6)
    assert client.get("/api/v1/ledger/verify").status_code == 401
    answer = client.get("/api/v1/ledger/verify", headers=viewer).get_json()
    position, hash = ledger.head()  # type: ignore[misc]
    assert answer["ok"] is True and answer["first_bad_position"] is None
    assert answer["checked"] == 7 and answer["head"] == {"position": position, "hash": hash}
    db.run(f"DELETE FROM {db.events} WHERE {db.position} = 4")
    answer = client.get("/api/v1/ledger/verify", headers=viewer).get_json()
    assert (answer["ok"], answer["first_bad_position"], answer["checked"]) == (False, 4, 3)
    assert answer["head"]["position"] == 3


def test_admins_sign_checkpoints_and_anyone_lists_them_with_the_key(
    ledger: Ledger, client: FlaskClient, key_file: Path
) -> None:
    admin, inspector = _auth(ledger, "admin"), _auth(ledger, "inspector")
    record_units(ledger, 3)
    refused = client.post("/api/v1/ledger/checkpoints", json={}, headers=inspector)
    assert refused.status_code == 403
    assert client.get("/api/v1/ledger/checkpoints", headers=inspector).get_json()[
        "checkpoints"] == []
    made = client.post("/api/v1/ledger/checkpoints", json={}, headers=admin)
    assert made.status_code == 201
    listing = client.get("/api/v1/ledger/checkpoints", headers=inspector).get_json()
    assert listing["enabled"] is True and listing["checkpoints"] == [made.get_json()]
    assert (made.get_json()["tree_size"], made.get_json()["position"]) == (5, 5)
    public_file = key_file.with_name("signing.pub.pem")
    published = load_public_key(public_file)
    assert listing["public_key"].encode() == public_file.read_bytes()
    checkpoint = Checkpoint.from_dict(made.get_json())
    answer = client.get("/api/v1/ledger/verify", headers=inspector).get_json()
    assert answer["ok"] and answer["checkpoints_checked"] == 1
    assert checkpoint.key_id == listing["key_id"]
    assert published.public_bytes_raw() == load_public_key(key_file).public_bytes_raw()


def test_without_a_key_checkpoints_are_disabled_and_say_so(ledger: Ledger, root: Root) -> None:
    app = _app(root, None)
    client = app.test_client()
    admin = _auth(ledger, "admin")
    listing = client.get("/api/v1/ledger/checkpoints", headers=admin).get_json()
    assert listing == {"enabled": False, "key_id": None, "public_key": None, "checkpoints": []}
    refused = client.post("/api/v1/ledger/checkpoints", json={}, headers=admin)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "checkpoints_disabled"
    app.extensions["root"].close()


def test_proofs_over_http_verify_offline(
    ledger: Ledger, client: FlaskClient, key_file: Path
) -> None:
    admin = _auth(ledger, "admin")
    key = load_public_key(key_file)
    record_units(ledger, 9)
    no_checkpoint_yet = client.get("/api/v1/ledger/proofs/inclusion?position=3", headers=admin)
    assert no_checkpoint_yet.status_code == 404

    def sign() -> Checkpoint:
        made = client.post("/api/v1/ledger/checkpoints", json={}, headers=admin)
        return Checkpoint.from_dict(made.get_json())

    old = sign()
    record_units(ledger, 20, prefix="late")
    new = sign()
    answer = client.get("/api/v1/ledger/proofs/inclusion?position=3", headers=admin).get_json()
    assert Checkpoint.from_dict(answer["checkpoint"]) == new
    assert verify_inclusion(InclusionProof.from_dict(answer["proof"]), new, key)
    answer = client.get(f"/api/v1/ledger/proofs/inclusion?position=3&tree_size={old.tree_size}",
                        headers=admin).get_json()
    assert verify_inclusion(InclusionProof.from_dict(answer["proof"]), old, key)
    answer = client.get(f"/api/v1/ledger/proofs/consistency?old={old.tree_size}",
                        headers=admin).get_json()
    assert verify_consistency(ConsistencyProof.from_dict(answer["proof"]), old, new, key)
    bad = client.get("/api/v1/ledger/proofs/inclusion?position=0", headers=admin)
    assert bad.status_code == 422
    beyond = client.get(f"/api/v1/ledger/proofs/inclusion?position={new.position + 1}",
                        headers=admin)
    assert beyond.status_code == 404
