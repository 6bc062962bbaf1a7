"""Spreadsheets and CSV files carry no formula a client typed: a text cell that begins with =,
+, -, @, a tab or a carriage return gets a leading ' (a string cell in the .xlsx)."""
from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from openpyxl import load_workbook

from api.spreadsheets import Column, to_csv, to_xlsx
from service.root import Root
from tests.projections.conftest import make_world

ATTACKS = ["=HYPERLINK(\"http://evil.example\",\"点此\")", "+1+1", "-2+3", "@SUM(A1)",
           "\tcmd", "\rcmd"]
COLUMNS = [Column("text", "文本"), Column("amount", "金额")]


def _sheet_rows(body: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("text", ATTACKS)
def test_a_formula_is_written_as_text_with_a_leading_quote(text: str) -> None:
    rows = [{"text": text, "amount": -7799}]
    assert list(csv.reader(io.StringIO(to_csv(COLUMNS, rows).decode("utf-8-sig")))) == [
        ["text", "amount"], ["'" + text, "-7799"]]
    book = load_workbook(io.BytesIO(to_xlsx("t", COLUMNS, rows)))
    cell, amount = book.active["A2"], book.active["B2"]
    # XML reads a carriage return back as a line feed; the quote in front is what matters.
    assert (cell.data_type, cell.value.replace("\n", "\r")) == ("s", "'" + text)
    assert (amount.data_type, amount.value) == ("n", -7799)


def test_plain_text_and_numbers_are_left_as_they_are() -> None:
    rows = [{"text": "屋顶漏雨 = 待修", "amount": 3.5}]
    assert _sheet_rows(to_xlsx("t", COLUMNS, rows))[1] == ("屋顶漏雨 = 待修", 3.5)


def test_a_finding_description_reaches_the_findings_exports_as_text(
        sqlite_root: Root, sqlite_app: Flask) -> None:
    world = make_world(sqlite_root)
    world.village("v1"), world.household("h1")
    world.record("FindingRaised", {
        "finding_id": "f1", "subject_type": "household", "subject_id": "h1",
        "category": "housing", "description": ATTACKS[0], "responsible_unit_id": "v1",
        "due_date": "2020-03-31"}, "2020-03-01")
    world.project()
    token = sqlite_root.ledger.create_token("inspector-1", "inspector", None)
    headers = {"Authorization": f"Bearer {token}"}
    client = sqlite_app.test_client()
    answer = client.get("/api/v1/findings-export?format=csv", headers=headers)
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert [r["description"] for r in rows] == ["'" + ATTACKS[0]]
    body = client.get("/api/v1/findings-export?format=xlsx", headers=headers).data
    cells = [c for row in load_workbook(io.BytesIO(body)).active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + ATTACKS[0] in [c.value for c in cells]
