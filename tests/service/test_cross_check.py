"""`ledger cross-check FILE.csv --source NAME` on both backends: good rows recorded in batches,
each bad row refused with its line number and reason while the rest of its batch is recorded,
and a summary of rows, mismatches and refusals."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Command
from ledger.identity import Actor
from service.cli import main
from service.cross_check import cross_check
from service.root import Root

ADMIN = Actor("county-admin", "admin")
CLERK = Actor("data-office", "inspector")

EXPORT = """\ufeffhousehold_id,as_of_date,size,category,per_capita_income,poverty_status,head_name
h1,2020-06-30,4,registered_poor,3000.4,registered_poor,Li
h2,2020-06-30,3,,,not_registered,Zhang
h9,2020-06-30,4,,,,
h3,2020-06-31,4,,,,
h1,2020-06-30,four,,,,
h3,2020-06-30,5,edge,,,Wang
,2020-06-30,4,,,,
h2,2020-06-30,,,,,
"""
# Line 2 matches h1 (income within 1 yuan); line 3 differs in size only; line 4 names no
# household the ledger knows; line 5 has no such date; line 6 a size that is not a number;
# line 7 differs in head_name and size; line 8 has no household id; line 9 compares nothing.
REFUSED = {4: "not_found", 5: "as_of_date", 6: "record.size", 8: "household_id",
           9: "record"}


def _county(root: Root) -> None:
    on = datetime.fromisoformat("2020-01-02T10:00+08:00")
    commands = [Command("UnitRegistered", {"unit_id": "v1", "name": "V", "kind": "village"}, on)]
    for household, size, category, name in (("h1", 4, "registered_poor", "Li"),
                                            ("h2", 4, "edge", "Zhang"),
                                            ("h3", 4, "edge", "Zhou")):
        commands.append(Command("HouseholdRegistered", {
            "household_id": household, "village_id": "v1", "head_name": name, "size": size,
            "category": category}, on))
    commands.append(Command("HouseholdFactsRecorded", {
        "household_id": "h1", "income": {"wage": 12000}},
        datetime.fromisoformat("2020-03-01T10:00+08:00")))
    root.ledger.record(ADMIN, commands)


def _compared(root: Root) -> list[str]:
    return [e.data["household_id"] for e in root.ledger.read_log(0, 1000)
            if e.type == "SystemRecordCompared"]


@pytest.mark.parametrize("batch", [1, 3, 500])
def test_bad_rows_are_refused_by_line_and_the_rest_of_their_batch_recorded(
    root: Root, tmp_path: Path, batch: int
) -> None:
    _county(root)
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    summary = cross_check(root.ledger, export, "national_system", CLERK, batch=batch)
    assert (summary.rows, summary.recorded, summary.mismatches) == (8, 3, 3)
    assert {r.line: r.reason for r in summary.refused}.keys() == REFUSED.keys()
    for refusal in summary.refused:
        assert REFUSED[refusal.line] in refusal.reason, refusal
    assert _compared(root) == ["h1", "h2", "h3"]
    mismatches = [(e.data["household_id"], e.data["field"], e.actor)
                  for e in root.ledger.read_log(0, 1000) if e.type == "DataMismatchFound"]
    assert sorted(mismatches) == [("h2", "size", "system"), ("h3", "head_name", "system"),
                                  ("h3", "size", "system")]


def test_the_command_prints_a_summary_and_each_refused_line(
    root: Root, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _county(root)
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    status = main(["cross-check", str(export), "--source", "national_system", "--batch", "2"])
    out = capsys.readouterr().out
    assert status == 1  # some rows were refused
    assert "rows: 8; recorded: 3; mismatches: 3; refused: 5" in out
    for line in REFUSED:
        assert f"  line {line} " in out
    assert _compared(root) == ["h1", "h2", "h3"]
    again = main(["cross-check", str(export), "--source", "national_system"])
    assert again == 1
    assert "mismatches: 0;" in capsys.readouterr().out  # the open ones are not recorded twice


def test_a_file_without_the_needed_columns_records_nothing(
    root: Root, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _county(root)
    head = root.ledger.head()
    export = tmp_path / "export.csv"
    export.write_text("household,size\nh1,4\n", encoding="utf-8")
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["cross-check", str(export), "--source", "national_system"]) == 2
    assert "columns missing: ['household_id', 'as_of_date']" in capsys.readouterr().err
    assert root.ledger.head() == head


GOOD_ROW = {"household_id": "h-1", "source": "national_system", "as_of_date": "2020-06-30",
            "record": {"size": 4, "category": "exited", "per_capita_income": 4100.5,
                       "poverty_status": "exited", "head_name": "Li Si"}}
VARIANTS: list[tuple[str, Any]] = [
    ("household_id", ""), ("household_id", "h 1"), ("household_id", "h" * 65),
    ("household_id", "h1\n"), ("as_of_date", "2020-02-30"), ("as_of_date", "2020-6-30"),
    ("as_of_date", "20200630"), ("as_of_date", "2020-06-30T00:00"), ("as_of_date", ""),
    ("size", -1), ("size", 101), ("size", 0), ("size", True), ("size", 4.0), ("size", "4"),
    ("per_capita_income", float("nan")), ("per_capita_income", float("inf")),
    ("per_capita_income", -0.5), ("per_capita_income", 1e10), ("per_capita_income", 0.0),
    ("category", "poor"), ("category", "edge"), ("poverty_status", "edge"),
    ("head_name", ""), ("head_name", "x" * 201), ("head_name", "x" * 200),
    ("head_name", "a\x00b"), ("head_name", "a\ud800b"), ("head_name", "王 二"),
]


def test_the_quick_check_passes_only_rows_the_schema_accepts_unchanged() -> None:
    from marshmallow import ValidationError

    from api.schemas.event_data import SystemRecordCompared
    from service.cross_check import _plainly_valid

    schema = SystemRecordCompared()
    assert _plainly_valid(GOOD_ROW)
    rows = [{**GOOD_ROW, "record": {}}]
    for name, value in VARIANTS:
        if name in GOOD_ROW:
            rows.append({**GOOD_ROW, name: value})
        else:
            rows.append({**GOOD_ROW, "record": {**GOOD_ROW["record"], name: value}})
            rows.append({**GOOD_ROW, "record": {name: value}})
    passed = 0
    for row in rows:
        if _plainly_valid(row):
            passed += 1
            assert schema.load(row) == row, row
    with pytest.raises(ValidationError):
        schema.load({**GOOD_ROW, "record": {"size": True}})
    assert passed >= 8  # the ordinary rows take the quick path
