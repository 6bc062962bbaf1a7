"""The exit procedure (贫困户退出) of a household, step by step (CONTRACT.md "Household
lifecycle"): democratic appraisal, verification, the household's acknowledgement, public
notice (with objections), then the announcement that removes it from the register.

Steps of one attempt come in this order, each for the attempt's year, and their business
time never goes backwards; a failed verification or an upheld objection ends the attempt. A
mixin of `Household`, which holds the state it reads: `record` (its values by business time)
and `exit_attempt` / `exit_year`.
"""
from __future__ import annotations

from dataclasses import field
from datetime import date, datetime
from typing import Any, NoReturn

from ledger.domain.base import LedgerAggregate, occurring_at
from ledger.domain.conditions import unmet
from ledger.domain.order import Mark, mark_of, require_not_before
from ledger.domain.timeline import BUSINESS_TZ, Timeline, business_day, note, on
from ledger.errors import Conflict, Invalid, InvalidTransition

APPRAISED, VERIFIED, ACKNOWLEDGED = "ExitAppraised", "ExitVerified", "ExitAcknowledged"
PUBLICIZED, EXITED = "ExitPublicized", "HouseholdExited"
OBJECTION_RAISED, OBJECTION_SETTLED = "ExitObjectionRaised", "ExitObjectionSettled"
NEXT_STEP = {None: APPRAISED, APPRAISED: VERIFIED, VERIFIED: ACKNOWLEDGED,
             ACKNOWLEDGED: PUBLICIZED, PUBLICIZED: EXITED}
REGISTERED_POOR, EXITED_CATEGORY = "registered_poor", "exited"
# An open mismatch on one of these fields blocks an exit (CONTRACT.md "The household in full").
BLOCKING_MISMATCH_FIELDS = ("category", "poverty_status", "per_capita_income", "size")


class ExitProcedure:
    household_id: str
    record: Timeline
    exit_attempt: dict[str, Any] | None
    exit_year: int | None
    open_mismatches: dict[str, dict[str, Any]]
    trigger_event: Any
    blocking_mismatches: Any

    # Events ----------------------------------------------------------------------------
    class ExitAppraised(LedgerAggregate.Event):
        household_id: str
        year: int
        votes_for: int
        votes_total: int
        note: str | None = None
        majority_reached: bool | None = None
        """False when the votes for were not a majority (`exit_appraisal_majority`): the
        appraisal is recorded and ends the attempt. None (left out) when they were."""

        def apply(self, household: Any) -> None:
            household.exit_attempt = {"year": self.year, "steps": [], "objections": 0}
            household._exit_step(self, APPRAISED)
            if self.majority_reached is False:
                household.exit_attempt = None

    class ExitVerified(LedgerAggregate.Event):
        household_id: str
        year: int
        passed: bool
        note: str

        def apply(self, household: Any) -> None:
            household._exit_step(self, VERIFIED)
            if not self.passed:
                household.exit_attempt = None

    class ExitAcknowledged(LedgerAggregate.Event):
        household_id: str
        year: int
        note: str | None = None

        def apply(self, household: Any) -> None:
            household._exit_step(self, ACKNOWLEDGED)

    class ExitPublicized(LedgerAggregate.Event):
        """Its data names the notice period `from` and `to`, as the contract does; `from` is
        a Python keyword, so it is given as `notice_from` and kept under its own name."""

        household_id: str
        year: int
        to: str
        notice_from: str = field(default="", repr=False, compare=False)

        def __post_init__(self) -> None:
            super().__post_init__()
            self.__dict__["from"] = self.__dict__.pop("notice_from")

        def apply(self, household: Any) -> None:
            household._exit_step(self, PUBLICIZED)
            household.exit_attempt["notice"] = [vars(self)["from"], self.to]

    class ExitObjectionRaised(LedgerAggregate.Event):
        household_id: str
        year: int
        note: str

        def apply(self, household: Any) -> None:
            household.exit_attempt["objections"] += 1
            household._exit_mark(self)

    class ExitObjectionSettled(LedgerAggregate.Event):
        household_id: str
        year: int
        upheld: bool
        note: str

        def apply(self, household: Any) -> None:
            household.exit_attempt["objections"] = 0
            household._exit_mark(self)
            if self.upheld:
                household.exit_attempt = None

    class HouseholdExited(LedgerAggregate.Event):
        household_id: str
        year: int

        def apply(self, household: Any) -> None:
            household._exit_mark(self)
            household.exit_attempt = None
            household.exit_year = self.year
            note(household.record, "category", self.occurred_at, EXITED_CATEGORY)

    class ExitAnnulled(LedgerAggregate.Event):
        household_id: str
        year: int
        exited_event_id: str
        reason: str
        decided_by: str | None = None  # who recorded the exit (kept from this round on)

        def apply(self, household: Any) -> None:
            household.exit_year = None
            note(household.record, "category", self.occurred_at, REGISTERED_POOR)

    # Commands --------------------------------------------------------------------------
    def appraise_exit(self, year: int, votes_for: int, votes_total: int,
                      note: str | None, majority: float = 0.5) -> None:
        """Recorded whatever the votes; a vote not above `majority` of all ends the attempt."""
        if votes_total <= 0:
            raise Invalid("votes_total must be at least 1", field="votes_total")
        if votes_for > votes_total:
            raise Invalid("votes_for cannot exceed votes_total", field="votes_for")
        self._require_step(APPRAISED, year)
        require_not_before(getattr(self, "exit_last", None), "the previous exit step",
                           household_id=self.household_id)
        day = business_day(occurring_at())
        category = on(self.record, "category", day)
        if category != REGISTERED_POOR:
            raise InvalidTransition(
                f"only a registered_poor household enters the exit procedure; household "
                f"{self.household_id} is {category or 'not registered'} on {day}",
                household_id=self.household_id, category=category, on=day)
        reached = None if votes_for > majority * votes_total else False
        self.trigger_event(self.ExitAppraised, household_id=self.household_id, year=year,
                           votes_for=votes_for, votes_total=votes_total, note=note,
                           majority_reached=reached)

    def verify_exit(self, year: int, passed: bool, note: str, standard: float,
                    open_finding_ids: list[str]) -> None:
        """`passed: true` only when every condition holds on the day of the verification:
        income against `standard` (the year's), the guarantees, no open finding."""
        self._require_step(VERIFIED, year)
        if passed:
            day = business_day(occurring_at())
            reasons = unmet(self.record, day, "income_standard", standard, open_finding_ids)
            reasons += self.blocking_mismatches(day)
            if reasons:
                raise Conflict(
                    f"household {self.household_id} does not meet the exit standard on {day}",
                    household_id=self.household_id, on=day, reasons=reasons)
        self.trigger_event(self.ExitVerified, household_id=self.household_id, year=year,
                           passed=passed, note=note)

    def acknowledge_exit(self, year: int, note: str | None) -> None:
        self._require_step(ACKNOWLEDGED, year)
        self.trigger_event(self.ExitAcknowledged, household_id=self.household_id, year=year,
                           note=note)

    def publicize_exit(self, year: int, notice_from: str, notice_to: str,
                       notice_days: int) -> None:
        self._require_step(PUBLICIZED, year)
        days = (date.fromisoformat(notice_to) - date.fromisoformat(notice_from)).days
        if days < notice_days:
            raise Conflict(
                f"the notice runs {days} days; it must run at least {notice_days}",
                household_id=self.household_id, days=days, exit_notice_days=notice_days,
                reasons=[{"condition": "notice_period", "days": days,
                          "exit_notice_days": notice_days,
                          "message": f"to - from is {days} days, less than {notice_days}"}])
        self.trigger_event(self.ExitPublicized, household_id=self.household_id, year=year,
                           notice_from=notice_from, to=notice_to)

    def raise_exit_objection(self, year: int, note: str) -> None:
        notice = self._require_notice(OBJECTION_RAISED, year)
        day = business_day(occurring_at())
        if not notice[0] <= day <= notice[1]:
            raise InvalidTransition(
                f"an objection is raised while the notice runs ({notice[0]} to {notice[1]}), "
                f"not on {day}", household_id=self.household_id, notice=notice, on=day)
        self.trigger_event(self.ExitObjectionRaised, household_id=self.household_id, year=year,
                           note=note)

    def settle_exit_objection(self, year: int, upheld: bool, note: str) -> None:
        self._require_notice(OBJECTION_SETTLED, year)
        attempt = self.exit_attempt or {}
        if not attempt.get("objections"):
            raise InvalidTransition(
                f"household {self.household_id} has no open objection to settle",
                household_id=self.household_id, missing_step=OBJECTION_RAISED)
        self.trigger_event(self.ExitObjectionSettled, household_id=self.household_id,
                           year=year, upheld=upheld, note=note)

    def record_exit(self, year: int, standard: float, open_finding_ids: list[str]) -> None:
        """After the notice, with no unsettled objection, and only when every exit condition
        still holds on the announcement's own date (income against `standard`, the year's;
        the guarantees; no open finding; no open blocking mismatch)."""
        notice = self._require_notice(EXITED, year)
        day = business_day(occurring_at())
        if day <= notice[1]:
            raise InvalidTransition(
                f"the notice runs until {notice[1]}; the exit is announced after it, not on "
                f"{day}", household_id=self.household_id, notice=notice, on=day)
        if (self.exit_attempt or {}).get("objections"):
            raise InvalidTransition(
                "an objection raised during the notice is not settled",
                household_id=self.household_id, missing_step=OBJECTION_SETTLED)
        reasons = unmet(self.record, day, "income_standard", standard, open_finding_ids)
        reasons += self.blocking_mismatches(day)
        if reasons:
            raise Conflict(
                f"household {self.household_id} does not meet the exit conditions on {day}",
                household_id=self.household_id, on=day, reasons=reasons)
        self.trigger_event(self.HouseholdExited, household_id=self.household_id, year=year)

    def annul_exit(self, year: int, exited_event_id: str, reason: str,
                   decided_by: str | None = None) -> bool:
        """Undo an exit a dispute overturned (数字脱贫); False when it no longer stands."""
        if self.exit_year != year:
            return False
        self.trigger_event(self.ExitAnnulled, household_id=self.household_id,
                           year=self.exit_year, exited_event_id=exited_event_id, reason=reason,
                           decided_by=decided_by)
        return True

    # Guards ----------------------------------------------------------------------------
    def _require_step(self, step: str, year: int) -> None:
        """`step` must be the attempt's next one."""
        require_exit_year(year)
        attempt = self.exit_attempt
        expected = NEXT_STEP[attempt["steps"][-1] if attempt else None]
        if step != expected:
            self._out_of_order(step, expected)
        if attempt is not None:
            self._require_in_attempt(step, year)

    def _require_notice(self, step: str, year: int) -> list[str]:
        """The notice period of the attempt, which must stand at public notice."""
        require_exit_year(year)
        attempt = self.exit_attempt
        last = attempt["steps"][-1] if attempt else None
        if attempt is None or last != PUBLICIZED:
            self._out_of_order(step, NEXT_STEP[last])
        self._require_in_attempt(step, year)
        return list(attempt["notice"])

    def _out_of_order(self, step: str, expected: str) -> NoReturn:
        attempt = self.exit_attempt
        raise InvalidTransition(
            f"cannot record {step} for household {self.household_id}: the next step of its "
            f"exit procedure is {expected}",
            household_id=self.household_id, step=step, missing_step=expected,
            steps_done=list(attempt["steps"]) if attempt else [])

    def _require_in_attempt(self, step: str, year: int) -> None:
        """For the attempt's year, and not earlier in business time than its last step."""
        attempt = self.exit_attempt or {}
        if year != attempt["year"]:
            raise InvalidTransition(
                f"the exit under way for household {self.household_id} is for {attempt['year']}",
                household_id=self.household_id, year=attempt["year"], field="year")
        last: Mark = attempt.get("last_mark") or [attempt["last_at"], "", attempt["last_at"]]
        require_not_before(last, "the previous step of the same attempt",
                           household_id=self.household_id, step=step)

    def _exit_step(self, event: Any, step: str) -> None:
        attempt: Any = self.exit_attempt
        attempt["steps"].append(step)
        self._exit_mark(event)

    def _exit_mark(self, event: Any) -> None:
        """The latest step so far, of this attempt and of the household's exit procedure."""
        mark = mark_of(event)
        if self.exit_attempt is not None:
            self.exit_attempt["last_at"] = mark[0]
            self.exit_attempt["last_mark"] = mark
        self.__dict__["exit_last"] = mark


def require_exit_year(year: int) -> None:
    """An exit step is for the year of its own date or the year before (422 naming `year`)."""
    own = occurring_at().astimezone(BUSINESS_TZ).year
    if year not in (own, own - 1):
        raise Invalid(f"year {year} is neither the year of the step's date ({own}) nor the "
                      f"year before: it must be {own - 1} or {own}", field="year")


def business_day_of(mark: Mark | None) -> str:
    """The business day of a mark (its UTC instant read on China Standard Time)."""
    if mark is None:
        return ""
    return business_day(datetime.fromisoformat(mark[0]))
