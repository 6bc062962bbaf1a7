"""Reads from a standby (`LEDGER_READ_REPLICA_URL`): the read models replicated by streaming
replication, `min_position` waiting until the standby has replayed that position (503 with
Retry-After while it has not), read audits written on the primary. PostgreSQL only: SQLite
has no replication; the primary and its standby are this test's own clusters."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask.testing import FlaskClient

from service.app import create_app
from service.config import Config
from tests.faults.cluster import PrivateCluster, free_port, private_cluster

VILLAGE = {"type": "UnitRegistered",
           "data": {"unit_id": "v1", "name": "Sanjiayu", "kind": "village"}}


def household(household_id: str) -> dict[str, Any]:
    return {"type": "HouseholdRegistered",
            "data": {"household_id": household_id, "village_id": "v1",
                     "head_name": "Wang Xiuying", "size": 3, "category": "edge"}}


@dataclass(frozen=True)
class Servers:
    primary: str  # the ledger and its read models
    replica: str  # the same database on the standby

    def replay(self, paused: bool) -> None:
        with psycopg.connect(self.replica, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()" if paused
                         else "SELECT pg_wal_replay_resume()")


@pytest.fixture
def servers() -> Iterator[Servers]:
    with private_cluster() as primary:
        if primary is None:
            pytest.fail("PostgreSQL binaries not found (pg_ctl under /usr/lib/postgresql)")
        yield _with_standby(primary)


def _with_standby(primary: PrivateCluster) -> Servers:
    url = primary.create_database("ledger")
    standby = primary.standby(free_port())
    return Servers(url, url.replace(f":{primary.port}/", f":{standby.port}/"))


def test_reads_come_from_the_standby_once_it_has_replayed_their_position(
    servers: Servers, tmp_path: Path
) -> None:
    config = Config.from_env(database_url=servers.primary, read_replica_url=servers.replica,
                             master_key_file=str(tmp_path / "master.key"))
    app = create_app(config, settings={"TESTING": True, "READ_WAIT_SECONDS": 0.5})
    root = app.extensions["root"]
    client = app.test_client()
    admin = root.ledger.create_token("admin-1", "admin")
    try:
        first = _post(client, admin, {"events": [VILLAGE, household("hh-1")]}, "/batch")
        position = first["events"][-1]["position"]
        root.runner().catch_up(position)
        answer = _get(client, admin, f"/api/v1/households/hh-1?min_position={position}")
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["household_id"] == "hh-1"

        servers.replay(paused=True)
        second = _post(client, admin, household("hh-2"))["position"]
        root.runner().catch_up(second)
        assert root.store.position() >= second  # the primary's views have it...
        behind = _get(client, admin, f"/api/v1/households/hh-2?min_position={second}")
        assert behind.status_code == 503, behind.get_json()  # ...the standby's do not yet
        assert int(behind.headers["Retry-After"]) >= 1
        servers.replay(paused=False)
        caught_up = _get(client, admin, f"/api/v1/households/hh-2?min_position={second}")
        assert caught_up.status_code == 200, caught_up.get_json()

        audited = {subject: _get(client, admin, "/api/v1/audit/reads?subject_type=household"
                                 f"&subject_id={subject}").get_json()["reads"]
                   for subject in ("hh-1", "hh-2")}
    finally:
        root.close()
    # One row per answered read, on the primary (the standby takes no writes); the 503 none.
    assert [read["actor"] for read in audited["hh-1"]] == ["admin-1"]
    assert [read["actor"] for read in audited["hh-2"]] == ["admin-1"]


def _post(client: FlaskClient, token: str, body: dict[str, Any], path: str = "") -> Any:
    answer = client.post(f"/api/v1/events{path}", json=body,
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _get(client: FlaskClient, token: str, path: str) -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {token}"})
