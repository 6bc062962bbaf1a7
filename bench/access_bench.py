"""What the access policy costs a read (run by hand:
`.venv/bin/python bench/access_bench.py [DATABASE_URL]`).

A county of 20 townships of 20 villages: a list's scope for a township and a county token (the
unit keys read once per request), one subject's unit judged in a fresh request, and the same
unit again in one request."""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable

from ledger.application import Command
from ledger.identity import Actor
from projections.access import Access
from service.config import Config
from service.root import Root

TOWNSHIPS = VILLAGES = 20
CALLS = 500
ADMIN = Actor("bench-admin", "admin")


def median_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(CALLS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _units() -> list[Command]:
    units = [Command("UnitRegistered", {"unit_id": "c", "name": "County", "kind": "county"})]
    for t in range(TOWNSHIPS):
        units.append(Command("UnitRegistered", {"unit_id": f"t{t}", "name": "Town",
                                                "kind": "township", "parent_id": "c"}))
        units += [Command("UnitRegistered", {"unit_id": f"t{t}v{v}", "name": "Village",
                                             "kind": "village", "parent_id": f"t{t}"})
                  for v in range(VILLAGES)]
    return units


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    with Root(Config.from_env(database_url=url)) as root:
        units = _units()
        for start in range(0, len(units), 100):
            root.ledger.record(ADMIN, units[start:start + 100])
        root.runner().catch_up()
        views = root.views
        town, county = Actor("b", "viewer", "t3"), Actor("b", "viewer", "c")
        same = Access(views, town)
        same.within("t7v3")
        print(f"{len(units)} units; median of {CALLS} calls, ms")
        for name, actor in (("township", town), ("county", county)):
            cost = median_ms(lambda a=actor: Access(views, a).units())
            print(f"  list scope, {name} token: {cost:.3f}")
        print(f"  a subject's unit, new request: "
              f"{median_ms(lambda: Access(views, town).within('t7v3')):.4f}")
        print(f"  the same unit again:           {median_ms(lambda: same.within('t7v3')):.4f}")


if __name__ == "__main__":
    main()
