"""`LEDGER_DATABASE_URL` takes any libpq URL: several hosts, `target_session_attrs` and the
other libpq parameters reach the connections the ledger makes."""
from __future__ import annotations

from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from ledger.recorders.postgres import EXTRA_CONNINFO, PREPARE_THRESHOLD
from service.config import Config
from service.root import Root
from service.storage import DatabaseUrlError, persistence_env
from tests.backends import fresh_postgres_url
from tests.faults.cluster import free_port

MULTI_HOST = ("postgresql://ledger:s%40cret@db-a:5433,db-b:5434/ledger"
              "?target_session_attrs=read-write&connect_timeout=3")


def test_several_hosts_and_parameters_reach_the_library_settings() -> None:
    env = persistence_env(MULTI_HOST)
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db-a,db-b", "5433,5434")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("ledger", "s@cret")
    assert env["POSTGRES_DBNAME"] == "ledger"
    assert conninfo_to_dict(env[EXTRA_CONNINFO]) == {"target_session_attrs": "read-write",
                                                     "connect_timeout": "3"}


def test_a_url_without_a_database_is_refused() -> None:
    with pytest.raises(DatabaseUrlError, match="database name"):
        persistence_env("postgresql://db-a:5433,db-b:5434")


def test_the_ledger_connects_to_the_host_that_takes_writes(tmp_path: Path) -> None:
    """The first host listed is down: libpq goes on to the next; the application name given
    in the URL is the one its sessions carry, so the URL's parameters reached libpq."""
    with fresh_postgres_url() as url:
        server, dbname = url.rsplit("/", 1)
        port = server.rsplit(":", 1)[1]
        multi = (f"postgresql://postgres@127.0.0.1:{free_port()},127.0.0.1:{port}/{dbname}"
                 "?target_session_attrs=read-write&application_name=ledger-multi-host")
        config = Config(database_url=multi, master_key_file=str(tmp_path / "master.key"))
        with Root(config) as root:
            root.ledger.create_token("admin-1", "admin")
            recorder = root.ledger.recorder
            with recorder.datastore.get_connection() as conn:
                row = conn.execute("SELECT current_setting('application_name'), "
                                   "pg_is_in_recovery()").fetchone()
            assert row is not None
            assert (row["current_setting"], row["pg_is_in_recovery"]) == (
                "ledger-multi-host", False)
            assert recorder.max_notification_id() == 1


def test_the_replica_and_the_prepare_threshold_come_from_the_environment() -> None:
    replica = "postgresql://ledger@standby-a,standby-b/ledger?target_session_attrs=standby"
    config = Config.from_env({"LEDGER_READ_REPLICA_URL": replica,
                              "LEDGER_PG_PREPARE_THRESHOLD": "off"})
    assert (config.read_replica_url, config.pg_prepare_threshold) == (replica, None)
    assert persistence_env(MULTI_HOST, 5, config.pg_prepare_threshold)[PREPARE_THRESHOLD] == "off"
    defaults = Config.from_env({})
    assert (defaults.read_replica_url, defaults.pg_prepare_threshold) == (None, 5)
