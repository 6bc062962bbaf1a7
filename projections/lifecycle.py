"""A household's lifecycle in its status: poverty status, the exit procedure, monitoring.

Folded into the household's state (`projections.households` hands these events over). The
steps of one exit attempt and the spells of monitoring are ordered in business time by the
ledger's own rules (an attempt's steps never go back in time, spells never overlap), so the
log order of these events is their business order; the category they move is held by
business time with every other value (`business_time.keep_latest`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.events import Event

State = dict[str, Any]
EXIT_EVENTS = ("ExitAppraised", "ExitVerified", "ExitAcknowledged", "ExitPublicized",
               "ExitObjectionRaised", "ExitObjectionSettled", "HouseholdExited", "ExitAnnulled")
MONITORING_EVENTS = ("MonitoringStarted", "RiskEliminated", "MonitoringResumed")
LIFECYCLE_EVENTS = frozenset(EXIT_EVENTS + MONITORING_EVENTS)
NEXT_STEP = {"ExitAppraised": "ExitVerified", "ExitVerified": "ExitAcknowledged",
             "ExitAcknowledged": "ExitPublicized", "ExitPublicized": "HouseholdExited"}
POVERTY_STATUS = {"registered_poor": "registered_poor", "exited": "exited"}


def apply(state: State, event: Event, hold: Callable[[State, str, Any, Event], None]) -> None:
    """Fold one lifecycle event; `hold` sets a top-level value by business time."""
    if event.type in MONITORING_EVENTS:
        _monitoring(state, event)
        return
    data = event.data
    step = {"type": event.type, "event_id": event.event_id, "on": event.occurred_on}
    attempt = state.get("exit")
    if event.type == "ExitAppraised" or attempt is None:
        attempt = state["exit"] = {"year": data["year"], "steps": [], "next_step": None,
                                   "outcome": None, "objections_open": 0, "notice": None}
    attempt["steps"].append(step)
    if event.type in NEXT_STEP:
        attempt["next_step"] = NEXT_STEP[event.type]
    if event.type == "ExitPublicized":
        attempt["notice"] = {"from": data["from"], "to": data["to"]}
    elif event.type == "ExitObjectionRaised":
        attempt["objections_open"] += 1
    elif event.type == "ExitObjectionSettled":
        attempt["objections_open"] = 0
    if (event.type == "ExitVerified" and not data["passed"]) or (
            event.type == "ExitObjectionSettled" and data["upheld"]) or (
            event.type == "ExitAppraised" and data.get("majority_reached") is False):
        attempt.update(outcome="ended", next_step="ExitAppraised")
    elif event.type == "HouseholdExited":
        attempt.update(outcome="exited", next_step=None)
        state["exit_year"] = data["year"]
        hold(state, "category", "exited", event)
    elif event.type == "ExitAnnulled":
        attempt.update(outcome="annulled", next_step="ExitAppraised")
        state["exit_year"] = None
        hold(state, "category", "registered_poor", event)


def _monitoring(state: State, event: Event) -> None:
    spells = state.setdefault("spells", [])
    if event.type == "MonitoringStarted":
        spells.append({"type": event.data["monitoring_type"], "since": event.occurred_on,
                       "risks": event.data["risks"], "until": None,
                       "event_ids": [event.event_id]})
    elif spells and event.type == "MonitoringResumed":
        spells[-1]["until"] = None
        spells[-1]["event_ids"].append(event.event_id)
    elif spells:
        spells[-1]["until"] = event.occurred_on
        spells[-1]["event_ids"].append(event.event_id)


def render(state: State) -> State:
    """The lifecycle keys of the household status."""
    open_spells = [s for s in state.get("spells", []) if s["until"] is None]
    spell = open_spells[-1] if open_spells else None
    return {
        "poverty_status": POVERTY_STATUS.get(state["category"], "not_registered"),
        "exit_year": state.get("exit_year"),
        "exit": state.get("exit"),
        "monitoring": None if spell is None else {
            k: spell[k] for k in ("type", "since", "risks", "event_ids")},
    }
