"""The household list over HTTP at county scale, measured in one run (by hand, never in tests).

    python bench/household_list_bench.py [--households 100000] [--backend sqlite|postgres]
                                         [--database-url URL] [--requests 1000]

Writes a county of `--households` households in townships of about 3,000 (ten villages each)
through the application (registration, a visit for most within the last 60 days, key-household
facts for some, a finding on one in twenty), folds the views with the runner, times filling the
household list from nothing, then asks gunicorn (`service.app:create_app()`, 2 workers) for one
random township's list with filters, one request at a time, and reports p50 and p99. Then
the county-wide search `q` (issue 17): a surname, a surname and given name's pair, a whole
name of three characters (whose candidates are opened and checked), a household id, and part
of a given name within a township.

Targets: the household list of one township (about 3,000 households) with filters, p99 < 50
ms at 100,000 households over HTTP (issue 9); `q` on the 100,000-household county, p99 < 50 ms
(issue 17). Members are not on this branch: only heads' names are indexed.
With --database-url pointing at a ledger that already holds the county, the writing is skipped.
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta
from datetime import time as clock
from urllib.parse import quote

from harness import Target, database, gunicorn, header, print_targets
from read_bench import get, latencies

from ledger.application import Command, Ledger
from ledger.domain.registry import Household
from ledger.identity import Actor
from projections.events import BUSINESS_TZ, today
from projections.household_list import RowWriter
from service.config import Config
from service.root import Root

PER_TOWNSHIP = 3_000
VILLAGES_PER_TOWNSHIP = 10
BATCH = 500
SEED = 9
ADMIN, INSPECTOR = Actor("county-admin", "admin"), Actor("bench-inspector", "inspector")
ALL_MET = {name: "met" for name in ("food", "clothing", "education", "medical", "housing",
                                     "water")}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文斌"


def head_name(number: int) -> str:
    """A name of two or three characters, the same for a number in every run."""
    rng = random.Random(number)
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def township_ids(households: int) -> list[str]:
    return [f"t{n:02d}" for n in range(1, max(1, round(households / PER_TOWNSHIP)) + 1)]


def household_id(number: int) -> str:
    return f"h{number:07d}"


def _moment(days_ago: int) -> datetime:
    return datetime.combine(today() - timedelta(days=days_ago), clock(10), tzinfo=BUSINESS_TZ)


def write_county(ledger: Ledger, households: int) -> float:
    """The county; events per second through Ledger.record."""
    rng = random.Random(SEED)
    started, written = time.perf_counter(), 0
    townships = township_ids(households)
    units = [Command("UnitRegistered", {"unit_id": "county", "name": "县", "kind": "county"},
                     _moment(400))]
    villages = []
    for t in townships:
        units.append(Command("UnitRegistered", {"unit_id": t, "name": t, "kind": "township",
                                                "parent_id": "county"}, _moment(400)))
        for v in range(1, VILLAGES_PER_TOWNSHIP + 1):
            villages.append(f"{t}-v{v:02d}")
            units.append(Command("UnitRegistered", {"unit_id": villages[-1], "name": villages[-1],
                                                    "kind": "village", "parent_id": t},
                                 _moment(400)))
    units.append(Command("PersonRegistered", {"person_id": INSPECTOR.id, "name": "督查员",
                                              "unit_id": "county"}, _moment(400)))
    ledger.record(ADMIN, units)
    written += len(units)
    for first in range(1, households + 1, BATCH):
        numbers = range(first, min(households, first + BATCH - 1) + 1)
        registry, supervision = [], []
        for n in numbers:
            h = household_id(n)
            village = villages[(n - 1) * len(villages) // households]
            category = rng.choices(("registered_poor", "edge", "monitored", "other"),
                                   (60, 15, 5, 20))[0]
            registry.append(Command("HouseholdRegistered", {
                "household_id": h, "village_id": village, "head_name": head_name(n),
                "size": rng.randint(1, 6), "category": category}, _moment(365)))
            if rng.random() < 0.3:
                supervision.append(Command("HouseholdFactsRecorded", {
                    "household_id": h, "seriously_ill_members": rng.randint(0, 1),
                    "only_house_earthen": rng.random() < 0.3}, _moment(200)))
            if rng.random() < 0.7:
                checks = {**ALL_MET, "housing": rng.choice(("met", "met", "unmet"))}
                supervision.append(Command("InspectionRecorded", {
                    "inspection_id": f"i-{h}", "subject_type": "household", "subject_id": h,
                    "method": rng.choice(("visit", "visit", "phone", "unannounced")),
                    "inspector_ids": [INSPECTOR.id], "checks": checks,
                    "income": {"wage": rng.randint(8_000, 30_000)}}, _moment(rng.randint(0, 60))))
            if rng.random() < 0.05:
                supervision.append(Command("FindingRaised", {
                    "finding_id": f"f-{h}", "subject_type": "household", "subject_id": h,
                    "category": "housing", "description": "房屋漏雨",
                    "responsible_unit_id": village,
                    "due_date": (today() + timedelta(days=rng.randint(-30, 30))).isoformat()},
                    _moment(45)))
        ledger.record(ADMIN, registry)
        ledger.record(INSPECTOR, supervision)
        written += len(registry) + len(supervision)
        if first % 20_000 < BATCH:
            print(f"  {numbers[-1]:,} households, {written:,} events", flush=True)
    seconds = time.perf_counter() - started
    print(f"wrote the county: {written:,} events in {seconds:.0f} s "
          f"({written / seconds:,.0f} events/s through Ledger.record)")
    return written / seconds


def project(root: Root) -> None:
    started = time.perf_counter()
    folded = root.runner().catch_up()
    seconds = time.perf_counter() - started
    if folded:
        print(f"runner folded {folded:,} events in {seconds:.1f} s "
              f"({folded / seconds:,.0f} events/s, household list kept page by page)")
    store = root.store
    started = time.perf_counter()
    with store.writing() as cur:
        RowWriter(cur, store.sql, store.live().number).fill()
    rows = store.query("SELECT COUNT(*) FROM proj_households")[0][0]
    print(f"household list filled from nothing: {rows:,} rows in "
          f"{time.perf_counter() - started:.1f} s (what a rebuild adds when it indexes)")


def http_lists(url: str, root: Root, households: int, requests: int) -> dict[str, dict]:
    rng = random.Random(11)
    townships = township_ids(households)
    token = root.ledger.create_token("bench-jiwei", "discipline")
    officer = root.ledger.create_token("bench-township", "viewer", townships[0])

    def some(query: str) -> list[str]:
        return [f"/api/v1/households?township_id={rng.choice(townships)}{query}"
                for _ in range(requests)]

    def middle() -> str:
        return household_id(rng.randint(1, households))

    results = {}
    with gunicorn("service.app:create_app()",
                  {"LEDGER_DATABASE_URL": url, "LEDGER_LOG_LEVEL": "WARNING"}, 2) as port:
        status, body = get(port, f"/api/v1/households?township_id={townships[0]}&limit=1000",
                           token)
        print(f"  one township's first page of 1,000: {status}, {len(body):,} bytes")
        results["plain"] = latencies(port, token, some(""), "township, first 100")
        results["unvisited_key"] = latencies(
            port, token, some("&key=true&unvisited_days=31"),
            "township, key, unvisited 31 days")
        results["class_monitoring"] = latencies(
            port, token, some("&exit_class=B&monitoring=none&poverty_status=registered_poor"),
            "township, class B, not monitored, poor")
        results["edge_after"] = latencies(
            port, token, [f"/api/v1/households?township_id={rng.choice(townships)}"
                          f"&category=edge&after={middle()}" for _ in range(requests)],
            "township, edge, a page further on")
        results["scoped"] = latencies(
            port, officer, ["/api/v1/households?unvisited_days=31"] * requests,
            "township viewer (scope), unvisited 31 days")
        results["page_1000"] = latencies(port, token, some("&limit=1000")[:requests // 4],
                                         "township, a page of 1,000")
        results["csv"] = latencies(port, token, [
            f"/api/v1/households.csv?township_id={rng.choice(townships)}" for _ in range(50)],
            "township as CSV (all ~3,000)")
        results.update(http_searches(port, token, households, requests, townships))
    return results


def http_searches(port: int, token: str, households: int, requests: int,
                  townships: list[str]) -> dict[str, dict]:
    """`q` over the whole county: names as the bench wrote them."""
    rng = random.Random(17)
    names = [head_name(rng.randint(1, households)) for _ in range(requests)]
    three = [n for n in names if len(n) == 3] or names

    def searching(queries: list[str], extra: str = "") -> list[str]:
        return [f"/api/v1/households?q={quote(q)}{extra}" for q in queries]

    status, body = get(port, f"/api/v1/households?q={quote(SURNAMES[0])}", token)
    print(f"  q={SURNAMES[0]}: {status}, {len(body):,} bytes")
    return {
        "q_surname": latencies(port, token, searching([rng.choice(SURNAMES)
                                                       for _ in range(requests)]),
                               "county, q = a surname (one character)"),
        "q_pair": latencies(port, token, searching([n[:2] for n in names]),
                            "county, q = surname and first given character"),
        "q_whole": latencies(port, token, searching(three),
                             "county, q = a whole name of three (candidates checked)"),
        "q_id": latencies(port, token, searching([household_id(rng.randint(1, households))
                                                  for _ in range(requests)]),
                          "county, q = a household id"),
        "q_township": latencies(port, token, [
            f"/api/v1/households?q={quote(rng.choice(GIVEN))}&township_id="
            f"{rng.choice(townships)}" for _ in range(requests)],
            "township, q = one given-name character"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="reuse this ledger (kept afterwards)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per query")
    args = parser.parse_args()
    header("household_list_bench.py")
    print(f"{args.households:,} households in {len(township_ids(args.households))} townships, "
          f"backend {args.database_url or args.backend}")
    with database(args.backend, args.database_url) as url:
        with Root(Config(database_url=url)) as root:
            if Household.id_for(household_id(1)) in root.ledger.repository:
                print("county already written: reusing it")
            else:
                write_county(root.ledger, args.households)
            project(root)
            results = http_lists(url, root, args.households, args.requests)
    filtered = ("plain", "unvisited_key", "class_monitoring", "edge_after", "scoped")
    print_targets([
        *(Target(f"township list ({name}), p99", results[name]["p99"], 50, "ms", at_most=True)
          for name in filtered),
        Target("township list, a page of 1,000, p99", results["page_1000"]["p99"], 50, "ms",
               at_most=True),
    ], title="targets (issue 9)")
    print_targets([
        Target(f"county search ({name}), p99", results[name]["p99"], 50, "ms", at_most=True)
        for name in ("q_surname", "q_pair", "q_whole", "q_id", "q_township")
    ], title="targets (issue 17)")


if __name__ == "__main__":
    main()
