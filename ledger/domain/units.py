"""Units (county, township, village, group, department): listing, warnings, interviews."""
from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate, as_system
from ledger.domain.periods import next_period, previous_period
from ledger.domain.registry import Holders, require_may_assign, require_may_end
from ledger.errors import Conflict, InvalidTransition

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


@dataclass
class DueInterview:
    """An interview the ledger made due: for which pair of periods, because of which cards."""

    periods: tuple[str, str]
    warning_ids: list[str]
    voided: bool = False


class Unit(LedgerAggregate):
    KIND = "unit"

    @staticmethod
    def create_id(unit_id: str):
        return Unit.id_for(unit_id)

    @event("UnitRegistered")
    def __init__(self, unit_id: str, name: str, kind: str, parent_id: str | None = None) -> None:
        self.unit_id = unit_id
        self.name = name
        self.kind = kind
        self.parent_id = parent_id
        self.listed_level: str | None = None
        self.yellow_cards: dict[str, str] = {}  # warning_id -> period
        self.interviews: list[DueInterview] = []
        self.responsible: Holders = {}

    # Listing -------------------------------------------------------------
    def list_for_supervision(self, level: str) -> None:
        if self.listed_level is not None:
            raise InvalidTransition(f"unit {self.unit_id} is already listed", unit_id=self.unit_id)
        self._listed(unit_id=self.unit_id, level=level)

    @event("UnitListed")
    def _listed(self, unit_id: str, level: str) -> None:
        self.listed_level = level

    def delist(self, open_finding_ids: list[str]) -> None:
        """Delist; the caller passes which of this unit's findings are still open."""
        if self.listed_level is None:
            raise InvalidTransition(f"unit {self.unit_id} is not listed", unit_id=self.unit_id)
        if open_finding_ids:
            raise Conflict(
                f"unit {self.unit_id} still has open findings",
                unit_id=self.unit_id,
                open_finding_ids=open_finding_ids,
            )
        self._delisted(unit_id=self.unit_id)

    @event("UnitDelisted")
    def _delisted(self, unit_id: str) -> None:
        self.listed_level = None

    # Findings and warnings the unit answers for ----------------------------
    def attach_finding(self, finding_id: str) -> None:
        """Enter a finding in the unit's own stream of events.

        The unit keeps no list of its findings in memory: such a list would grow with every
        finding and make every later write to the unit slower. A delisting, which needs them,
        reads them back from the stream (`Session.history`).
        """
        self._finding_attached(unit_id=self.unit_id, finding_id=finding_id)

    @event("FindingAttached")
    def _finding_attached(self, unit_id: str, finding_id: str) -> None:
        pass

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
            with as_system():
                self._interview_required(
                    unit_id=self.unit_id,
                    person_id=self.main_responsible_person(),
                    warning_ids=sorted(earlier) + sorted(later),
                    periods=list(pair),
                )

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

    def assign(self, person_id: str, role: str, effective_from: str) -> None:
        require_may_assign(self.responsible, person_id, role, f"unit {self.unit_id}")
        self._assigned(
            person_id=person_id,
            role=role,
            subject_type="unit",
            subject_id=self.unit_id,
            effective_from=effective_from,
        )

    @event("ResponsibilityAssigned")
    def _assigned(
        self, person_id: str, role: str, subject_type: str, subject_id: str, effective_from: str
    ) -> None:
        self.responsible.setdefault(role, {})[person_id] = effective_from

    def end_assignment(self, person_id: str, role: str, effective_to: str) -> None:
        require_may_end(self.responsible, person_id, role, effective_to, f"unit {self.unit_id}")
        self._ended(
            person_id=person_id,
            role=role,
            subject_type="unit",
            subject_id=self.unit_id,
            effective_to=effective_to,
        )

    @event("ResponsibilityEnded")
    def _ended(
        self, person_id: str, role: str, subject_type: str, subject_id: str, effective_to: str
    ) -> None:
        del self.responsible[role][person_id]
