"""Values as a person reads them, the same on pages, print views and spreadsheets."""
from __future__ import annotations

from datetime import date

from console.sheets import readable
from console.values import money, personal, quarter, share, when


def test_money_shares_quarters_and_times_as_read() -> None:
    assert money(7799) == "7,799 元" and money(1234.5) == "1,234.50 元" and money(None) == ""
    assert share(0.035) == "3.5%" and share(0) == "0.0%"
    assert quarter("2020-Q1") == "2020年第一季度" and quarter("2020-12") == "2020-12"
    assert when("2026-03-01T08:30:00+08:00") == "2026-03-01 08:30"
    assert when("2026-03-01") == "2026-03-01"


def test_personal_fields_never_show_sealed_and_read_erased_once_erased() -> None:
    assert personal("王大山") == "王大山"
    assert personal(None) == "（已删除）"
    assert "_sealed_" not in str(personal({"_sealed_": "person:p1", "v": "Ox+/"}))


def test_spreadsheet_cells_are_labels_dates_and_yes_or_no() -> None:
    assert readable("registered_poor") != "registered_poor"
    assert readable("2099-04-30") == date(2099, 4, 30)
    assert readable(True) == "是" and readable(3) == 3
