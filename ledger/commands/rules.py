"""Handlers of the rulebook and of scoring."""
from __future__ import annotations

from ledger.commands.guards import Data, Handler
from ledger.domain.rulebook import BOOK, Rulebook
from ledger.domain.rules import RuleParameter
from ledger.domain.scoring import Score
from ledger.domain.units import Unit
from ledger.errors import Invalid
from ledger.identity import Actor
from ledger.session import Session


def set_rule_parameter(session: Session, actor: Actor, data: Data) -> None:
    RuleParameter.set(**data)
    book = session.find(Rulebook, BOOK) or session.create(Rulebook, BOOK, "parameter")
    book.note(data["parameter"], data["value"], data.get("year"))


def record_score(session: Session, actor: Actor, data: Data) -> None:
    village = session.get(Unit, data["village_id"], "village_id")
    if village.kind != "village":
        raise Invalid(
            f"unit {village.unit_id} is a {village.kind}, not a village", field="village_id"
        )
    Score.record(**data)


HANDLERS: dict[str, Handler] = {
    "RuleParameterSet": set_rule_parameter,
    "ScoreRecorded": record_score,
}
