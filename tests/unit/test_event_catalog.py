"""Every registry of event types follows the one catalog (`ledger.catalog`): a type missing
from any of them, or named there but not catalogued, fails here."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from marshmallow import Schema

import ledger.domain.registry
import ledger.domain.rules
import ledger.domain.scoring
import ledger.domain.supervision
import ledger.domain.units
from api.schemas.event_types import CLIENT_DATA, DERIVED_DATA, CatalogMismatch, bind
from evidence.disputes import TOKEN_TYPES
from ledger.catalog import BY_NAME, CATALOG, CLIENT_TYPES, DERIVED_TYPES, EventType
from ledger.commands import HANDLERS
from ledger.domain.base import LedgerAggregate
from ledger.identity import ROLES, WRITERS
from projections.findings import FINDING_EVENTS
from projections.routing import READS, ROUTES, STATE_ROUTED

DOMAIN_MODULES = (ledger.domain.registry, ledger.domain.rules, ledger.domain.scoring,
                  ledger.domain.supervision, ledger.domain.units, ledger.identity)
PROJECTED = {t.name for t in CATALOG if t.projected}


def _aggregates(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _aggregates(sub)


def domain_event_names() -> set[str]:
    """The names of the events the aggregates trigger (each `@event("Name")`)."""
    inherited = set(vars(LedgerAggregate)) | {
        name for base in LedgerAggregate.__mro__ for name in vars(base)}
    return {
        name
        for aggregate in _aggregates(LedgerAggregate)
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, LedgerAggregate.Event)
        and name not in inherited
    }


def gaps(registry: Iterable[str], expected: Iterable[str]) -> dict[str, list[str]]:
    """What a registry lacks of the types it should hold, and what it holds beyond them."""
    held, wanted = set(registry), set(expected)
    return {"missing": sorted(wanted - held), "not catalogued": sorted(held - wanted)}


NO_GAPS = {"missing": [], "not catalogued": []}

# (registry, the catalogued types it must hold exactly)
EXACT = {
    "identity.WRITERS": (WRITERS, CLIENT_TYPES),
    "commands.HANDLERS": (HANDLERS, CLIENT_TYPES),
    "client data schemas": (CLIENT_DATA, CLIENT_TYPES),
    "derived data schemas": (DERIVED_DATA, DERIVED_TYPES),
    "projection routes": (ROUTES, PROJECTED),
    "domain events": (domain_event_names(), BY_NAME),
}
# Registries that name some types: each must be catalogued.
PARTIAL = {
    "projection reads": {name for names in READS.values() for name in names},
    "finding events": set(FINDING_EVENTS),
    "routes read from states": set(STATE_ROUTED),
    "token types of evidence": set(TOKEN_TYPES),
}


@pytest.mark.parametrize("registry", sorted(EXACT))
def test_each_registry_holds_exactly_the_catalogued_types(registry: str) -> None:
    held, expected = EXACT[registry]
    assert gaps(held, expected) == NO_GAPS, registry


@pytest.mark.parametrize("registry", sorted(PARTIAL))
def test_types_named_elsewhere_are_catalogued(registry: str) -> None:
    assert sorted(PARTIAL[registry] - set(BY_NAME)) == [], registry


def test_the_catalog_declares_each_type_once_with_known_roles() -> None:
    assert len(BY_NAME) == len(CATALOG)
    for event_type in CATALOG:
        assert event_type.writers <= set(ROLES), event_type.name
        assert bool(event_type.writers) != event_type.derived, event_type.name
        assert event_type.description, event_type.name
    assert WRITERS == {t.name: t.writers for t in CATALOG if not t.derived}


def test_a_gap_is_reported_both_ways() -> None:
    """The checks above can fail: a registry short of a type, or with an extra one, shows."""
    short = [name for name in CLIENT_TYPES if name != "FindingWithdrawn"]
    assert gaps(short, CLIENT_TYPES) == {"missing": ["FindingWithdrawn"], "not catalogued": []}
    assert gaps([*CLIENT_TYPES, "Unheard"], CLIENT_TYPES)["not catalogued"] == ["Unheard"]


def test_binding_schemas_refuses_a_type_without_one_and_a_schema_of_no_type() -> None:
    alpha = Schema.from_dict({}, name="Alpha")
    beta = Schema.from_dict({}, name="Beta")
    both = [EventType("Alpha", "甲", "a"), EventType("Beta", "乙", "b")]
    assert bind([beta, alpha], both) == {"Alpha": alpha, "Beta": beta}
    with pytest.raises(CatalogMismatch, match=r"without a data schema: \['Beta'\]"):
        bind([alpha], both)
    with pytest.raises(CatalogMismatch, match=r"of no such type: \['Beta'\]"):
        bind([alpha, beta], both[:1])


def test_each_type_has_its_chinese_label_in_the_catalog_and_the_console_reads_it() -> None:
    from console import zh

    unlabelled = [t.name for t in CATALOG
                  if not any("\u4e00" <= c <= "\u9fff" for c in t.label)]
    assert unlabelled == []
    assert {name: zh.event_type(name) for name in BY_NAME} == {
        t.name: t.label for t in CATALOG}
