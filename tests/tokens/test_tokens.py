"""Tokens: expiry, revocation, listing; a revocation reaches every process on its next request."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledger.application import Ledger
from ledger.errors import Invalid, InvalidTransition, NotFound
from ledger.identity import token_digest
from service.app import create_app
from service.config import Config
from service.root import Root

LOG = "/api/v1/events"
READ = "/api/v1/views/position"  # any read every role may make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_revoked_token_is_refused_and_recorded(ledger: Ledger) -> None:
    token = ledger.create_token("ins-1", "inspector")
    assert ledger.authenticate(token) is not None
    listed = ledger.revoke_token(token, "laptop lost")
    assert listed.state == "revoked"
    assert listed.id == token_digest(token)[:12]
    assert ledger.authenticate(token) is None
    types = [e.type for e in ledger.read_log(0, 10)]
    assert types == ["TokenIssued", "TokenRevoked"]
    assert ledger.read_log(0, 10)[1].data == {"reason": "laptop lost"}
    with pytest.raises(InvalidTransition):
        ledger.revoke_token(token, "again")
    assert len(ledger.read_log(0, 10)) == 2


def test_an_expired_token_is_refused_from_its_expiry_on(ledger: Ledger) -> None:
    expires = datetime.now(UTC) + timedelta(hours=1)
    token = ledger.create_token("ins-1", "inspector", expires_at=expires)
    assert ledger.authenticate(token, now=expires - timedelta(seconds=1)) is not None
    assert ledger.authenticate(token, now=expires) is None
    assert ledger.list_tokens(now=expires)[0].state == "expired"
    assert ledger.list_tokens(now=expires - timedelta(seconds=1))[0].state == "active"


@pytest.mark.parametrize(
    "expires", [datetime(2030, 1, 1), datetime.now(UTC) - timedelta(seconds=1)],
    ids=["no-offset", "past"],
)
def test_an_expiry_without_offset_or_in_the_past_is_refused(
    ledger: Ledger, expires: datetime
) -> None:
    with pytest.raises(Invalid) as refused:
        ledger.create_token("ins-1", "inspector", expires_at=expires)
    assert refused.value.details == {"field": "expires"}
    assert ledger.read_log(0, 10) == []


def test_the_listing_shows_every_token_and_never_the_secret(ledger: Ledger) -> None:
    until = datetime(2031, 6, 30, 18, 0, tzinfo=UTC)
    first = ledger.create_token("adm-1", "admin")
    second = ledger.create_token("cad-1", "cadre", "unit-7", expires_at=until)
    third = ledger.create_token("dis-1", "discipline")
    ledger.revoke_token(token_digest(third)[:10], "left the committee")
    listing = ledger.list_tokens()
    shown = [(t.actor.id, t.actor.role, t.actor.unit_id, t.expires_at, t.state) for t in listing]
    assert shown == [
        ("adm-1", "admin", None, None, "active"),
        ("cad-1", "cadre", "unit-7", until, "active"),
        ("dis-1", "discipline", None, None, "revoked"),
    ]
    assert [t.id for t in listing] == [token_digest(t)[:12] for t in (first, second, third)]
    assert all(t.created_at.tzinfo is not None for t in listing)
    assert not any(secret in repr(listing) for secret in (first, second, third))


def test_revoking_by_an_unknown_ambiguous_or_too_short_id_changes_nothing(
    ledger: Ledger,
) -> None:
    token = ledger.create_token("ins-1", "inspector")
    with pytest.raises(NotFound):
        ledger.revoke_token("lgr_never-issued", "x")
    other = "0" if token_digest(token)[0] != "0" else "1"
    with pytest.raises(NotFound):
        ledger.revoke_token(other * 12, "x")
    with pytest.raises(Invalid):
        ledger.revoke_token(token_digest(token)[:7], "x")
    with pytest.raises(Invalid):
        ledger.revoke_token("not-hex-at-all", "x")
    assert [e.type for e in ledger.read_log(0, 10)] == ["TokenIssued"]
    assert ledger.authenticate(token) is not None


def test_a_revocation_through_one_process_is_refused_by_another_on_its_next_request(
    database_url: str,
) -> None:
    """Two apps, each with its own root (as two gunicorn workers have): one revokes, the
    other, which has just accepted the token and cached it, refuses it on the next request."""
    with Root(Config.from_env(database_url=database_url)) as one, \
            Root(Config.from_env(database_url=database_url)) as two:
        token = one.ledger.create_token("ins-1", "inspector")
        worker = create_app(root=two, settings={"TESTING": True}).test_client()
        assert worker.get(READ, headers=bearer(token)).status_code == 200
        assert worker.get(READ, headers=bearer(token)).status_code == 200  # from the cache
        one.ledger.revoke_token(token, "compromised")
        refused = worker.get(READ, headers=bearer(token))
        assert refused.status_code == 401
        assert refused.get_json()["error"]["code"] == "unauthorized"


def test_an_expired_token_gets_401(root: Root) -> None:
    client = create_app(root=root, settings={"TESTING": True}).test_client()
    token = root.ledger.create_token("ins-1", "inspector",
                                     expires_at=datetime.now(UTC) + timedelta(seconds=1))
    assert client.get(READ, headers=bearer(token)).status_code == 200
    tokens = client.application.extensions["tokens"]
    assert tokens.actor(token, now=datetime.now(UTC) + timedelta(seconds=2)) is None


def test_issued_and_revoked_tokens_in_the_log_match_their_published_schemas(root: Root) -> None:
    from jsonschema import Draft7Validator

    reader = root.ledger.create_token("adm-1", "admin")
    until = datetime(2031, 6, 30, 18, 0, tzinfo=UTC)
    expiring = root.ledger.create_token("ins-1", "inspector", expires_at=until)
    root.ledger.revoke_token(expiring, "rotated")
    http = create_app(root=root, settings={"TESTING": True}).test_client()
    catalog = {t["type"]: t["data_schema"]
               for t in http.get("/api/v1/event-types", headers=bearer(reader)).get_json()[
                   "event_types"]}
    log = http.get(LOG, headers=bearer(reader)).get_json()["events"]
    assert [e["type"] for e in log] == ["TokenIssued", "TokenIssued", "TokenRevoked"]
    assert datetime.fromisoformat(log[1]["data"]["expires_at"]) == until
    for logged in log:
        errors = list(Draft7Validator(catalog[logged["type"]]).iter_errors(logged["data"]))
        assert errors == [], (logged, errors)
