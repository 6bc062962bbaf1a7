"""The dispute view: the dispute, the contested event with what the ledger derived from it,
and the contested subject replayed as of the moment that event was recorded."""
from __future__ import annotations

from typing import Any

from evidence.packs import plain, render_view
from ledger.application import Ledger, LoggedEvent
from ledger.domain.scoring import Dispute
from ledger.domain.subjects import event_subject
from ledger.errors import NotFound
from projections.views import Views

TOKEN_TYPES = ("TokenIssued", "TokenRevoked")


def _answer_at(ledger: Ledger, position: int) -> LoggedEvent:
    """The client event at `position` with the events the ledger derived from it.

    Token events are the system's own, never a consequence: they end the answer."""
    logged = ledger.read_log(position - 1, 100)
    for index, event in enumerate(logged[1:], start=1):
        if event.type in TOKEN_TYPES:
            logged = logged[:index]
            break
    return type(ledger)._answers(logged)[0]


def _logged(event: LoggedEvent) -> dict[str, Any]:
    return {"event_id": event.event_id, "type": event.type, "position": event.position,
            "occurred_at": event.occurred_at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(), "actor": event.actor,
            "hash": event.hash, "data": plain(event.data),
            "consequences": [_logged(c) for c in event.consequences]}


def contested_subject(data: dict[str, Any]) -> tuple[str, str] | None:
    """The subject an event is about, for its replayed view and its evidence pack."""
    return event_subject(data)


def _opened(ledger: Ledger, dispute_id: str) -> LoggedEvent:
    opened_at = ledger.position_of(f"{Dispute.id_for(dispute_id)}:1")
    if opened_at is None:
        raise NotFound(f"dispute {dispute_id!r} does not exist", id=dispute_id)
    return _answer_at(ledger, opened_at)


def contested_event(ledger: Ledger, dispute_id: str) -> LoggedEvent | None:
    """The event a dispute contests, as stored (personal fields sealed), or None if it is not
    in the log; NotFound for an unknown dispute. Its subject decides who may read the dispute
    (`projections.access`); its sealed fields name whose personal data the dispute shows."""
    position = ledger.position_of(_opened(ledger, dispute_id).data["contested_event_id"])
    return None if position is None else ledger.read_log(position - 1, 1, sealed=True)[0]


def dispute_view(ledger: Ledger, views: Views, dispute_id: str) -> dict[str, Any]:
    """A dispute: opened, resolved (with what the ledger undid), the contested event, and its
    subject replayed as of the moment the contested event was recorded."""
    opened = _opened(ledger, dispute_id)
    resolved_at = ledger.position_of(f"{Dispute.id_for(dispute_id)}:2")
    resolved = None if resolved_at is None else _answer_at(ledger, resolved_at)
    contested_at = ledger.position_of(opened.data["contested_event_id"])
    contested = _answer_at(ledger, contested_at) if contested_at is not None else None
    subject = None if contested is None else contested_subject(contested.data)
    view = None
    if contested is not None and subject is not None:
        # As the ledger stood once the contested event and its consequences were recorded.
        moment = (contested.consequences or [contested])[-1].recorded_at
        view = render_view(views, subject[0], subject[1], moment)
    return {
        "dispute_id": dispute_id,
        "status": "open" if resolved is None else "resolved",
        "grounds": opened.data["grounds"],
        "outcome": None if resolved is None else resolved.data["outcome"],
        "opened": _logged(opened),
        "resolved": None if resolved is None else _logged(resolved),
        "contested": None if contested is None else _logged(contested),
        "consequences": [] if resolved is None else [_logged(c) for c in resolved.consequences],
        "subject": None if subject is None else {"type": subject[0], "id": subject[1]},
        "view_when_recorded": view,
        "evidence_pack": None if subject is None
        else f"/api/v1/evidence/{subject[0]}/{subject[1]}",
    }
