"""Lists as spreadsheets: CSV with the API's field names, .xlsx (台账) with Chinese headers.

Both exports (the findings ledger, the household list) describe their columns once and share
this writer: the .xlsx has its header row frozen, an autofilter over the whole table and widths
that fit the header and the values, the CSV a BOM so that spreadsheet programs read Chinese.
A text cell that a spreadsheet program would read as a formula (it begins with =, +, -, @, a
tab or a carriage return) is written with a leading ' in both, and as a string cell in the
.xlsx; numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    field: str  # the API's name, the CSV header
    header: str  # the .xlsx header


def neutralised(value: Any) -> Any:
    """`value` as a spreadsheet may show it: text that would start a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(columns: Sequence[Column], row: dict[str, Any]) -> list[Any]:
    return ["" if row.get(c.field) is None else neutralised(row[c.field]) for c in columns]


def to_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.field for c in columns])
    writer.writerows(_cells(columns, row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _width(value: Any) -> int:
    """Display width: CJK characters take two columns."""
    text = str(value)
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)


def to_xlsx(title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    cells = [_cells(columns, row) for row in rows]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{len(cells) + 1}"
    for number, column in enumerate(columns, start=1):
        widest = max((_width(row[number - 1]) for row in cells), default=0)
        # + 4: room for the autofilter's drop-down button beside the header.
        width = min(MAX_WIDTH, max(_width(column.header) + 4, widest + 2))
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.append([c.header for c in columns])
    for row in cells:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
