"""Reading sheets of real workbooks written by XlsxWriter (.xlsx) and xlwt (.xls)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
import xlwt

from huikuan.store.workbook import WorkbookError, is_workbook, read_sheet


def _xlsx() -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("应收")
    sheet.write(0, 0, "应收账款明细表")
    sheet.write_row(2, 0, ["客户编码", "金额", "开票日期"])
    sheet.write_row(3, 0, ["C001", 1234.5])
    sheet.write_datetime(
        3, 2, dt.datetime(2026, 11, 1), book.add_format({"num_format": "yyyy-mm-dd"})
    )
    sheet.write(8, 7, "")  # an empty cell far away: trailing, ignored
    book.add_worksheet("第二页").write(0, 0, "x")
    book.close()
    return buf.getvalue()


def test_xlsx_first_sheet_trimmed() -> None:
    sheet = read_sheet(_xlsx(), "a.xlsx")
    assert sheet.name == "应收"
    assert sheet.rows == [
        ["应收账款明细表", None, None],
        [None, None, None],
        ["客户编码", "金额", "开票日期"],
        ["C001", 1234.5, dt.date(2026, 11, 1)],
    ]


def test_named_sheet_and_missing_sheet() -> None:
    assert read_sheet(_xlsx(), "a.xlsx", "第二页").rows == [["x"]]
    with pytest.raises(WorkbookError, match="no sheet named 'nope'"):
        read_sheet(_xlsx(), "a.xlsx", "nope")


def test_xls() -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("S1")
    sheet.write(0, 0, "交易日")
    sheet.write(1, 0, 20261012)
    sheet.write(1, 1, 12.3)
    buf = io.BytesIO()
    book.save(buf)
    assert read_sheet(buf.getvalue(), "b.xls").rows == [["交易日", None], [20261012, 12.3]]


def test_not_a_workbook() -> None:
    with pytest.raises(WorkbookError, match=r"^c\.xlsx: not a readable Excel workbook"):
        read_sheet(b"garbage", "c.xlsx")
    assert is_workbook("A.XLSX") and is_workbook("b.xls") and not is_workbook("c.csv")
