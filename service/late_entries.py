"""The follower that flags late entries and contradicted decisions (the committee's 补录 check).

It tails the log behind the projection runner, so the write path never waits for it. For each
client event recorded more than `late_entry_days` calendar days (China Standard Time) after it
happened, it compares the reads of the subjects the event touches (and of the people their
trails reach) as known just before the event's request with the reads just after it, on the
business dates where a value can change, and records `LateEntryFlagged` when any listed field
changed. For each back-dated event it re-judges the decisions on those subjects dated on or
after it (an exit verification, an exit, a risk removal, a delisting) as known now, and records
`DecisionContradicted` when their conditions no longer hold on their dates. Flags are one per
flagged event (the ledger refuses a second), so a restart that looks again records nothing new.
"""
from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from ledger.application import Ledger
from ledger.catalog import CLIENT_TYPES
from ledger.commands.guards import rule
from ledger.domain.base import SYSTEM_ACTOR
from ledger.domain.conditions import unmet
from ledger.domain.registry import Household
from ledger.domain.supervision import Finding
from ledger.session import Session
from projections import rulebook
from projections.events import Event, business_date, decode
from projections.flags import FLAG_KIND
from projections.replay import Cut
from projections.runner import ProjectionRunner
from projections.views import Views
from service.late_reads import FIELDS, changes_between, compared_dates, trail_about

log = logging.getLogger(__name__)
PAGE = 500
# Events of one request follow each other within this long (the heuristic that tells a
# request's own registrations from subjects the ledger already knew).
SAME_REQUEST = timedelta(seconds=1)
HOUSEHOLD_DECISIONS = ("ExitVerified", "HouseholdExited", "RiskEliminated")
NOT_FLAGGED = frozenset({"DisputeOpened", "DisputeResolved", "PersonalDataErased",
                         "RuleParameterSet"})


class FlagFollower:
    def __init__(self, ledger: Ledger, runner: ProjectionRunner, views: Views,
                 drive: bool = True) -> None:
        """`drive`: fold the views itself before looking (tests, a lone follower); off when a
        runner thread of its own keeps them current."""
        self.drive = drive
        self.ledger = ledger
        self.runner = runner
        self.views = views
        self.store = runner.store
        self.position = 0
        self._touched: list[tuple[str, str]] = []  # what a late entry's people are read about
        self._replays: dict[Any, Any] = {}  # the states replayed for one late entry
        self._own: set[tuple[str, str]] = set()  # the subjects the late entry itself touched
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Following --------------------------------------------------------------------------
    def catch_up(self) -> int:
        """Look at every event the views hold and this follower has not; flags recorded."""
        flagged = 0
        while True:
            if self.drive:
                self.runner.catch_up()
            folded = self.store.position()  # look only at what the views hold
            page = [decode(r) for r in self.store.read_log(self.position, PAGE)]
            page = [e for e in page if e.position <= folded]
            if not page:
                return flagged
            for event in page:
                flagged += self.examine(event)
                self.position = event.position

    def resume(self) -> int:
        """Start after the event the newest flag was about (a late entry, or the evidence of a
        contradiction): the log before it was looked at already. Looking again at what
        follows records nothing twice. The position resumed from."""
        rows = self.store.query("SELECT state FROM proj_state WHERE kind = ? "
                                "ORDER BY key DESC LIMIT 1", (FLAG_KIND,))
        if rows:
            data = orjson.loads(rows[0][0])["data"]
            about = data.get("evidence", [data["event_id"]])[-1]
            self.position = max(0, (self.ledger.position_of(about) or 1) - 1)
        return self.position

    def follow(self, interval: float = 0.5) -> None:
        """Keep looking until stopped, waiting `interval` seconds whenever nothing is new."""
        while not self._stop.is_set():
            try:
                position = self.position
                self.catch_up()
                if self.position == position:
                    self._stop.wait(interval)
            except Exception:  # a database hiccup must not stop the flags for good
                log.exception("flagging late entries failed; retrying")
                self._stop.wait(1.0)

    def start(self, interval: float = 0.5) -> threading.Thread:
        """Follow in a thread, from where the flags recorded so far leave off."""
        self.resume()
        self._thread = threading.Thread(target=self.follow, args=(interval,),
                                        name="late-entries", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # One event -------------------------------------------------------------------------
    def examine(self, event: Event) -> int:
        if event.actor == SYSTEM_ACTOR or event.type not in CLIENT_TYPES \
                or event.type in NOT_FLAGGED:
            return 0
        recorded_on = business_date(event.recorded_at)
        if event.occurred_on >= recorded_on:
            return 0
        subjects = self._subjects(event)
        flagged = self._contradictions(event, subjects)
        days_late = (date.fromisoformat(recorded_on) - date.fromisoformat(event.occurred_on)).days
        rules = self.store.load_one("rules", "rules")
        if days_late > rulebook.value(rules, "late_entry_days")["value"]:
            flagged += self._late_entry(event, subjects, recorded_on, days_late)
        return flagged

    def _subjects(self, event: Event) -> list[tuple[str, str]]:
        rows = self.store.query("SELECT subject FROM proj_subject_events WHERE position = ?",
                                (event.position,))
        found = [tuple(str(r[0]).split(":", 1)) for r in rows]
        return [(k, v) for k, v in found if k in FIELDS]

    # Late entries ----------------------------------------------------------------------
    def _late_entry(self, event: Event, subjects: list[tuple[str, str]], recorded_on: str,
                    days_late: int) -> int:
        start, end = self._request_bounds(event)
        before_at, after_at = start - timedelta(microseconds=1), end
        compared = self._with_people(subjects, after_at)
        self._touched = [s for s in compared if s[0] != "person"]
        self._own = set(subjects)
        self._replays = {}
        changes: list[dict[str, Any]] = []
        for kind, key in compared:
            if self._read(kind, key, Cut(as_of=before_at)) is None:
                continue  # first registered by this request, or unknown before it
            dates = compared_dates(self.store, self.views, kind, key, event.occurred_on,
                                   recorded_on, after_at)
            changes += changes_between(self._read, kind, key, dates, before_at, after_at,
                                       recorded_on)
        if not changes:
            return 0
        flag = self.ledger.flag(
            "late_entry", event.recorded_at, event_id=event.event_id, type=event.type,
            recorded_by=event.actor, days_late=days_late, changes=changes,
            unit_ids=self._units_of(compared))
        return flag is not None

    def _request_bounds(self, event: Event) -> tuple[datetime, datetime]:
        """When the event's request began and ended: the run of events around it by the same
        actor (or the ledger itself) recorded within SAME_REQUEST of each other."""
        window = [decode(r) for r in self.store.read_log(max(0, event.position - 200), 400)]
        at = next(i for i, e in enumerate(window) if e.position == event.position)
        first = last = at
        while first > 0 and _same_request(window[first - 1], window[first], event.actor):
            first -= 1
        while last + 1 < len(window) and _same_request(window[last + 1], window[last],
                                                       event.actor):
            last += 1
        return window[first].recorded_at, window[last].recorded_at

    def _with_people(self, subjects: list[tuple[str, str]], at: datetime
                     ) -> list[tuple[str, str]]:
        """The subjects, and the people their trails reach: a finding's responsible person,
        a household's responsible people."""
        found = list(subjects)
        for kind, key in subjects:
            if kind not in ("finding", "household"):
                continue
            read = self._read(kind, key, Cut(as_of=at))
            if read is None:
                continue
            people = []
            if kind == "finding" and read.get("responsible_person_id"):
                people.append(read["responsible_person_id"])
            if kind == "household":
                people += [r["person_id"] for r in read.get("responsible") or []]
            found += [("person", p) for p in people if ("person", p) not in found]
        return found

    def _units_of(self, subjects: list[tuple[str, str]]) -> list[str]:
        """The units whose subtree holds the subjects (for the committee's unit filter)."""
        units: set[str] = set()
        for kind, key in subjects:
            unit: str | None = None
            if kind == "unit":
                unit = key
            elif kind == "household":
                unit = self.views.household_village(key)
            elif kind == "finding":
                unit = self.views.finding_unit(key)
            elif kind == "person":
                unit = self.views.person_unit(key)
            units |= set(self._up_from(unit))
        return sorted(units)

    def _up_from(self, unit_id: str | None) -> list[str]:
        chain = []
        while unit_id is not None and unit_id not in chain:
            chain.append(unit_id)
            state = self.store.load_one("unit", unit_id)
            unit_id = state.get("parent_id") if state else None
        return chain

    def _read(self, kind: str, key: str, cut: Cut) -> dict[str, Any] | None:
        if kind == "person":
            return trail_about(self.store, self.views, key, cut, self._touched, self._replays,
                               ("person", key) in self._own)
        read = {"finding": self.views.finding, "household": self.views.household,
                "unit": self.views.unit, "person": self.views.accountability}[kind]
        result: dict[str, Any] | None = read(key, cut)
        return result

    # Contradicted decisions ------------------------------------------------------------
    def _contradictions(self, event: Event, subjects: list[tuple[str, str]]) -> int:
        households = {key for kind, key in subjects if kind == "household"}
        for kind, key in subjects:
            if kind == "finding":
                state = self.store.load_one("finding", key)
                if state and state["subject_type"] == "household":
                    households.add(state["subject_id"])
        units = set(self._units_of([(k, v) for k, v in subjects if k != "person"]))
        units |= {u for h in households for u in self._up_from(self.views.household_village(h))}
        flagged = 0
        for decision in self._decisions(event, [f"household:{h}" for h in sorted(households)]
                                        + [f"unit:{u}" for u in sorted(units)]):
            reasons, subject = self._judge(decision)
            if reasons:
                flag = self.ledger.flag(
                    "contradiction", event.recorded_at, event_id=decision.event_id,
                    type=decision.type, decided_by=decision.actor, subject_type=subject[0],
                    subject_id=subject[1], on=decision.occurred_on,
                    evidence=[event.event_id], reasons=reasons,
                    unit_ids=self._units_of([subject]))
                flagged += flag is not None
        return flagged

    def _decisions(self, event: Event, names: list[str]) -> list[Event]:
        """The decisions on these subjects recorded before the event and dated on or after
        its date: named by the subjects' live states (a unit's listing history, a household's
        exit steps and monitoring spells), so the search costs a state read per subject
        whatever their history."""
        event_ids: list[str] = []
        for name in names:
            kind, key = name.split(":", 1)
            state = self.store.load_one(kind, key) or {}
            if kind == "unit":
                event_ids += [c["event_id"] for c in state.get("listing_history", [])
                              if c["change"] == "delisted" and c["on"] >= event.occurred_on]
            else:
                steps = (state.get("exit") or {}).get("steps", [])
                event_ids += [s["event_id"] for s in steps if s["on"] >= event.occurred_on]
                event_ids += [e for spell in state.get("spells", []) for e in spell["event_ids"]
                              if (spell["until"] or "") >= event.occurred_on]
        positions = {p for e in event_ids if (p := self.ledger.position_of(e)) is not None
                     and p < event.position}
        found = [decode(raw) for raw, _ in self.store.log.rows(sorted(positions), False)]
        return [e for e in found if e.occurred_on >= event.occurred_on and (
            e.type in ("HouseholdExited", "RiskEliminated", "UnitDelisted")
            or (e.type == "ExitVerified" and e.data.get("passed")))]

    def _judge(self, decision: Event) -> tuple[list[dict[str, Any]], tuple[str, str]]:
        """The conditions of the decision unmet on its date, as known now, worded as the
        refusal would word them."""
        day = decision.occurred_on
        if decision.type == "UnitDelisted":
            unit_id = decision.data["unit_id"]
            board = self.views.unit(unit_id, Cut(valid_at=date.fromisoformat(day)))
            count = (board or {}).get("rollup", {}).get("findings", {}).get("open", 0)
            reasons = [] if not count else [{
                "condition": "open_findings", "open_findings": count,
                "message": f"unit {unit_id} or a unit or household below it still had "
                           f"{count} open finding(s) on {day}"}]
            return reasons, ("unit", unit_id)
        household_id = decision.data["household_id"]
        session = Session(self.ledger.aggregates, self.ledger.reveal)
        household = session.get(Household, household_id, "household_id")
        if decision.type == "RiskEliminated":
            line, value = "edge_line", rule(session, "edge_line", int(day[:4]))
        else:
            year = decision.data["year"]
            line, value = "income_standard", rule(session, "income_standard", year)
        raised = household.findings_raised_by(day)
        open_ids = [f for f in raised if (found := session.find(Finding, f)) is not None
                    and found.is_open_on(day)]
        return unmet(household.record, day, line, value, open_ids), ("household", household_id)


def _same_request(one: Event, other: Event, actor: str) -> bool:
    return one.actor in (actor, SYSTEM_ACTOR) and abs(
        one.recorded_at - other.recorded_at) < SAME_REQUEST

