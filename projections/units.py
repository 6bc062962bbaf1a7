"""Unit boards: listing, warnings by period, interviews due and held, findings, delisting."""
from __future__ import annotations

from typing import Any

from projections import findings, flags, responsibility, rulebook, supervision_cycle
from projections.events import Event

State = dict[str, Any]


def apply(state: State | None, event: Event) -> State | None:
    data = event.data
    if event.type == "UnitRegistered":
        return {
            "unit_id": data["unit_id"],
            "name": data["name"],
            "kind": data["kind"],
            "parent_id": data.get("parent_id"),
            "registered_event": event.event_id,
            "listing": None,
            "listing_history": [],
            "warnings": {},
            "interviews_due": [],
            "interviews_held": [],
            "responsibilities": [],
            "poor_village": bool(data.get("poor_village")),
        }
    if state is None:
        return None
    handler = _HANDLERS.get(event.type)
    if handler is not None:
        handler(state, event)
    return state


def _listed(state: State, event: Event) -> None:
    state["listing"] = {"level": event.data["level"], "since": event.occurred_on,
                        "event_id": event.event_id,
                        "supervising_unit_id": event.data.get("supervising_unit_id"),
                        "due_date": event.data.get("due_date")}
    state["listing_history"].append({"change": "listed", "level": event.data["level"],
                                     "on": event.occurred_on, "event_id": event.event_id})


def _delisted(state: State, event: Event) -> None:
    state["listing"] = None
    state["listing_history"].append({"change": "delisted", "on": event.occurred_on,
                                     "event_id": event.event_id})


def _relisted(state: State, event: Event) -> None:
    """A delisting overturned by dispute: listed again, as though it had not been made."""
    data = event.data
    state["listing"] = {"level": data["level"], "since": event.occurred_on,
                        "event_id": event.event_id, "supervising_unit_id": None,
                        "due_date": None}
    state["listing_history"].append({"change": "relisted", "level": data["level"],
                                     "on": event.occurred_on, "event_id": event.event_id})


def _contradicted(state: State, event: Event) -> None:
    state.setdefault("contradicted_decisions", []).append(flags.contradiction(event))


def _warning_issued(state: State, event: Event) -> None:
    data = event.data
    state["warnings"][data["warning_id"]] = {
        "warning_id": data["warning_id"],
        "color": data["color"],
        "period": data["period"],
        "reason": data["reason"],
        "finding_ids": data.get("finding_ids", []),
        "issued_on": event.occurred_on,
        "event_id": event.event_id,
        "revoked_event": None,
    }


def _warning_revoked(state: State, event: Event) -> None:
    warning = state["warnings"].get(event.data["warning_id"])
    if warning is not None:
        warning["revoked_event"] = event.event_id


def _interview_required(state: State, event: Event) -> None:
    data = event.data
    state["interviews_due"].append({
        "person_id": data.get("person_id"),
        "periods": data["periods"],
        "warning_ids": data["warning_ids"],
        "on": event.occurred_on,
        "event_id": event.event_id,
        "voided_event": None,
    })


def _interview_voided(state: State, event: Event) -> None:
    for due in state["interviews_due"]:
        if due["periods"] == event.data["periods"] and due["voided_event"] is None:
            due["voided_event"] = event.event_id


def _interview_held(state: State, event: Event) -> None:
    state["interviews_held"].append({"person_id": event.data["person_id"],
                                     "note": event.data["note"], "on": event.occurred_on,
                                     "event_id": event.event_id})


def _assignment(state: State, event: Event) -> None:
    responsibility.apply(state["responsibilities"], event)


def _population(state: State, event: Event) -> None:
    state.setdefault("populations", {})[str(event.data["year"])] = event.data["population"]


def _village_exit(state: State, event: Event) -> None:
    exited = event.type == "VillageExitRecorded"
    state["village_exit"] = {"year": event.data["year"], "on": event.occurred_on,
                             "event_id": event.event_id} if exited else None


VILLAGE_EVENTS = ("VillagePopulationRecorded", "VillageExitRecorded", "VillageExitAnnulled")

_HANDLERS = {
    "VillagePopulationRecorded": _population,
    "VillageExitRecorded": _village_exit,
    "VillageExitAnnulled": _village_exit,
    "UnitListed": _listed,
    "UnitDelisted": _delisted,
    "UnitRelisted": _relisted,
    "DecisionContradicted": _contradicted,
    "WarningIssued": _warning_issued,
    "WarningRevoked": _warning_revoked,
    "InterviewRequired": _interview_required,
    "InterviewVoided": _interview_voided,
    "InterviewHeld": _interview_held,
    "ResponsibilityAssigned": _assignment,
    "ResponsibilityEnded": _assignment,
    "InspectionRecorded": supervision_cycle.inspected,
    "QuarterlyRatingRecorded": supervision_cycle.rated,
    "QuarterlyRatingWithdrawn": supervision_cycle.rating_withdrawn,
    "FindingTransferred": supervision_cycle.finding_transferred,
    "FindingAttached": supervision_cycle.tallied,
    "OpenFindingCounted": supervision_cycle.tallied,
    "OpenFindingSettled": supervision_cycle.tallied,
}


def interviews(state: State) -> list[State]:
    """Each interview made due, with the interview held for it if any: a held interview of
    the same person answers the earliest due one it comes after."""
    held = sorted(state["interviews_held"], key=lambda h: h["on"])
    used: set[str] = set()
    answers = []
    for due in state["interviews_due"]:
        match = None
        if due["voided_event"] is None:
            match = next(
                (h for h in held if h["event_id"] not in used and h["on"] >= due["on"]
                 and due["person_id"] in (None, h["person_id"])),
                None,
            )
        if match is not None:
            used.add(match["event_id"])
        answers.append({**due, "held_event": match["event_id"] if match else None,
                        "status": "voided" if due["voided_event"] else
                        ("held" if match else "due")})
    return answers


def render(state: State, finding_states: list[State], rules: State | None, on: str,
           transferred: list[State] | None = None) -> State:
    """The board; `transferred`: the states of the findings the unit transferred away."""
    warnings_by_period: dict[str, list[State]] = {}
    for warning in sorted(state["warnings"].values(), key=lambda w: (w["period"], w["issued_on"])):
        warnings_by_period.setdefault(warning["period"], []).append(
            {**warning, "revoked": warning["revoked_event"] is not None}
        )
    open_ids = sorted(f["finding_id"] for f in finding_states if findings.is_open(f))
    closed = sorted(f["finding_id"] for f in finding_states if f["status"] == "closed")
    overdue = sorted(f["finding_id"] for f in finding_states if findings.is_overdue(f, on))
    listed = state["listing"] is not None
    return {
        "unit_id": state["unit_id"],
        "name": state["name"],
        "kind": state["kind"],
        "parent_id": state["parent_id"],
        "as_of_date": on,
        "listed": listed,
        "listing": state["listing"],
        "listing_history": state["listing_history"],
        "contradicted_decisions": state.get("contradicted_decisions", []),
        "current_period": rulebook.review_period(rules, on),
        "warnings_by_period": warnings_by_period,
        "interviews": interviews(state),
        "findings": {
            "open": open_ids,
            "closed": closed,
            "overdue": overdue,
            "withdrawn": sorted(
                f["finding_id"] for f in finding_states if f["status"] == "withdrawn"
            ),
            **supervision_cycle.transfers_out(state, transferred or []),
        },
        "delisting_allowed": listed and not open_ids and not state.get("open_in_subtree"),
        "responsible": responsibility.responsible_on(state["responsibilities"], on),
        **supervision_cycle.board(state, rules, on),
        "poor_village": bool(state.get("poor_village")),
        "populations": {int(y): n for y, n in sorted(state.get("populations", {}).items())},
        "exit_year": (state.get("village_exit") or {}).get("year"),
        "village_exit": state.get("village_exit"),
    }
