"""What authenticating a request costs: the token cache's per-request version check against a
full load of the credential (run by hand: `.venv/bin/python bench/token_check.py [DATABASE_URL]`).

The cache reads one row by key on every request so that a revocation in any process is seen on
the next request; this measures that price."""
from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable

from api.auth import TokenCache
from service.config import Config
from service.root import Root

CALLS = 5000


def per_call(work: Callable[[], object]) -> float:
    work()
    started = time.perf_counter()
    for _ in range(CALLS):
        work()
    return (time.perf_counter() - started) / CALLS * 1e6


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    with Root(Config.from_env(database_url=url)) as root:
        token = root.ledger.create_token("bench", "inspector")
        cache = TokenCache(root.ledger)
        print(f"cache (version check): {per_call(lambda: cache.actor(token)):.0f} us per request")
        print(f"full load:             {per_call(lambda: root.ledger.authenticate(token)):.0f} us")


if __name__ == "__main__":
    main()
