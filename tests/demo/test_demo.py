"""The synthetic county: every kind of event, an intact chain, and the same data per seed."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.errors import AlreadyExists, Invalid
from ledger.tamper.verification import verify_chain
from service.config import Config
from service.demo import Tick, write_county
from service.root import open_ledger
from tests.backends import BACKENDS, fresh_database_url

HOUSEHOLDS, MONTHS = 300, 7
# Everything the county is built to contain at this size; rarer turns (a revoked warning, a
# delisting) depend on the draw and are not required here.
EXPECTED_TYPES = {
    "RuleParameterSet", "UnitRegistered", "PersonRegistered", "HouseholdRegistered",
    "HouseholdFactsRecorded", "ResponsibilityAssigned", "ResponsibilityEnded", "UnitListed",
    "InspectionRecorded", "FindingRaised", "FindingAttached", "RectificationReported",
    "RectificationVerified", "DeadlineExtended", "FindingWithdrawn", "WarningIssued",
    "YellowCardNoted", "InterviewRequired", "InterviewHeld", "AccountabilityMeasureTaken",
    "ScoreRecorded", "ExitAppraised", "ExitVerified", "ExitAcknowledged", "ExitPublicized",
    "ExitObjectionRaised", "ExitObjectionSettled", "HouseholdExited", "MonitoringStarted",
    "HelpPlanRecorded", "MeasureCompleted", "SystemRecordCompared", "DataMismatchFound",
    "QuarterlyRatingRecorded", "OpenFindingCounted", "OpenFindingSettled",
    "MemberRegistered", "MemberLeft", "IdNumberClaimed", "HouseholdReclassified",
}


def whole_log(ledger: Ledger) -> list:
    events, after = [], 0
    while page := ledger.read_log(after, 1000):
        events.extend(page)
        after = page[-1].position
    return events


def county(url: str, seed: int, ticks: list[Tick]) -> Ledger:
    ledger = open_ledger(Config(database_url=url))
    write_county(ledger, HOUSEHOLDS, MONTHS, seed, batch=200, on_batch=ticks.append)
    return ledger


@pytest.fixture(scope="module", params=BACKENDS)
def counties(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[dict[str, list]]:
    """Three counties on one backend: seed 1 twice, seed 2 once; their logs and ticks."""
    logs: dict[str, list] = {}
    for name, seed in (("first", 1), ("again", 1), ("other", 2)):
        with fresh_database_url(request.param, tmp_path_factory.mktemp(name)) as url:
            logs[f"{name}_ticks"] = []
            ledger = county(url, seed, logs[f"{name}_ticks"])
            logs[name] = whole_log(ledger)
            logs[f"{name}_report"] = verify_chain(ledger.recorder)
            ledger.close()
    yield logs


def test_the_county_holds_every_expected_kind_of_event(counties: dict) -> None:
    types = {event.type for event in counties["first"]}
    assert EXPECTED_TYPES <= types, EXPECTED_TYPES - types


def test_most_households_are_registered_with_all_their_members(counties: dict) -> None:
    log = counties["first"]
    sizes = {e.data["household_id"]: e.data["size"] for e in log
             if e.type == "HouseholdRegistered"}
    members = Counter(e.data["household_id"] for e in log if e.type == "MemberRegistered")
    complete = [h for h, size in sizes.items() if members[h] == size]
    assert 0.8 * len(sizes) <= len(complete) < len(sizes)  # most, not all
    reasons = {e.data["reason"] for e in log if e.type == "HouseholdReclassified"}
    assert reasons == {"newly_identified", "returned_to_poverty"}


def test_visits_are_recorded_late_and_monthly(counties: dict) -> None:
    visits = [e for e in counties["first"] if e.type == "InspectionRecorded"
              and e.data["method"] == "visit"]
    months = {e.occurred_at.month for e in visits}
    assert months == set(range(1, MONTHS + 1))
    occurred = [e.occurred_at for e in visits]
    late = [later for earlier, later in pairwise(occurred) if later.month < earlier.month]
    assert late, "some visits are recorded after visits of a later month"
    assert all(e.occurred_at.year == 2020 for e in counties["first"])


def test_the_chain_verifies(counties: dict) -> None:
    for name in ("first", "again", "other"):
        report = counties[f"{name}_report"]
        assert report.ok, (name, report)
        assert report.checked == len(counties[name])


def test_the_same_seed_gives_the_same_data(counties: dict) -> None:
    def shape(log: list) -> list:
        return [(e.type, e.actor, e.occurred_at, e.data) for e in log
                if e.type not in ("RuleParameterSet", "ScoreRecorded")] + [
            (e.type, e.data) for e in log if e.type in ("RuleParameterSet", "ScoreRecorded")]

    assert shape(counties["first"]) == shape(counties["again"])
    assert shape(counties["first"]) != shape(counties["other"])


def test_every_batch_is_reported_in_order_and_within_one_stage(counties: dict) -> None:
    ticks, log = counties["first_ticks"], counties["first"]
    assert ticks[-1].events == len(log)
    assert all(a.events < b.events and a.seconds <= b.seconds for a, b in pairwise(ticks))
    stages = list(dict.fromkeys(tick.stage for tick in ticks))
    months = [f"2020-{month:02d}" for month in range(1, MONTHS + 1)]
    assert stages in (["registry", *months], ["registry", *months, "late entries"])
    registry_end = max(tick.events for tick in ticks if tick.stage == "registry")
    assert not any(e.type == "InspectionRecorded" for e in log[:registry_end])
    assert log[registry_end].type == "InspectionRecorded"  # the first month begins with visits


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ledger_that_holds_the_county_is_refused_and_unchanged(backend: str, tmp_path: Path
                                                                 ) -> None:
    with fresh_database_url(backend, tmp_path) as url:
        ledger = open_ledger(Config(database_url=url))
        write_county(ledger, 20, 1, seed=5)
        head = ledger.head()
        with pytest.raises(AlreadyExists):
            write_county(ledger, 20, 1, seed=5)
        with pytest.raises(Invalid):
            write_county(ledger, 20, 13, seed=5)
        assert ledger.head() == head
        ledger.close()
