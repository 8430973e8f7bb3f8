"""Reading an import's rows from a sheet: header search, totals rows, numbers and dates."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import xlsxwriter

from huikuan.store.sheets import number_text, read_rows
from huikuan.store.workbook import WorkbookError


def _xlsx(rows: list[list[Any]]) -> bytes:
    data = io.BytesIO()
    book = xlsxwriter.Workbook(data, {"in_memory": True})
    ws = book.add_worksheet("S")
    fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, fmt)
            elif v is not None:
                ws.write(r, c, v)
    book.close()
    return data.getvalue()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234.5, "1234.5"),
        (0.1 + 0.2, "0.3"),  # float noise goes
        (1234.567, "1234.567"),  # a third decimal stays (and fails the amount check)
        (1001.0, "1001"),
        (20261012.0, "20261012"),
        (1e20, "100000000000000000000"),
        (-5.25, "-5.25"),
        (1234.5600000000002, "1234.56"),
    ],
)
def test_number_text(value: float, text: str) -> None:
    assert number_text(value) == text


def test_rows_below_the_title_with_dates_and_totals() -> None:
    data = _xlsx(
        [
            ["应收账款明细表 2026年11月"],
            [],
            ["单据编号", "客户编码", "单据日期", "到期日", "金额", None, "部门"],
            ["A-1", 1001.0, dt.datetime(2026, 1, 2), 46400, 12.5, None, "销售一部"],
            [None, None, None, None, None],
            ["A-2", "C1", "20260103", dt.datetime(2026, 2, 3, 15, 30), 7, None, None],
            ["A-3", "C1", "2026.1.4", "2026.02.30", 1.25, None, None],
            ["合计", None, None, None, 19.5],
        ]
    )
    got = read_rows(data, "f.xlsx", "invoices", None, {})
    assert (got.label, got.sheet, got.header_row) == ("f.xlsx:S", "S", 3)
    assert got.header == ["number", "customer", "issue_date", "due_date", "amount", "部门"]
    assert list(got.rows) == [
        (4, ["A-1", "1001", "2026-01-02", "2027-01-13", "12.5", "销售一部"]),
        (6, ["A-2", "C1", "2026-01-03", "2026-02-03", "7", ""]),
        (7, ["A-3", "C1", "2026-1-4", "2026-02-30", "1.25", ""]),  # the check finds 02-30
    ]
    assert got.skipped == [8]


def test_no_header_and_bad_files() -> None:
    with pytest.raises(WorkbookError, match=r"f.xlsx:S: no header row found"):
        read_rows(_xlsx([["code"], ["x"]]), "f.xlsx", "customers", None, {})
    with pytest.raises(WorkbookError, match="not a readable Excel workbook"):
        read_rows(b"number,customer\n", "f.xlsx", "invoices", None, {})
