"""Does `ledger demo` write as fast at the end of a county as at its start? (by hand, never in
the test suite)

    python bench/demo_bench.py [--events 30000 | --households N] [--months 12]
                               [--backend sqlite|postgres] [--database-url URL] [--profile]
                               [--reads N]

Writes a synthetic county through service.demo.write_county on a ledger built by the
composition root (exactly what `ledger demo` does), timing every recorded batch. Prints the
rate of each tenth of the events and of each stage (the registry, each month, the visits typed
in late), then the target of issue 8: the last 10 % of the events written at no less than
0.8 x the rate of the first 10 %.

Sizes: the default (about 30,000 events) takes 20-60 s. The issue's county, `--events 1000000`
(61,050 households over 12 months: 997,627 events), took 13 minutes on SQLite on a shared 2-core
machine; PostgreSQL writes about a third as fast there (expect 40 minutes or more).

--reads N then rebuilds the views (timed) and asks gunicorn N times each for the household list
of the township nearest 3,000 households and the boards of that township and the county, with
p50 and p99 (bench/county_reads.py); given a --database-url that already holds the county, the
writing is skipped, so the reads of a county written once can be measured again.

--profile runs cProfile per stage and prints, for the first and the last month, the functions
that took the most time per event written (cProfile slows the run; its rates are not the
measurement, only the comparison between the two months is).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

import county_reads
from harness import ROOT, Target, database, header, load_average, print_targets

from ledger.domain.units import Unit
from service.config import Config
from service.demo import Tick, write_county
from service.root import Root

# Events per household in a county of `months` months, measured on seed 1 (2,000 households:
# 10.85 at 7 months, 16.34 at 12): the registry writes about 3.3 per household, each month
# about 1.09 more. Only used to turn --events into a number of households.
REGISTRY_EVENTS_PER_HOUSEHOLD = 3.3
MONTHLY_EVENTS_PER_HOUSEHOLD = 1.09
TARGET_RATIO = 0.8


def households_for(events: int, months: int) -> int:
    per_household = REGISTRY_EVENTS_PER_HOUSEHOLD + MONTHLY_EVENTS_PER_HOUSEHOLD * months
    return max(1, round(events / per_household))


def time_at(ticks: list[Tick], events: float) -> float:
    """Seconds since the start when `events` had been written, interpolated between batches."""
    counts = [tick.events for tick in ticks]
    i = bisect_left(counts, events)
    after = ticks[i]
    before = ticks[i - 1] if i else Tick("", 0, 0.0)
    share = (events - before.events) / (after.events - before.events)
    return before.seconds + share * (after.seconds - before.seconds)


def rate_between(ticks: list[Tick], low: float, high: float) -> float:
    """Events/s over the events from share `low` to share `high` of the whole run."""
    total = ticks[-1].events
    first, last = low * total, high * total
    return (last - first) / (time_at(ticks, last) - time_at(ticks, first))


def stage_rates(ticks: list[Tick]) -> list[tuple[str, int, float]]:
    """(stage, events, seconds) for each stage in the order written."""
    rows: list[tuple[str, int, float]] = []
    events, seconds = 0, 0.0
    for tick in ticks:
        if not rows or rows[-1][0] != tick.stage:
            rows.append((tick.stage, 0, 0.0))
        stage, n, s = rows[-1]
        rows[-1] = (stage, n + tick.events - events, s + tick.seconds - seconds)
        events, seconds = tick.events, tick.seconds
    return rows


@dataclass
class StageProfiler:
    """One cProfile per stage, switched when a batch of a new stage is reported (so the first
    batch of each stage is counted in the stage before it: a few hundred commands)."""

    profiles: dict[str, cProfile.Profile] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    current: str = "registry"
    last_events: int = 0

    def start(self) -> None:
        self.profiles[self.current] = cProfile.Profile()
        self.profiles[self.current].enable()

    def __call__(self, tick: Tick) -> None:
        self.events[self.current] = (self.events.get(self.current, 0)
                                     + tick.events - self.last_events)
        self.last_events = tick.events
        if tick.stage != self.current:
            self.profiles[self.current].disable()
            self.current = tick.stage
            self.profiles[self.current] = cProfile.Profile()
            self.profiles[self.current].enable()

    def stop(self) -> None:
        self.profiles[self.current].disable()

    def show(self, stage: str, lines: int = 10) -> None:
        stats = pstats.Stats(self.profiles[stage])
        events = max(1, self.events.get(stage, 0))
        total = stats.total_tt  # type: ignore[attr-defined]
        rows = stats.stats.items()  # type: ignore[attr-defined]
        print(f"\nprofile of {stage}: {events:,} events, {total / events * 1e6:,.0f} µs/event "
              "under cProfile")
        print("  most own time per event:")
        for row in sorted(rows, key=lambda item: item[1][2], reverse=True)[:lines]:
            self._line(row, events)
        print("  the project's functions, most time per event with their callees:")
        ours = [row for row in rows if row[0][0].startswith(str(ROOT))
                and not row[0][0].startswith(str(ROOT / "bench"))]
        for row in sorted(ours, key=lambda item: item[1][3], reverse=True)[:lines]:
            self._line(row, events)

    @staticmethod
    def _line(row: tuple, events: int) -> None:
        (path, line, name), (_, calls, own, cumulative, _) = row
        where = "/".join(Path(path).parts[-2:]) if path != "~" else "builtin"
        print(f"    own {own / events * 1e6:7.1f} µs  with callees {cumulative / events * 1e6:8.1f}"
              f" µs  {calls / events:6.2f} calls  {name} ({where}:{line})")


def measure_reads(root: Root, url: str, requests: int) -> int:
    print("\nreads of the county written (bench/county_reads.py)", flush=True)
    county_reads.rebuild(root)
    county_reads.http_reads(url, root, requests)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--events", type=int, default=30_000,
                      help="about this many events (sets the households; default 30,000)")
    size.add_argument("--households", type=int, help="households in the county")
    parser.add_argument("--months", type=int, default=12, help="months from 2020-01 (1-12)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=500, help="commands per recorded batch")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="an empty ledger to write into (kept afterwards)")
    parser.add_argument("--profile", action="store_true",
                        help="profile each stage; print the first and the last month")
    parser.add_argument("--reads", type=int, default=0, metavar="N",
                        help="then rebuild the views and time N list and board reads")
    args = parser.parse_args()
    households = args.households or households_for(args.events, args.months)

    header("demo_bench.py")
    ticks: list[Tick] = []
    profiler = StageProfiler() if args.profile else None

    def on_batch(tick: Tick) -> None:
        ticks.append(tick)
        if profiler is not None:
            profiler(tick)

    def progress(line: str) -> None:
        print(f"  {line}", flush=True)

    with database(args.backend, args.database_url) as url:
        with Root(Config(database_url=url)) as root:
            if args.reads and Unit.id_for("county") in root.ledger.repository:
                print(f"the county is already written ({root.ledger.head()}): reading only")
                return measure_reads(root, url, args.reads)
            print(f"county: {households:,} households, {args.months} months, seed {args.seed}, "
                  f"batches of {args.batch} commands, backend {url}")
            if profiler is not None:
                profiler.start()
            started = time.perf_counter()
            summary = write_county(root.ledger, households, args.months, args.seed, args.batch,
                                   progress=progress, on_batch=on_batch)
            seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.stop()
            if args.reads:
                measure_reads(root, url, args.reads)
    print(f"wrote {summary.events:,} events ({summary.commands:,} commands) in {seconds:.1f} s: "
          f"{summary.events / seconds:,.0f} events/s; load average after: {load_average()}")
    print(f"stored ÷ client events: {summary.events / max(summary.commands, 1):.2f} (what the "
          f"ledger derived besides the {summary.commands:,} events clients sent)")

    print("\nby tenth of the events          events/s")
    for tenth in range(10):
        print(f"  {tenth * 10:3d}-{tenth * 10 + 10:3d} %               "
              f"{rate_between(ticks, tenth / 10, (tenth + 1) / 10):>10,.0f}")
    print("\nby stage                  events    seconds   events/s")
    for stage, events, stage_seconds in stage_rates(ticks):
        print(f"  {stage:16} {events:>11,} {stage_seconds:>10.1f} "
              f"{events / stage_seconds if stage_seconds else 0:>10,.0f}")

    if profiler is not None:
        months = [stage for stage in profiler.profiles if stage.startswith("20")]
        for stage in (months[0], months[-1]) if len(months) > 1 else months:
            profiler.show(stage)

    first, last = rate_between(ticks, 0.0, 0.1), rate_between(ticks, 0.9, 1.0)
    backend = "PostgreSQL" if (args.database_url or args.backend).startswith("postgres") \
        else "SQLite"
    targets = [Target(
        f"`ledger demo` on {backend}, last 10 % / first 10 % of {summary.events:,} events",
        last / first, TARGET_RATIO, "×", f"{last:,.0f}/s ÷ {first:,.0f}/s")]
    by_month = [(stage, n / s) for stage, n, s in stage_rates(ticks) if stage.startswith("20")]
    if len(by_month) > 1:
        (first_month, first_rate), (last_month, last_rate) = by_month[0], by_month[-1]
        targets.append(Target(
            f"the same, read as months: {last_month} / {first_month}", last_rate / first_rate,
            TARGET_RATIO, "×", f"{last_rate:,.0f}/s ÷ {first_rate:,.0f}/s"))
    print_targets(targets)
    if profiler is not None:
        print("  (measured under cProfile, which slows the run unevenly: rerun without --profile "
              "for the figures)")
    print("  (the first 10 % of the events are the registry, which writes new aggregates only; "
          "the months\n  compare like with like: visits, findings and their follow-ups)")
    if summary.events < 900_000:
        print("  (the target is set on a 1,000,000-event county: run with --events 1000000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
