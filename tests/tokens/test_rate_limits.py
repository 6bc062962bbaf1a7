"""429 with Retry-After: failed authentications per client address, writes per token."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from service.app import create_app
from service.config import Config
from service.root import Root

EVENTS = "/api/v1/events"
HERE, ELSEWHERE = "10.0.0.5", "10.0.0.9"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client(root: Root, **settings: Any) -> FlaskClient:
    return create_app(root=root, settings={"TESTING": True, **settings}).test_client()


def get(http: FlaskClient, token: str, address: str = HERE, **headers: str) -> Any:
    return http.get(EVENTS, headers={**bearer(token), **headers},
                    environ_base={"REMOTE_ADDR": address})


def unit(n: int) -> dict[str, Any]:
    return {"type": "UnitRegistered", "occurred_at": "2020-01-02T09:00:00+08:00",
            "data": {"unit_id": f"t{n}", "name": f"Township {n}", "kind": "township"}}


def assert_rate_limited(answer: Any, window: int = 60) -> None:
    """429 in the envelope, with a Retry-After within the limit's window."""
    assert answer.status_code == 429
    assert answer.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answer.headers["Retry-After"]) <= window + 1


def test_the_21st_failed_authentication_from_one_address_gets_429(root: Root) -> None:
    good = root.ledger.create_token("dis-1", "discipline")
    http = client(root)
    for _ in range(20):
        assert get(http, "lgr_wrong").status_code == 401
    assert_rate_limited(get(http, "lgr_wrong"))
    # The address is refused whatever it sends, so a right guess looks like a wrong one.
    assert_rate_limited(get(http, good))
    assert get(http, good, ELSEWHERE).status_code == 200
    assert get(http, "lgr_wrong", ELSEWHERE).status_code == 401
    assert http.get("/healthz", environ_base={"REMOTE_ADDR": HERE}).status_code == 200


def test_only_failed_authentications_count(root: Root) -> None:
    good = root.ledger.create_token("dis-1", "discipline")
    http = client(root)
    for _ in range(19):
        assert get(http, "lgr_wrong").status_code == 401
    for _ in range(30):
        assert get(http, good).status_code == 200
    assert http.get(EVENTS, environ_base={"REMOTE_ADDR": HERE}).status_code == 401  # no token
    assert_rate_limited(get(http, good))


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(root: Root) -> None:
    direct = client(root, AUTH_FAILURE_LIMIT="2/minute")
    for n in range(2):  # a client cannot dodge the limit by naming itself another address
        assert get(direct, "lgr_wrong", **{"X-Forwarded-For": f"192.0.2.{n}"}).status_code == 401
    assert_rate_limited(get(direct, "lgr_wrong", **{"X-Forwarded-For": "192.0.2.7"}))

    proxied = client(root, AUTH_FAILURE_LIMIT="2/minute", TRUSTED_PROXIES=1)
    for _ in range(2):
        assert get(proxied, "lgr_wrong", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 401
    assert_rate_limited(get(proxied, "lgr_wrong", **{"X-Forwarded-For": "192.0.2.1"}))
    assert get(proxied, "lgr_wrong", **{"X-Forwarded-For": "192.0.2.2"}).status_code == 401


def test_writes_are_limited_per_token_and_a_batch_is_one(root: Root) -> None:
    admin = root.ledger.create_token("adm-1", "admin")
    other = root.ledger.create_token("adm-2", "admin")
    http = client(root, WRITE_LIMIT="2/hour")
    assert http.post(EVENTS, json=unit(1), headers=bearer(admin)).status_code == 201
    batch = {"events": [unit(2), unit(3), unit(4)]}
    assert http.post(f"{EVENTS}/batch", json=batch, headers=bearer(admin)).status_code == 201
    refused = http.post(EVENTS, json=unit(5), headers=bearer(admin))
    assert_rate_limited(refused, window=3600)
    assert int(refused.headers["Retry-After"]) > 60  # from the hour's window itself
    assert http.get(EVENTS, headers=bearer(admin)).status_code == 200  # reads are not writes
    assert http.post(EVENTS, json=unit(6), headers=bearer(other)).status_code == 201
    recorded = [e.data.get("unit_id") for e in root.ledger.read_log(0, 100)
                if e.type == "UnitRegistered"]
    assert recorded == ["t1", "t2", "t3", "t4", "t6"]


def test_the_app_gets_the_contract_defaults(root: Root) -> None:
    """No more than 20 failures a minute per address, at least 60,000 writes per token."""
    http = client(root)
    assert http.application.config["WRITE_LIMIT"] == "60000/minute"
    assert http.application.config["AUTH_FAILURE_LIMIT"] == "20/minute"


def test_limits_come_from_the_environment_and_a_bad_one_is_refused() -> None:
    config = Config.from_env({"LEDGER_AUTH_FAILURE_LIMIT": "5/second",
                              "LEDGER_WRITE_LIMIT": "100/hour",
                              "LEDGER_RATELIMIT_STORAGE_URI": "redis://cache:6379",
                              "LEDGER_TRUSTED_PROXIES": "1",
                              "LEDGER_READ_LIMIT": "9/second", "LEDGER_READ_WAITS": "2"})
    assert config.flask_settings() == {
        "AUTH_FAILURE_LIMIT": "5/second", "WRITE_LIMIT": "100/hour",
        "RATELIMIT_STORAGE_URI": "redis://cache:6379", "TRUSTED_PROXIES": 1,
        "METRICS": "loopback", "READ_LIMIT": "9/second", "READ_WAITS": 2,
    }
    defaults = Config.from_env({})
    assert (defaults.auth_failure_limit, defaults.write_limit) == ("20/minute", "60000/minute")
    assert defaults.ratelimit_storage_uri == "memory://"
    with pytest.raises(ValueError, match="LEDGER_WRITE_LIMIT"):
        Config.from_env({"LEDGER_WRITE_LIMIT": "lots"})


def test_every_authenticated_operation_documents_429(root: Root) -> None:
    document = client(root).get("/api/v1/openapi.json").get_json()
    operations = [op for path in document["paths"].values() for op in path.values()
                  if isinstance(op, dict) and "responses" in op]
    authenticated = [op for op in operations if "401" in op["responses"]]
    assert authenticated
    for op in authenticated:
        assert "Retry-After" in op["responses"]["429"]["headers"]
