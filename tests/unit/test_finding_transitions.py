"""Every finding status against every action: the legal moves go through, all others raise
InvalidTransition and leave the finding and its pending events untouched."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from ledger.domain.base import recording
from ledger.domain.supervision import CLOSED, OPEN, RECTIFICATION_REPORTED, WITHDRAWN, Finding
from ledger.errors import InvalidTransition


@pytest.fixture(autouse=True)
def _recording() -> Iterator[None]:
    with recording("inspector-li"):
        yield


def _in(status: str) -> Finding:
    finding = Finding(finding_id="f1", subject_type="unit", subject_id="v1", category="visits",
                      description="visits not done", responsible_unit_id="v1",
                      due_date="2020-03-31")
    if status in (RECTIFICATION_REPORTED, CLOSED):
        finding.report_rectification("done", [])
    if status == CLOSED:
        finding.verify_rectification(True, "checked")
    if status == WITHDRAWN:
        finding.withdraw("duplicate")
    assert finding.status == status
    return finding


ACTIONS: dict[str, Callable[[Finding], None]] = {
    "report": lambda f: f.report_rectification("done again", []),
    "accept": lambda f: f.verify_rectification(True, "ok"),
    "reject": lambda f: f.verify_rectification(False, "not done"),
    "extend": lambda f: f.extend_deadline("2020-06-30", "flood", None),
    "withdraw": lambda f: f.withdraw("wrong village"),
}

# (status, action) -> the status afterwards; every pair not listed is illegal.
LEGAL = {
    (OPEN, "report"): RECTIFICATION_REPORTED,
    (OPEN, "extend"): OPEN,
    (OPEN, "withdraw"): WITHDRAWN,
    (RECTIFICATION_REPORTED, "accept"): CLOSED,
    (RECTIFICATION_REPORTED, "reject"): OPEN,
    (RECTIFICATION_REPORTED, "extend"): RECTIFICATION_REPORTED,
    (RECTIFICATION_REPORTED, "withdraw"): WITHDRAWN,
}
STATUSES = (OPEN, RECTIFICATION_REPORTED, CLOSED, WITHDRAWN)
PAIRS = [(s, a) for s in STATUSES for a in ACTIONS]


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_each_action_in_each_status_moves_or_is_refused(status: str, action: str) -> None:
    finding = _in(status)
    before = len(finding.pending_events)
    if (status, action) in LEGAL:
        ACTIONS[action](finding)
        assert finding.status == LEGAL[(status, action)]
        assert len(finding.pending_events) == before + 1
        return
    with pytest.raises(InvalidTransition) as caught:
        ACTIONS[action](finding)
    assert caught.value.details == {"finding_id": "f1", "status": status}
    assert finding.status == status
    assert len(finding.pending_events) == before


def test_only_open_and_reported_findings_count_as_open() -> None:
    assert {s: _in(s).is_open for s in STATUSES} == {
        OPEN: True, RECTIFICATION_REPORTED: True, CLOSED: False, WITHDRAWN: False,
    }
