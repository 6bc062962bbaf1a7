"""The findings ledger as a spreadsheet: CSV, or .xlsx through openpyxl."""
from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

COLUMNS = (
    "finding_id", "subject_type", "subject_id", "category", "source", "sector", "description",
    "responsible_unit_id", "responsible_person_id", "raised_on", "due_date", "status",
    "overdue", "closed_on", "raised_event", "closing_event",
)


def _cells(row: dict[str, Any]) -> list[Any]:
    return ["" if row.get(c) is None else row[c] for c in COLUMNS]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(_cells(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheet programs read Chinese


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("findings")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
