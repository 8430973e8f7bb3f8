"""``services.transfer`` without the CLI: imports from a workbook with Chinese headers and a
``--map``, all or nothing; exports stream the import columns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.errors import ImportFailed
from huikuan.services.transfer import ImportRequest, export_rows, import_rows

FIXTURE = Path(__file__).parents[1] / "fixtures" / "receivables.xlsx"
DAY = "2026-11-30"


def test_import_a_workbook_and_export(book: Book, make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx = make_ctx(DAY)
    f = str(shutil.copy(FIXTURE, tmp_path / "r.xlsx"))
    got = import_rows(ctx, ImportRequest("customers", f, sheet="客户"))
    assert (got.rows, got.sheet, got.encoding, got.skipped) == (2, "客户", None, [])
    got = import_rows(ctx, ImportRequest("invoices", f, ignore_extra=True))
    assert (got.rows, got.sheet, got.skipped) == (3, "应收明细", [7])
    out = export_rows(ctx, "invoices")
    assert out.money == {"amount"} and out.columns[:4] == [
        "number",
        "customer",
        "issue_date",
        "amount",
    ]
    assert [(r[0], r[3], r[6]) for r in out.rows] == [  # number, amount (分), currency
        ("AR-2026-001", 1130000, "CNY"),
        ("AR-2026-002", 565050, "CNY"),
        ("AR-2026-003", 226000, "USD"),
    ]


def test_a_csv_with_a_map(book: Book, make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx = make_ctx(DAY)
    f = tmp_path / "c.csv"
    f.write_text("编号,客户名称\nZ1,甲\n", encoding="utf-8")
    got = import_rows(ctx, ImportRequest("customers", str(f), mapping="code=编号"))
    assert (got.rows, got.encoding, got.sheet) == (1, "utf-8", None)
    assert [r[0] for r in export_rows(ctx, "customers").rows] == ["Z1"]  # the code


def test_a_bad_row_writes_nothing(book: Book, make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx = make_ctx(DAY)
    f = tmp_path / "c.csv"
    f.write_text("客户编码,客户名称,信用额度\nY1,甲,1\nY2,乙,1.234\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        import_rows(ctx, ImportRequest("customers", str(f)))
    assert err.value.messages == [f"{f}:3: credit_limit: more than two decimal places: '1.234'"]
    assert list(export_rows(ctx, "customers").rows) == []
