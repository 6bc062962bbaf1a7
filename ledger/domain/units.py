"""Units (county, township, village, group, department): listing, warnings, interviews,
quarterly lights, and the tally of open findings that decides a delisting."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate, as_system, occurring_at
from ledger.domain.periods import next_period, previous_period
from ledger.domain.responsibility import Holders, Responsibility
from ledger.domain.reversals import UnitReversals
from ledger.domain.timeline import business_day
from ledger.domain.villages import VillageExit
from ledger.errors import AlreadyExists, Conflict, Invalid, InvalidTransition

UNIT_KINDS = ("county", "township", "village", "group", "department")
LISTING_LEVELS = ("city", "district")
UNIT_ROLES = (
    "unit_head",
    "village_secretary",
    "first_secretary",
    "department_head",
    "resident_leader",
    "helper_cadre",
)
# Whose interview a double yellow card makes due, in order of precedence.
MAIN_RESPONSIBLE_ROLES = UNIT_ROLES[:5]
LIGHTS = ("green", "yellow", "red")
# How many open findings a refused delisting names (it always gives the count).
NAMED_OPEN_FINDINGS = 10
# The derived events that move the tally of open findings, by how they move it.
TALLY_CHANGES = {"FindingAttached": 1, "OpenFindingCounted": 1, "OpenFindingSettled": -1}


@dataclass
class DueInterview:
    """An interview the ledger made due: for which pair of periods, because of which cards."""

    periods: tuple[str, str]
    warning_ids: list[str]
    voided: bool = False


class Unit(VillageExit, UnitReversals, Responsibility, LedgerAggregate):
    """A unit of the administrative tree.

    Open findings: the unit keeps a tally of the findings open anywhere in its subtree (its
    own, those of the units below it and of the households in any of them, by subject or by
    responsible unit): a count and the first few of their ids, never the whole set, so the
    state (and every write to the unit) stays small however many findings it has. The tally is
    kept current by derived events on each unit concerned when a finding is raised
    (`FindingAttached` on its responsible unit, `OpenFindingCounted` on every other unit up
    the tree), transferred, closed or withdrawn (`OpenFindingSettled`). The tally is also
    kept by business time (`open_days`: how it changed on each business day, dated by the
    event that changed it; a withdrawn finding never stood, so it leaves from the day it was
    raised), so a delisting is judged on its own date as known now, at a cost bounded by the
    number of days the tally changed on, never by the findings. Only a refusal reads the
    unit's stream back to name the findings open on that date. The price is paid on the
    finding's writes: each loads the units up the tree (a handful) and records one event on
    each.
    """

    KIND = "unit"
    class_version = 4

    class Event(LedgerAggregate.Event):
        def apply(self, unit: Any) -> None:
            super().apply(unit)
            if type(self).__name__ == "YellowCardNoted":
                unit.__dict__.setdefault("card_moments", {})[vars(self)["warning_id"]] = (
                    self.occurred_at.isoformat())
            change = TALLY_CHANGES.get(type(self).__name__)
            if change is not None:
                day = getattr(self, "since", None) or business_day(self.occurred_at)
                unit.open_days[day] = unit.open_days.get(day, 0) + change

    @staticmethod
    def create_id(unit_id: str):
        return Unit.id_for(unit_id)

    @event("UnitRegistered")
    def __init__(self, unit_id: str, name: str, kind: str, parent_id: str | None = None,
                 poor_village: bool | None = None) -> None:
        self.unit_id = unit_id
        self.name = name
        self.kind = kind
        self.parent_id = parent_id
        self.listed_level: str | None = None
        self.yellow_cards: dict[str, str] = {}  # warning_id -> period
        self.interviews: list[DueInterview] = []
        self.responsible: Holders = {}
        self.open_count = 0
        self.open_sample: list[str] = []
        self.open_days: dict[str, int] = {}  # business day -> change of the tally on it
        self.ratings: dict[str, int] = {}  # period -> version of its standing rating event
        self.poor_village = bool(poor_village)
        self.populations: dict[str, int] = {}  # year -> population
        self.village_households: list[str] = []  # a poor village's households
        self.exit_year: int | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken before units kept an open-findings tally and quarterly lights."""
        state.update(open_count=0, open_sample=[], ratings={})

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Snapshots taken before the tally was kept by business time: the findings open then
        count from the beginning of time."""
        state["open_days"] = {"0001-01-01": state["open_count"]} if state["open_count"] else {}

    @staticmethod
    def upcast_v3_v4(state: dict[str, Any]) -> None:
        """Snapshots taken before poor villages (no unit was one)."""
        state.update(poor_village=False, populations={}, village_households=[], exit_year=None)

    def open_on(self, day: str) -> int:
        """How many findings were open in the subtree on business day `day`, as known now."""
        return sum(change for changed, change in self.open_days.items() if changed <= day)

    # Listing -------------------------------------------------------------
    def list_for_supervision(
        self, level: str, supervising_unit_id: str | None = None, due_date: str | None = None
    ) -> None:
        if self.listed_level is not None:
            raise InvalidTransition(f"unit {self.unit_id} is already listed", unit_id=self.unit_id)
        if supervising_unit_id == self.unit_id:
            raise Invalid("a unit cannot supervise itself", field="supervising_unit_id")
        self._listed(unit_id=self.unit_id, level=level,
                     supervising_unit_id=supervising_unit_id, due_date=due_date)

    @event("UnitListed")
    def _listed(self, unit_id: str, level: str, supervising_unit_id: str | None = None,
                due_date: str | None = None) -> None:
        self.listed_level = level

    def delist(self, read_back_open: Callable[[str], list[str]] = lambda day: []) -> None:
        """Delist, unless a finding was open anywhere in the unit's subtree on the delisting's
        own date (as known now).

        `read_back_open(day)` gives the ids of the findings open on `day` from the unit's
        stream; a refusal calls it to name them unless the few ids the unit keeps do (a
        delisting dated on or after every change of the tally)."""
        if self.listed_level is None:
            raise InvalidTransition(f"unit {self.unit_id} is not listed", unit_id=self.unit_id)
        day = business_day(occurring_at())
        count = self.open_on(day)
        if count > 0:
            named = self.open_sample
            if day < max(self.open_days) or len(named) < min(NAMED_OPEN_FINDINGS, count):
                named = read_back_open(day)  # the kept few name today's, not that day's
            raise Conflict(
                f"unit {self.unit_id} or a unit or household below it had {count} open "
                f"finding(s) on {day}",
                unit_id=self.unit_id,
                on=day,
                open_findings=count,
                open_finding_ids=named[:NAMED_OPEN_FINDINGS],
            )
        self._delisted(unit_id=self.unit_id)

    @event("UnitDelisted")
    def _delisted(self, unit_id: str) -> None:
        self.listed_level = None

    # Findings and warnings the unit answers for ----------------------------
    def attach_finding(self, finding_id: str) -> None:
        """Enter a finding in the ledger of the unit responsible for it, and in its tally."""
        self._finding_attached(unit_id=self.unit_id, finding_id=finding_id)

    @event("FindingAttached")
    def _finding_attached(self, unit_id: str, finding_id: str) -> None:
        self._count_open(finding_id)

    def count_open_finding(self, finding_id: str) -> None:
        """Count a finding open below the unit (or on it, without its being responsible)."""
        self._open_finding_counted(unit_id=self.unit_id, finding_id=finding_id)

    @event("OpenFindingCounted")
    def _open_finding_counted(self, unit_id: str, finding_id: str) -> None:
        self._count_open(finding_id)

    def settle_open_finding(self, finding_id: str, reason: str, since: str | None = None
                            ) -> None:
        """The finding is closed, withdrawn or transferred out of the unit's subtree; `since`
        is the business day it stops counting from when not the event's own (a withdrawn
        finding: the day it was raised)."""
        self._open_finding_settled(unit_id=self.unit_id, finding_id=finding_id, reason=reason,
                                   since=since)

    @event("OpenFindingSettled")
    def _open_finding_settled(self, unit_id: str, finding_id: str, reason: str,
                              since: str | None = None) -> None:
        self.open_count = max(0, self.open_count - 1)
        if finding_id in self.open_sample:
            self.open_sample.remove(finding_id)

    def _count_open(self, finding_id: str) -> None:
        self.open_count += 1
        if len(self.open_sample) < NAMED_OPEN_FINDINGS:
            self.open_sample.append(finding_id)

    # Quarterly lights (季度考核亮灯): kept apart from warnings, they make no interview due --
    def rate_quarter(self, period: str, light: str, score: float | None, note: str | None
                     ) -> None:
        if period in self.ratings:
            raise AlreadyExists(
                f"unit {self.unit_id} already has a light for {period}",
                unit_id=self.unit_id, period=period, field="period",
            )
        self._quarter_rated(unit_id=self.unit_id, period=period, light=light, score=score,
                            note=note)

    @event("QuarterlyRatingRecorded")
    def _quarter_rated(self, unit_id: str, period: str, light: str, score: float | None = None,
                       note: str | None = None) -> None:
        self.ratings[period] = self.version + 1  # this event's version: applied before it counts

    def withdraw_rating(self, rating_version: int, reason: str,
                        decided_by: str | None = None) -> None:
        """Withdraw the rating recorded as the unit's event `rating_version`, if it stands."""
        for period, version in self.ratings.items():
            if version == rating_version:
                self._rating_withdrawn(unit_id=self.unit_id, period=period,
                                       rating_version=version, reason=reason,
                                       decided_by=decided_by)
                return

    @event("QuarterlyRatingWithdrawn")
    def _rating_withdrawn(self, unit_id: str, period: str, rating_version: int, reason: str,
                          decided_by: str | None = None) -> None:
        del self.ratings[period]

    def note_warning(self, warning_id: str, color: str, period: str) -> None:
        """Keep a yellow card; one in the period before or after makes an interview due.

        Both neighbours are checked because cards are often entered late: the earlier
        period's card may arrive after the later one's.
        """
        if color != "yellow":
            return
        self._yellow_card_noted(unit_id=self.unit_id, warning_id=warning_id, period=period)
        self._interview_if_due((previous_period(period), period))
        self._interview_if_due((period, next_period(period)))

    def _interview_if_due(self, pair: tuple[str, str]) -> None:
        earlier = [w for w, p in self.yellow_cards.items() if p == pair[0]]
        later = [w for w, p in self.yellow_cards.items() if p == pair[1]]
        already_due = any(i.periods == pair and not i.voided for i in self.interviews)
        if earlier and later and not already_due:
            with as_system(self._due_since(earlier, later)):
                self._interview_required(
                    unit_id=self.unit_id,
                    person_id=self.main_responsible_person(),
                    warning_ids=sorted(earlier) + sorted(later),
                    periods=list(pair),
                )

    def _due_since(self, earlier: list[str], later: list[str]) -> datetime | None:
        """When an interview became due: when the first card of each period was given, the
        later of the two in business time (a card typed in late never dates it earlier).
        None for cards noted before their moments were kept (an older snapshot)."""
        moments: dict[str, str] = getattr(self, "card_moments", {})
        if not all(w in moments for w in earlier + later):
            return None
        return max(min(datetime.fromisoformat(moments[w]) for w in cards)
                   for cards in (earlier, later))

    @event("YellowCardNoted")
    def _yellow_card_noted(self, unit_id: str, warning_id: str, period: str) -> None:
        self.yellow_cards[warning_id] = period

    @event("InterviewRequired")
    def _interview_required(
        self, unit_id: str, person_id: str | None, warning_ids: list[str], periods: list[str]
    ) -> None:
        self.interviews.append(DueInterview((periods[0], periods[1]), list(warning_ids)))

    def withdraw_yellow_card(self, warning_id: str, reason: str) -> None:
        """A revoked yellow card no longer counts; an interview it alone made due is voided."""
        if warning_id not in self.yellow_cards:
            return
        self._yellow_card_withdrawn(unit_id=self.unit_id, warning_id=warning_id)
        for interview in self.interviews:
            if interview.voided or warning_id not in interview.warning_ids:
                continue
            still_supported = all(
                any(p == period for p in self.yellow_cards.values())
                for period in interview.periods
            )
            if not still_supported:
                with as_system():
                    self._interview_voided(
                        unit_id=self.unit_id,
                        periods=list(interview.periods),
                        warning_ids=interview.warning_ids,
                        reason=reason,
                    )

    @event("YellowCardWithdrawn")
    def _yellow_card_withdrawn(self, unit_id: str, warning_id: str) -> None:
        del self.yellow_cards[warning_id]

    @event("InterviewVoided")
    def _interview_voided(
        self, unit_id: str, periods: list[str], warning_ids: list[str], reason: str
    ) -> None:
        for interview in self.interviews:
            if interview.periods == (periods[0], periods[1]) and not interview.voided:
                interview.voided = True

    def hold_interview(self, person_id: str, note: str) -> None:
        self._interview_held(unit_id=self.unit_id, person_id=person_id, note=note)

    @event("InterviewHeld")
    def _interview_held(self, unit_id: str, person_id: str, note: str) -> None:
        pass

    # Responsibility --------------------------------------------------------
    def main_responsible_person(self) -> str | None:
        for role in MAIN_RESPONSIBLE_ROLES:
            holders = self.responsible.get(role)
            if holders:
                return next(reversed(holders))  # the latest assigned
        return None

    def responsibility_subject(self) -> tuple[str, str]:
        return "unit", self.unit_id
