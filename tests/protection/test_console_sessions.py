"""Console sessions: nothing kept before sign-in, a new id at sign-in, JSON in the ledger's
database by default (shared by every worker), or a directory that is the service's own."""
from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from console.sessions import ConsoleSessions, MemorySessions, storage_key
from service.app import create_app
from service.config import Config
from service.sessions import TABLE, SessionDirectory, SessionTable, UnsafeSessionDirectory
from tests.console.conftest import csrf_of


@pytest.fixture
def apps(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two workers of one deployment: their own roots on one database, one secret key."""
    config = Config(database_url=database_url, master_key_file=str(tmp_path / "m.key"),
                    console_secret_key="shared-by-the-workers")
    built = [create_app(config, settings={"TESTING": True}) for _ in range(2)]
    yield built[0], built[1]
    for app in built:
        app.extensions["root"].close()


def _stored(app: Flask) -> int:
    store = app.session_interface.store  # type: ignore[attr-defined]
    with store._datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT count(*) AS n FROM {TABLE}")
        return int(cursor.fetchone()["n"])


def _sign_in(client: FlaskClient, token: str) -> str:
    csrf = csrf_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"token": token, "csrf_token": csrf}).status_code == 302
    cookie = client.get_cookie("ledger_console")
    assert cookie is not None
    return cookie.value


def test_sessions_are_kept_in_the_database_shared_by_workers_and_only_from_sign_in(
        apps: tuple[Flask, Flask]) -> None:
    first, second = apps
    assert isinstance(first.session_interface.store, SessionTable)  # type: ignore[attr-defined]
    anonymous = first.test_client()
    for _ in range(20):
        assert anonymous.get("/login").status_code == 200
    assert _stored(first) == 0  # an anonymous visitor costs the server nothing
    assert anonymous.get_cookie("ledger_console") is None

    token = first.extensions["ledger"].create_token("insp-li", "inspector")
    client = first.test_client()
    sid = _sign_in(client, token)
    assert _stored(first) == 1
    # The other worker knows the session: same cookie, same signed-in page.
    other = second.test_client()
    other.set_cookie("ledger_console", sid)
    assert other.get("/").status_code == 200
    assert csrf_of(client.get("/forms").get_data(as_text=True))
    form = csrf_of(other.get("/forms").get_data(as_text=True))
    assert other.post("/logout", data={"csrf_token": form}).status_code == 302
    assert _stored(first) == 0
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_session_id_planted_before_sign_in_is_never_adopted(
        apps: tuple[Flask, Flask]) -> None:
    app, _ = apps
    token = app.extensions["ledger"].create_token("insp-li", "inspector")
    victim = app.test_client()
    victim.set_cookie("ledger_console", "planted-by-the-attacker-" + "x" * 20)
    sid = _sign_in(victim, token)
    assert sid != "planted-by-the-attacker-" + "x" * 20
    attacker = app.test_client()
    attacker.set_cookie("ledger_console", "planted-by-the-attacker-" + "x" * 20)
    assert attacker.get("/").status_code == 302
    # Signing in again while signed in starts one more new id; the old one ends.
    again = _sign_in(victim, token)
    assert again != sid
    stale = app.test_client()
    stale.set_cookie("ledger_console", sid)
    assert stale.get("/").status_code == 302


def test_sessions_are_json_and_a_planted_pickle_runs_nothing(
        apps: tuple[Flask, Flask], tmp_path: Path) -> None:
    app, _ = apps
    token = app.extensions["ledger"].create_token("insp-li", "inspector")
    client = app.test_client()
    sid = _sign_in(client, token)
    store = app.session_interface.store  # type: ignore[attr-defined]
    kept = store.load(storage_key(sid), 0)
    assert kept is not None and kept["token"] == token  # read back as JSON
    marker = tmp_path / "ran"
    planted = pickle.dumps(_Exploit(str(marker)), protocol=0)  # text: a TEXT column holds it
    store._run(store._save, storage_key("planted-id"), planted.decode("ascii"), 9e12)
    attacker = app.test_client()
    attacker.set_cookie("ledger_console", "planted-id")
    assert attacker.get("/").status_code == 302
    assert not marker.exists()


class _Exploit:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple:
        return (os.mkdir, (self.path,))


def test_a_session_directory_is_made_0700_and_refused_when_not_the_services_own(
        tmp_path: Path) -> None:
    made = tmp_path / "sessions"
    SessionDirectory(str(made))
    assert made.stat().st_mode & 0o777 == 0o700
    open_to_all = tmp_path / "open"
    open_to_all.mkdir(mode=0o777)
    open_to_all.chmod(0o777)
    with pytest.raises(UnsafeSessionDirectory, match="open to others"):
        SessionDirectory(str(open_to_all))
    link = tmp_path / "link"
    link.symlink_to(made)
    with pytest.raises(UnsafeSessionDirectory, match="not a directory"):
        SessionDirectory(str(link))
    someone_elses = tmp_path / "planted"
    someone_elses.mkdir(mode=0o700)
    os.chown(someone_elses, os.geteuid() + 1, -1)  # the tests run as root in CI
    with pytest.raises(UnsafeSessionDirectory, match="another user"):
        SessionDirectory(str(someone_elses))


def test_a_session_directory_holds_signed_in_sessions_only_as_json(tmp_path: Path) -> None:
    config = Config(database_url=f"sqlite:///{tmp_path / 'l.db'}",
                    master_key_file=str(tmp_path / "m.key"),
                    console_session_dir=str(tmp_path / "sessions"))
    app = create_app(config, settings={"TESTING": True})
    try:
        assert isinstance(app.session_interface, ConsoleSessions)
        client = app.test_client()
        for _ in range(10):
            client.get("/login")
        assert os.listdir(tmp_path / "sessions") == []
        sid = _sign_in(client, app.extensions["ledger"].create_token("insp-li", "inspector"))
        (kept,) = os.listdir(tmp_path / "sessions")
        assert kept == f"{storage_key(sid)}.json"
        assert '"token"' in (tmp_path / "sessions" / kept).read_text()
    finally:
        app.extensions["root"].close()


def test_sign_in_and_sign_out_without_the_forms_csrf_token_are_refused(
        apps: tuple[Flask, Flask]) -> None:
    """A page elsewhere cannot sign a browser in (into the attacker's account) or out."""
    app, _ = apps
    token = app.extensions["ledger"].create_token("insp-li", "inspector")
    client = app.test_client()
    client.get("/login")
    for data in ({"token": token}, {"token": token, "csrf_token": "forged"}):
        refused = client.post("/login", data=data)
        assert refused.status_code == 400
        assert client.get_cookie("ledger_console") is None
    assert _stored(app) == 0
    sid = _sign_in(client, token)
    for data in ({}, {"csrf_token": "forged"}):
        assert client.post("/logout", data=data).status_code == 400
    assert client.get_cookie("ledger_console").value == sid  # type: ignore[union-attr]
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("kind", ["directory", "memory"])
def test_an_expired_session_is_no_session_and_purging_forgets_it(
        kind: str, tmp_path: Path) -> None:
    store = SessionDirectory(str(tmp_path / "s")) if kind == "directory" else MemorySessions()
    store.save(storage_key("old"), {"token": "a"}, expires_at=100.0)
    store.save(storage_key("new"), {"token": "b"}, expires_at=300.0)
    assert store.load(storage_key("old"), now=99.0) == {"token": "a"}
    assert store.load(storage_key("old"), now=200.0) is None
    store.purge(now=200.0)
    assert store.load(storage_key("old"), now=0.0) is None  # gone, not only expired
    assert store.load(storage_key("new"), now=200.0) == {"token": "b"}
    if kind == "directory":
        assert os.listdir(tmp_path / "s") == [f"{storage_key('new')}.json"]


class _Down(MemorySessions):
    def load(self, key: str, now: float) -> dict | None:
        raise ConnectionError("the database is down")


def test_a_session_store_that_is_down_sends_the_browser_to_sign_in_not_a_crash(
        sqlite_app: Flask) -> None:
    sqlite_app.session_interface.store = _Down()  # type: ignore[attr-defined]
    client = sqlite_app.test_client()
    client.set_cookie("ledger_console", "a-session-id")
    answer = client.get("/findings")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
