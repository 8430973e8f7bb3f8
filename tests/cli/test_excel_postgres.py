"""Workbooks in and out of a PostgreSQL ledger: the same rows as on SQLite, all or nothing.

Runs when ``HUIKUAN_TEST_DATABASE_URL`` names a server (see ``pg_helpers``).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pg_helpers
import pytest
from pg_helpers import needs_server
from python_calamine import CalamineWorkbook

pg_url = pg_helpers.pg_url
FIXTURE = Path(__file__).parents[1] / "fixtures" / "receivables.xlsx"
pytestmark = needs_server


def _load(cli: Any, book: str) -> list[str]:
    cli("init")
    cli("import", "customers", book, "--sheet", "客户")
    cli("import", "invoices", book, "--ignore-extra")
    cli("import", "payments", book, "--sheet", "收款")
    return [cli("export", kind).stdout for kind in ("customers", "invoices", "payments")]


def test_the_office_workbook_gives_the_same_ledger(
    cli: Any, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = str(shutil.copy(FIXTURE, tmp_path / "r.xlsx"))
    on_sqlite = _load(cli, book)
    monkeypatch.setenv("HUIKUAN_DB", pg_url)
    assert _load(cli, book) == on_sqlite
    out = cli("aging", "--as-of", "2026-11-30", "--format", "xlsx").stdout_bytes
    wb = CalamineWorkbook.from_filelike(io.BytesIO(out))
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    assert [r[0] for r in rows] == ["key", "K001", "1002", "Total", "Total", "%", "%"]


def test_a_bad_sheet_writes_nothing(
    cli: Any, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xlsxwriter

    monkeypatch.setenv("HUIKUAN_DB", pg_url)
    cli("init")
    cli("customer", "add", "C1", "甲", "--terms", "NET30")
    f = tmp_path / "b.xlsx"
    wb = xlsxwriter.Workbook(str(f))
    ws = wb.add_worksheet("S")
    for r, row in enumerate(
        [
            ["发票号", "客户编码", "开票日期", "金额"],
            ["A", "C1", "2026-01-02", 1],
            ["B", "C1", "2026-01-02", 0.125],
        ]
    ):
        ws.write_row(r, 0, row)
    wb.close()
    assert cli.error("import", "invoices", str(f)) == [
        f"Error: {f}:S:3: amount: more than two decimal places: '0.125'"
    ]
    assert cli("export", "invoices").stdout.count("\n") == 1
