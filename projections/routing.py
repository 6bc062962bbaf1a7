"""Which views each event touches, and the fold of each kind of view.

`targets` names every (kind, key) state an event changes; the runner folds it into each and
records the event's position under each in the subject index, which replay reads back.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections import (
    findings,
    flags,
    household_plans,
    households,
    lifecycle,
    members,
    people,
    ratings,
    rollups,
    rulebook,
    scoring,
    trace,
    units,
)
from projections.events import Event

State = dict[str, Any]
Target = tuple[str, str]
Lookup = Callable[[str, str], State | None]
RULES_KEY = "rules"


def _warning(state: State | None, event: Event) -> State | None:
    if event.type == "WarningIssued":
        return {"unit_id": event.data["unit_id"]}
    return state


FOLDS: dict[str, Callable[[State | None, Event, str], State | None]] = {
    "household": lambda s, e, k: households.apply(s, e),
    "finding": lambda s, e, k: findings.apply(s, e),
    "unit": lambda s, e, k: units.apply(s, e),
    "person": people.apply,
    "round": lambda s, e, k: scoring.apply(s, e),
    "rules": lambda s, e, k: rulebook.apply(s, e),
    "warning": lambda s, e, k: _warning(s, e),
    "ratings": lambda s, e, k: ratings.apply(s, e),
    flags.FLAG_KIND: lambda s, e, k: flags.fold_flag(s, e),
}


def _finding_targets(event: Event, lookup: Lookup) -> list[Target]:
    finding_id = event.data["finding_id"]
    state = event.data if event.type == "FindingRaised" else lookup("finding", finding_id)
    found: list[Target] = [("finding", finding_id)]
    if state is None:
        return found
    found.append((state["subject_type"], state["subject_id"]))
    found.append(("unit", state["responsible_unit_id"]))
    if state.get("responsible_person_id"):
        found.append(("person", state["responsible_person_id"]))
    for reporter in state.get("reporters", []):
        found.append(("person", reporter))
    if event.type == "RectificationReported":
        found.append(("person", event.actor))
    if event.type == "FindingTransferred":
        found.append(("unit", event.data["to_unit_id"]))
        if event.data.get("to_person_id"):
            found.append(("person", event.data["to_person_id"]))
    return found


def _voided_targets(event: Event, lookup: Lookup) -> list[Target]:
    found: list[Target] = [("unit", event.data["unit_id"])]
    unit = lookup("unit", event.data["unit_id"])
    for due in (unit or {}).get("interviews_due", []):
        if due["periods"] == event.data["periods"] and due["person_id"]:
            found.append(("person", due["person_id"]))
    return found


def _revoked_targets(event: Event, lookup: Lookup) -> list[Target]:
    warning = lookup("warning", event.data["warning_id"])
    return [("warning", event.data["warning_id"])] + (
        [("unit", warning["unit_id"])] if warning else []
    )


def _simple(*fields: tuple[str, str]) -> Callable[[Event, Lookup], list[Target]]:
    def targets(event: Event, lookup: Lookup) -> list[Target]:
        return [(kind, event.data[name]) for kind, name in fields if event.data.get(name)]

    return targets


def _subject_and_person(event: Event, lookup: Lookup) -> list[Target]:
    return [(event.data["subject_type"], event.data["subject_id"]),
            ("person", event.data["person_id"])]


def _decided_by(route: Callable[[Event, Lookup], list[Target]]
                ) -> Callable[[Event, Lookup], list[Target]]:
    """A consequence of an overturned decision also reaches whoever recorded the decision
    (where it names them: undoings recorded before this round do not)."""
    def targets(event: Event, lookup: Lookup) -> list[Target]:
        decider = event.data.get("decided_by")
        return route(event, lookup) + ([("person", decider)] if decider else [])

    return targets


def _overturned_targets(event: Event, lookup: Lookup) -> list[Target]:
    subject_type, subject_id = event.data.get("subject_type"), event.data.get("subject_id")
    found: list[Target] = [(subject_type, subject_id)] if subject_type and subject_id else []
    return found + [("person", event.data["decided_by"])]


def _flag_targets(event: Event, lookup: Lookup) -> list[Target]:
    """A flag is listed, and reaches the person it is about and (a contradiction) the
    decided subject."""
    found: list[Target] = [(flags.FLAG_KIND, flags.flag_key(event.position))]
    if event.type == "LateEntryFlagged":
        return found + [("person", event.data["recorded_by"])]
    return found + [(event.data["subject_type"], event.data["subject_id"]),
                    ("person", event.data["decided_by"])]


def _plan_targets(event: Event, lookup: Lookup) -> list[Target]:
    """The household, and each person a measure names (their trail reads the household)."""
    return [("household", event.data["household_id"])] + [
        ("person", m["person_id"]) for m in event.data["measures"] if m.get("person_id")]


ROUTES: dict[str, Callable[[Event, Lookup], list[Target]]] = {
    "UnitRegistered": _simple(("unit", "unit_id")),
    "PersonRegistered": _simple(("person", "person_id")),
    "HouseholdRegistered": _simple(("household", "household_id")),
    "HouseholdFactsRecorded": _simple(("household", "household_id")),
    "ResponsibilityAssigned": _subject_and_person,
    "ResponsibilityEnded": _subject_and_person,
    "UnitListed": _simple(("unit", "unit_id")),
    "UnitDelisted": _simple(("unit", "unit_id")),
    "InspectionRecorded": lambda e, lookup: [(e.data["subject_type"], e.data["subject_id"])],
    "FindingRaised": _finding_targets,
    "RectificationReported": _finding_targets,
    "RectificationVerified": _finding_targets,
    "DeadlineExtended": _finding_targets,
    "FindingWithdrawn": _decided_by(_finding_targets),
    "FindingTransferred": _finding_targets,
    "FindingAttached": _simple(("unit", "unit_id")),
    "OpenFindingCounted": _simple(("unit", "unit_id")),
    "OpenFindingSettled": _simple(("unit", "unit_id")),
    "WarningIssued": lambda e, lookup: [("warning", e.data["warning_id"]),
                                        ("unit", e.data["unit_id"])],
    "WarningRevoked": _decided_by(_revoked_targets),
    "YellowCardNoted": _simple(("unit", "unit_id")),
    "YellowCardWithdrawn": _simple(("unit", "unit_id")),
    "InterviewRequired": _simple(("unit", "unit_id"), ("person", "person_id")),
    "InterviewVoided": _voided_targets,
    "InterviewHeld": _simple(("unit", "unit_id"), ("person", "person_id")),
    "AccountabilityMeasureTaken": _simple(("person", "person_id")),
    "ScoreRecorded": _simple(("round", "round_id")),
    "RuleParameterSet": lambda e, lookup: [("rules", RULES_KEY)],
    "HelpPlanRecorded": _plan_targets,
    "MeasureCompleted": _simple(("household", "household_id")),
    "SystemRecordCompared": _simple(("household", "household_id")),
    "DataMismatchFound": _simple(("household", "household_id")),
    "MismatchResolved": _simple(("household", "household_id")),
    **{name: _simple(("household", "household_id")) for name in lifecycle.LIFECYCLE_EVENTS},
    "ExitAnnulled": _decided_by(_simple(("household", "household_id"))),
    **{name: _simple(("household", "household_id")) for name in members.EVENTS},
    "HouseholdReclassified": _simple(("household", "household_id")),
    "QuarterlyRatingRecorded": _simple(("unit", "unit_id"), ("ratings", "period")),
    "QuarterlyRatingWithdrawn": _decided_by(_simple(("unit", "unit_id"), ("ratings", "period"))),
    "FindingReopened": _decided_by(_finding_targets),
    "UnitRelisted": _decided_by(_simple(("unit", "unit_id"))),
    "MeasureReopened": _decided_by(_simple(("household", "household_id"))),
    "MonitoringResumed": _decided_by(_simple(("household", "household_id"))),
    "MismatchReopened": _decided_by(_simple(("household", "household_id"))),
    "ScoreWithdrawn": _decided_by(_simple(("round", "round_id"))),
    "EventOverturned": _overturned_targets,
    "LateEntryFlagged": _flag_targets,
    "DecisionContradicted": _flag_targets,
    **{name: _simple(("unit", "village_id")) for name in units.VILLAGE_EVENTS},
}


# Events whose targets depend on a state (a rectification touches its finding's household);
# every other event's targets follow from the event alone.
STATE_ROUTED = frozenset({"RectificationReported", "RectificationVerified", "DeadlineExtended",
                          "FindingWithdrawn", "WarningRevoked", "InterviewVoided",
                          "FindingTransferred", "FindingReopened"})


def targets(event: Event, lookup: Lookup) -> list[Target]:
    """The states this event changes, each once, in a fixed order."""
    route = ROUTES.get(event.type)
    if route is None:
        return []
    return list(dict.fromkeys(route(event, lookup)))


def subject(kind: str, key: str) -> str:
    """The subject index's name for a state: `household:h1`."""
    return f"{kind}:{key}"


# Event types each kind of fold reads; an event only indexed under a state leaves it alone.
READS: dict[str, frozenset[str]] = {
    "household": frozenset({"HouseholdRegistered", "HouseholdFactsRecorded", "InspectionRecorded",
                            "ResponsibilityAssigned", "ResponsibilityEnded"}
                           | lifecycle.LIFECYCLE_EVENTS | household_plans.EVENTS
                           | {"DecisionContradicted"} | members.EVENTS
                           | {"HouseholdReclassified"}),
    "finding": frozenset(findings.FINDING_EVENTS),
    "unit": frozenset({"UnitRegistered", "UnitListed", "UnitDelisted", "WarningIssued",
                       "WarningRevoked", "InterviewRequired", "InterviewVoided", "InterviewHeld",
                       "ResponsibilityAssigned", "ResponsibilityEnded", "InspectionRecorded",
                       "QuarterlyRatingRecorded", "QuarterlyRatingWithdrawn",
                       "FindingTransferred", "FindingAttached", "OpenFindingCounted",
                       "OpenFindingSettled", "UnitRelisted", "DecisionContradicted",
                       *units.VILLAGE_EVENTS}),
    "person": frozenset({"PersonRegistered", "ResponsibilityAssigned", "ResponsibilityEnded",
                         "AccountabilityMeasureTaken", "InterviewRequired",
                         "InterviewVoided", "InterviewHeld", "RectificationReported",
                         "RectificationVerified", "HelpPlanRecorded"} | flags.PERSON_EVENTS),
    "round": frozenset({"ScoreRecorded", "ScoreWithdrawn"}),
    "rules": frozenset({"RuleParameterSet"}),
    "warning": frozenset({"WarningIssued"}),
    "ratings": frozenset({"QuarterlyRatingRecorded", "QuarterlyRatingWithdrawn"}),
    flags.FLAG_KIND: frozenset(flags.KINDS),
}
History = Callable[[Target, Event], list[Event]]


class Folder:
    """Folds events into states held in a mapping; `load` fetches states not yet held."""

    def __init__(self, load: Callable[[str, str], State | None] | None = None,
                 derived: bool = False, history: History | None = None) -> None:
        self.states: dict[Target, State | None] = {}
        # The events folded before an event, under a target: given by the runner (from the
        # subject index); a replay keeps the events it folds.
        self.history = history
        self.kept: list[Event] = []
        self.dirty: set[Target] = set()
        self._load = load
        # Keep the states derived across subjects too (roll-up counters, findings handed
        # over): the runner does; replays fold one subject and work those out by walking.
        self.derived = derived
        # Households whose roll-up figures are still to be worked out (`rollups.settle`).
        self.waiting: dict[str, None] = {}

    def lookup(self, kind: str, key: str) -> State | None:
        target = (kind, key)
        if target not in self.states:
            self.states[target] = self._load(kind, key) if self._load else None
        return self.states[target]

    def changed(self) -> dict[Target, State]:
        """The states folded since `dirty` was last cleared (households' roll-up figures
        worked out first)."""
        self.settle()
        return {t: s for t in self.dirty if (s := self.states[t]) is not None}

    def fold(self, event: Event, touched: list[Target] | None = None) -> list[Target]:
        """Fold `event` into the states it touches (`touched`: its targets, if already known;
        only for an event whose targets do not depend on a state)."""
        if self.derived and event.type in rollups.SETTLE_BEFORE:
            self.settle()
        if touched is None:
            touched = targets(event, self.lookup)
        if self.history is None:
            self.kept.append(event)
        overturned = _overturned_subject(event)
        for kind, key in touched:
            if (kind, key) == overturned:
                self.states[overturned] = self._without_overturned(overturned, event)
                self.dirty.add(overturned)
                continue
            if event.type not in READS[kind]:
                continue
            before = self.lookup(kind, key)
            after = FOLDS[kind](before, event, key)
            if after is not None:
                self.states[(kind, key)] = after
                self.dirty.add((kind, key))
        if self.derived:
            self._keep(rollups.fold(event, touched, self.lookup, self.waiting))
            self._keep(trace.fold(event, touched, self.lookup))
        return touched

    def settle(self) -> None:
        """Work out the roll-up figures of the households folded since the last time."""
        if self.waiting:
            self._keep(rollups.settle(self.waiting, self.lookup))

    def _keep(self, derived: dict[Target, State]) -> None:
        for target, state in derived.items():
            self.states[target] = state
            self.dirty.add(target)

    def _without_overturned(self, target: Target, event: Event) -> State | None:
        """The target's state folded again from its events, leaving out every event
        overturned so far (this one's included)."""
        earlier = self.kept[:-1] if self.history is None else self.history(target, event)
        left_out = {event.data["event_id"]} | {
            e.data["event_id"] for e in earlier if e.type == "EventOverturned"}
        again = Folder()
        for before in earlier:
            if before.type != "EventOverturned" and before.event_id not in left_out:
                again.fold(before)
        return again.states.get(target)


def _overturned_subject(event: Event) -> Target | None:
    if event.type != "EventOverturned" or not event.data.get("subject_id"):
        return None
    return event.data["subject_type"], event.data["subject_id"]
