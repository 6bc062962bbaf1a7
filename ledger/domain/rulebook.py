"""The rules in force as the write side sees them: one aggregate that notes every setting.

Each `RuleParameterSet` is its own aggregate (`rules.RuleParameter`), which no command can look
up by parameter; decisions that depend on a rule (an exit's income standard and notice period,
the edge line of risk removal) read this book instead, loaded as one aggregate whatever the
number of settings. The book follows every setting recorded since it was opened.
"""
from __future__ import annotations

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.domain.rules import PARAMETERS

BOOK = "rules"
ANY_YEAR = "*"


class Rulebook(LedgerAggregate):
    KIND = "rulebook"

    @staticmethod
    def create_id():
        return Rulebook.id_for(BOOK)

    @event("RulebookOpened")
    def __init__(self) -> None:
        self.settings: dict[str, float] = {}

    def note(self, parameter: str, value: float, year: int | None, unit_id: str | None = None
             ) -> None:
        if unit_id is not None:
            self._noted_for_unit(parameter=parameter, value=value, unit_id=unit_id)
            return
        self._noted(parameter=parameter, value=value, year=year)

    @event("RuleParameterNotedForUnit")
    def _noted_for_unit(self, parameter: str, value: float, unit_id: str) -> None:
        self.settings[f"{parameter}@{unit_id}:{ANY_YEAR}"] = value

    @event("RuleParameterNoted")
    def _noted(self, parameter: str, value: float, year: int | None = None) -> None:
        self.settings[f"{parameter}:{ANY_YEAR if year is None else year}"] = value


def value(book: Rulebook | None, parameter: str, year: int | None = None) -> float:
    """The value in force: a setting for the year, for every year, or the default."""
    settings = book.settings if book is not None else {}
    for key in ([f"{parameter}:{year}"] if year is not None else []) + [f"{parameter}:*"]:
        if key in settings:
            return settings[key]
    return PARAMETERS[parameter][3]


def unit_value(book: Rulebook | None, parameter: str, unit_id: str | None) -> float:
    """The value a county set for itself, else the value in force everywhere."""
    settings = book.settings if book is not None else {}
    own = f"{parameter}@{unit_id}:{ANY_YEAR}"
    return settings[own] if unit_id is not None and own in settings else value(book, parameter)
