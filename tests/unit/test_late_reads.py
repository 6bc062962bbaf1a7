"""The runs of dates over which a field read differently before and after a late entry."""
from __future__ import annotations

from datetime import UTC, datetime

from projections.replay import Cut
from service.late_reads import changes_between

BEFORE, AFTER = datetime(2020, 5, 1, tzinfo=UTC), datetime(2020, 5, 1, 0, 0, 1, tzinfo=UTC)


def _reader(after_from: str, after_until: str | None = None):
    """A finding that reads open throughout before, and closed from `after_from` (until the
    day before `after_until`) after."""
    def read(kind: str, key: str, cut: Cut) -> dict:
        day = cut.valid_at.isoformat() if cut.valid_at else "9999-12-31"
        closed = cut.as_of == AFTER and day >= after_from and (
            after_until is None or day < after_until)
        return {"status": "closed" if closed else "open", "due_date": "2020-03-31",
                "closed_on": after_from if closed else None, "overdue": False}
    return read


def test_a_change_runs_from_the_first_date_it_shows_to_the_last_compared() -> None:
    days = ["2020-03-10", "2020-03-20", "2020-03-31", "2020-04-01", "2020-05-01"]
    changes = changes_between(_reader("2020-03-20"), "finding", "f1", days, BEFORE, AFTER,
                              "2020-05-01")
    assert [(c["field"], c["before"], c["after"], c["from"], c["to"]) for c in changes] == [
        ("closed_on", None, "2020-03-20", "2020-03-20", "2020-05-01"),
        ("status", "open", "closed", "2020-03-20", "2020-05-01")]


def test_a_change_that_stops_ends_the_day_before_the_next_compared_date() -> None:
    days = ["2020-03-10", "2020-03-20", "2020-04-01", "2020-05-01"]
    changes = changes_between(_reader("2020-03-20", "2020-04-01"), "finding", "f1", days,
                              BEFORE, AFTER, "2020-05-01")
    assert {(c["field"], c["from"], c["to"]) for c in changes} == {
        ("closed_on", "2020-03-20", "2020-03-31"), ("status", "2020-03-20", "2020-03-31")}


def test_nothing_that_reads_the_same_is_a_change() -> None:
    days = ["2020-03-10", "2020-05-01"]
    assert changes_between(_reader("2099-01-01"), "finding", "f1", days, BEFORE, AFTER,
                           "2020-05-01") == []
