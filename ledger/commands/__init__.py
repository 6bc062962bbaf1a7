"""One handler per client event type: load what it refers to, check, call the domain.

Each handler receives the session, the acting identity and the validated `data` of the event.
References to households, units, people, findings and events must exist (NotFound otherwise).
Before a request's handlers run, `references` names what its events refer to, so the session
loads all of it in one query. Each procedure's module declares its own `HANDLERS`; this table
is their union, and a type handled twice is a programming error caught at import.
"""
from __future__ import annotations

from ledger.commands import (
    accountability,
    adjustment,
    crosschecks,
    disputes,
    exit,
    findings,
    members,
    monitoring,
    plans,
    registry,
    rules,
    units,
    villages,
)
from ledger.commands.guards import Data, Handler
from ledger.commands.references import event_references, references


def _table() -> dict[str, Handler]:
    table: dict[str, Handler] = {}
    for module in (registry, units, findings, accountability, plans, crosschecks, rules,
                   disputes, exit, monitoring, villages, members, adjustment):
        for type_name, handler in module.HANDLERS.items():
            if type_name in table:
                raise RuntimeError(f"{type_name} is handled twice")
            table[type_name] = handler
    return table


HANDLERS: dict[str, Handler] = _table()

__all__ = ["HANDLERS", "Data", "Handler", "event_references", "references"]
