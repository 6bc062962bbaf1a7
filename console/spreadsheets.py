"""Spreadsheets for people: Chinese headers, a frozen header row, filters, column widths.

The CSV for machines stays the API's (`projections.export.to_csv`: field names, BOM)."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from console import zh
from projections.export import COLUMNS as FINDING_COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOUSEHOLD_COLUMNS = ("household_id", "village_id", "head_name", "size", "category",
                     "poverty_status", "exit_class", "key_household", "monitoring",
                     "last_visit", "open_findings")
VALUE_COLUMNS = {"subject_type", "category", "status", "poverty_status", "overdue",
                 "key_household"}
WIDEST = 60


def _cell(column: str, value: Any, for_people: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return len(value) if column == "open_findings" else ", ".join(map(str, value))
    if isinstance(value, dict):
        return value.get("monitoring_type") or value.get("type") or ""
    if for_people and (column in VALUE_COLUMNS or isinstance(value, bool)):
        return zh.value(value)
    return value


def _sheet(title: str, columns: Sequence[str], rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([zh.field(c) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(c, row.get(c), True) for c in columns])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    for index in range(1, len(columns) + 1):
        texts = [str(sheet.cell(row=r, column=index).value or "")
                 for r in range(1, min(len(rows), 500) + 2)]
        width = max(_display_width(t) for t in texts) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, WIDEST)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _display_width(text: str) -> int:
    """Chinese characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def findings(rows: list[dict[str, Any]]) -> bytes:
    return _sheet("问题台账", FINDING_COLUMNS, rows)


def households(rows: list[dict[str, Any]], fmt: str) -> bytes:
    """The household list: .xlsx for people, or CSV with the API's field names and a BOM."""
    if fmt == "xlsx":
        return _sheet("分类台账", HOUSEHOLD_COLUMNS, rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HOUSEHOLD_COLUMNS)
    writer.writerows([_cell(c, r.get(c), False) for c in HOUSEHOLD_COLUMNS] for r in rows)
    return out.getvalue().encode("utf-8-sig")
