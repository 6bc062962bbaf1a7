"""Boundaries a mutation audit found unguarded (issue 16), each on both sides, without a
database: the last day of a 公示 notice, the last day of an unsupervised period, ties in the
quarterly lights and in the yearly scoring totals."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from ledger.domain.base import recording
from ledger.errors import InvalidTransition
from projections import ratings, scoring
from projections.events import Event
from projections.supervision_cycle import supervision_gaps
from tests.unit.test_business_time_rules import _household, _through_notice


@pytest.mark.parametrize(("moment", "accepted"), [
    ("2020-07-14T23:59:59+08:00", True),  # the notice's last day (to: 07-14), China time
    ("2020-07-15T00:00:00+08:00", False),  # the day after
    ("2020-07-14T16:30:00+00:00", False),  # 00:30 on 07-15 in China, still 07-14 in UTC
])
def test_an_objection_is_accepted_on_the_last_day_of_the_notice_and_not_after(
    moment: str, accepted: bool,
) -> None:
    household = _household()
    _through_notice(household)
    with recording("cadre-wang", datetime.fromisoformat(moment)):
        if accepted:
            household.raise_exit_objection(2020, "income overstated")
            assert household.exit_attempt is not None
            assert household.exit_attempt["objections"] == 1
            return
        with pytest.raises(InvalidTransition) as caught:
            household.raise_exit_objection(2020, "income overstated")
    assert caught.value.details["notice"] == ["2020-07-07", "2020-07-14"]


LISTED = {"listing_history": [{"change": "listed", "on": "2020-01-01"}], "supervisions": []}


@pytest.mark.parametrize(("on", "gaps"), [
    ("2020-01-31", []),  # the period 01-01..01-31 has not ended yet on its last day
    ("2020-02-01", [{"from": "2020-01-01", "to": "2020-01-31", "days": 31}]),
])
def test_an_unsupervised_period_is_a_gap_from_the_day_after_its_last(
    on: str, gaps: list[dict[str, Any]],
) -> None:
    assert supervision_gaps(LISTED, 31, on) == gaps
    supervised = {**LISTED, "supervisions": [{"on": "2020-01-31"}]}
    assert supervision_gaps(supervised, 31, on) == []


def test_equal_quarterly_scores_share_a_rank_and_the_next_rank_skips() -> None:
    state = {"units": {
        unit_id: {"unit_id": unit_id, "light": "green", "score": score}
        for unit_id, score in (("v1", 90.0), ("v2", 95.0), ("v3", 90.0), ("v4", 80.0),
                               ("v5", None))}}
    table = ratings.render("2020-Q1", state, {}, None)
    assert [(u["unit_id"], u["rank"]) for u in table["units"]] == [
        ("v2", 1), ("v1", 2), ("v3", 2), ("v4", 4), ("v5", None)]


def _score(position: int, village_id: str, points: float) -> Event:
    moment = datetime.fromisoformat("2020-03-20T10:00+08:00")
    return Event(position=position, event_id=f"e{position}", type="ScoreRecorded", actor="a",
                 occurred_at=moment, recorded_at=moment,
                 data={"round_id": "r1", "village_id": village_id, "section": "village",
                       "points": points, "month": "2020-03"},
                 occurred_on="2020-03-20", recorded_us=position)


def test_equal_yearly_totals_share_a_rank_and_the_next_rank_skips() -> None:
    state = None
    for position, (village_id, points) in enumerate(
            (("v1", 30.0), ("v2", 40.0), ("v3", 30.0), ("v4", 20.0)), start=1):
        state = scoring.apply(state, _score(position, village_id, points))
    assert state is not None
    year = scoring.year([state], 2020)
    assert [(v["village_id"], v["rank"]) for v in year["villages"]] == [
        ("v2", 1), ("v1", 2), ("v3", 2), ("v4", 4)]
