"""Each personal field no other test touched is stored sealed under its subject's key, read in
plain text while the key lives, and erased with it: a dispute's `grounds`, a finding's
`reason`, a compared `record` and the `system_value`/`ledger_value` of its mismatch, and an
`id_number` wherever one is carried."""
from __future__ import annotations

from typing import Any

import pytest

from ledger.privacy.cipher import new_key
from ledger.privacy.fields import SEALED
from ledger.privacy.sealing import _sealed
from service.root import Root
from tests.projections.conftest import DISCIPLINE, INSPECTOR, World, make_world


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and SEALED in value

HEAD = "王小明"
INCOME = 4321.57  # the whole compared record is personal, its income with its name
TEXTS = {"grounds": "申诉：王小明家并未漏雨", "reason": "王小明家外出务工，延期整改",
         "record": "王晓明", "system_value": "王晓明", "ledger_value": HEAD}


@pytest.fixture
def world(sqlite_root: Root) -> World:
    world = make_world(sqlite_root)
    world.village("v1")
    world.record("HouseholdRegistered", {"household_id": "h1", "village_id": "v1",
                                         "head_name": HEAD, "size": 4,
                                         "category": "registered_poor"}, "2020-01-02")
    raised = world.finding("f1")
    world.record("DeadlineExtended", {"finding_id": "f1", "new_due_date": "2020-05-31",
                                      "reason": TEXTS["reason"]}, "2020-03-20")
    world.record("DisputeOpened", {"dispute_id": "d1", "contested_event_id": raised.event_id,
                                   "grounds": TEXTS["grounds"]}, "2020-03-21", DISCIPLINE)
    world.record("SystemRecordCompared", {"household_id": "h1", "source": "national_system",
                                          "as_of_date": "2020-03-01",
                                          "record": {"head_name": TEXTS["record"],
                                                     "per_capita_income": INCOME}},
                 "2020-03-22", INSPECTOR)
    return world


def _field(world: World, type_: str, name: str) -> Any:
    [event] = [e for e in world.ledger.read_log(0, 1000) if e.type == type_
               and e.data.get("field", "head_name") == "head_name"]
    value = event.data[name]
    return value["head_name"] if name == "record" and value else value


WHERE = [("DisputeOpened", "grounds"), ("DeadlineExtended", "reason"),
         ("SystemRecordCompared", "record"), ("DataMismatchFound", "system_value"),
         ("DataMismatchFound", "ledger_value")]


@pytest.mark.parametrize(("type_", "name"), WHERE)
def test_the_field_is_sealed_in_storage_readable_and_erased_with_its_subject(
        world: World, type_: str, name: str) -> None:
    stored = b"".join(r.state for r in world.ledger.recorder.select_chained(0, 1000)
                      if r.topic.endswith(type_))
    assert stored, f"no {type_} was recorded"
    assert TEXTS[name].encode() not in stored
    assert str(INCOME).encode() not in stored
    assert _field(world, type_, name) == TEXTS[name]
    world.record("PersonalDataErased", {"subject_type": "household", "subject_id": "h1",
                                        "basis": "PIPL art. 47"}, "2020-06-01", DISCIPLINE)
    assert _field(world, type_, name) is None


def test_an_id_number_is_sealed_wherever_an_event_carries_one() -> None:
    member = {"name": "王小红", "id_number": "110101199003070012"}
    data = {"household_id": "h1", "members": [member],
            "id_number": "110101196001010011", "size": 4}
    sealed = _sealed(data, "household:h1", new_key())
    assert is_sealed(sealed["id_number"]) and is_sealed(sealed["members"][0]["id_number"])
    assert sealed["size"] == 4 and sealed["household_id"] == "h1"
