"""``import … FILE.xlsx|.xls``: sheets from the office, Chinese headers, ``--map``, ``--sheet``.

The fixtures (tests/fixtures/receivables.xlsx and .xls, remade by make_workbooks.py) are laid
out like a 金蝶/用友 export: title row, blank row, Chinese headers, a 合计 row at the bottom.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
import xlwt

FIXTURES = Path(__file__).parents[1] / "fixtures"
INVOICES_EXPORT = (
    "number,customer,issue_date,amount,due_date,terms,currency,contract,salesperson,"
    "description,milestone\n"
    "AR-2026-001,K001,2026-10-08,11300.00,2026-11-09,,CNY,,王丽,货款,\n"
    "AR-2026-002,K001,2026-10-15,5650.50,2026-11-16,NET30,CNY,,王丽,安装费,\n"
    "AR-2026-003,1002,2026-10-20,2260.00,2026-12-31,,USD,,李娜,,\n"
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in the test's directory, so FILE in messages is just the name given."""
    monkeypatch.chdir(tmp_path)


def _book(name: str, rows: list[list[Any]], sheet: str = "Sheet1") -> str:
    """An .xlsx with ``rows`` from A1 (datetimes as date cells) in the current directory."""
    book = xlsxwriter.Workbook(name)
    ws, day = book.add_worksheet(sheet), book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, value, day)
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return name


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_office_workbook_imports_every_sheet(cli: Any, ledger: Path, suffix: str) -> None:
    book = shutil.copy(FIXTURES / f"receivables.{suffix}", f"应收.{suffix}")
    r = cli("import", "customers", book, "--sheet", "客户")
    assert r.stderr == f"Imported 2 customers from sheet 客户 of 应收.{suffix}\n"
    r = cli("import", "invoices", book, "--ignore-extra")  # 客户名称 is not an invoice column
    assert r.stderr == (
        f"Imported 3 invoices from sheet 应收明细 of 应收.{suffix}\n"
        "Left out the totals row(s) 7 (合计) of sheet 应收明细\n"
    )
    cli("import", "payments", book, "--sheet", "收款")
    assert cli("export", "invoices").stdout == INVOICES_EXPORT
    assert cli("export", "customers").stdout.splitlines()[1:] == [
        "1002,苏州小厂,,华东,李娜,,,zh,80000.00,EOM30",
        "K001,上海明达机械有限公司,,华东,王丽,ar@mingda.example,021-55550000,zh,500000.00,NET30",
    ]
    assert cli("export", "payments").stdout.splitlines()[1:] == [
        "K001,2026-11-02,10000.00,AR-2026-001,CNY,CMB20261102001,",
        "1002,2026-11-05,260.00,,USD,CMB20261105002,",
    ]


def test_extra_chinese_column_is_an_error_at_the_header_row(cli: Any, ledger: Path) -> None:
    book = shutil.copy(FIXTURES / "receivables.xlsx", "r.xlsx")
    cli("import", "customers", book, "--sheet", "客户")
    errors = cli.error("import", "invoices", book)
    assert len(errors) == 1
    assert errors[0].startswith("Error: r.xlsx:应收明细:3: 客户名称: unknown column (known: ")


def test_bad_rows_are_reported_by_sheet_row_and_nothing_is_written(cli: Any, ledger: Path) -> None:
    cli("customer", "add", "C001", "甲", "--terms", "NET30")
    before = cli.snapshot()
    _book(
        "bad.xlsx",
        [
            ["应收账款明细表"],
            [],
            ["发票号", "客户编码", "开票日期", "金额"],
            ["A-1", "C001", dt.date(2026, 1, 5), 100.25],
            ["A-2", "C001", dt.date(2026, 1, 5), 1234.567],
            ["A-3", "C009", "2026-13-01", 5],
        ],
        sheet="明细",
    )
    errors = cli.error("import", "invoices", "bad.xlsx")
    assert errors == [
        "Error: bad.xlsx:明细:5: amount: more than two decimal places: '1234.567'",
        "Error: bad.xlsx:明细:6: customer: unknown customer 'C009'",
        "Error: bad.xlsx:明细:6: issue_date: no such date: '2026-13-01'",
    ]
    assert cli.snapshot() == before


def test_numbers_and_dates_as_excel_keeps_them(cli: Any, ledger: Path) -> None:
    cli("customer", "add", "1001", "乙", "--terms", "NET30")
    _book(
        "n.xlsx",
        [
            ["number", "customer", "issue_date", "due_date", "amount", "currency"],
            [20261012.0, 1001.0, 20261012.0, 46400, 0.1 + 0.2, "美元"],  # serial 46400
            ["N-2", "1001", "2026年10月12日", None, 1e6, "欧元"],
        ],
    )
    cli("import", "invoices", "n.xlsx")
    assert cli("export", "invoices").stdout.splitlines()[1:] == [
        "20261012,1001,2026-10-12,0.30,2027-01-13,,USD,,,,",
        "N-2,1001,2026-10-12,1000000.00,2026-11-11,NET30,EUR,,,,",
    ]


def test_a_totals_row_with_a_number_is_a_record(cli: Any, ledger: Path) -> None:
    """Only a 合计 row without an invoice number is left out; with one it is checked (and
    here fails: 合计 is no customer)."""
    cli("customer", "add", "C001", "甲", "--terms", "NET30")
    _book(
        "t.xlsx",
        [
            ["number", "customer", "issue_date", "amount"],
            ["A-1", "C001", "2026-01-05", 10],
            ["T-9", "合计", None, 10],
        ],
    )
    errors = cli.error("import", "invoices", "t.xlsx")
    assert errors == [
        "Error: t.xlsx:Sheet1:3: customer: unknown customer '合计'",
        "Error: t.xlsx:Sheet1:3: issue_date: is required",
    ]


def test_map_names_other_headers(cli: Any, ledger: Path) -> None:
    cli("customer", "add", "C001", "甲", "--terms", "NET30")
    rows = [["应收单号", "客户编码", "单据日期", "本币金额"], ["M-1", "C001", "2026-03-02", 12]]
    _book("m.xlsx", rows)
    cli("import", "invoices", "m.xlsx", "--map", "number=应收单号, amount = 本币金额")
    assert cli("export", "invoices").stdout.splitlines()[1].startswith("M-1,C001,2026-03-02,12.00,")


def test_map_errors(cli: Any, ledger: Path) -> None:
    cli("customer", "add", "C001", "甲", "--terms", "NET30")
    rows = [
        ["单据编号", "客户编码", "单据日期", "金额", "价税合计"],
        ["M-1", "C001", "2026-03-02", 1, 1],
    ]
    _book("m.xlsx", rows)
    assert cli.error("import", "invoices", "m.xlsx") == [
        "Error: m.xlsx:Sheet1:1: amount: the headers '金额' and '价税合计' both mean amount"
    ]
    _book("m2.xlsx", [rows[0][:4], rows[1][:4]])
    assert cli.error("import", "invoices", "m2.xlsx", "--map", "amount=应收金额") == [
        "Error: m2.xlsx:Sheet1:1: --map: the file has no header '应收金额'"
    ]
    assert cli.error("import", "invoices", "m.xlsx", "--map", "amount") == [
        "Error: --map: 'amount' is not column=header"
    ]


def test_chinese_headers_in_a_gbk_csv(cli: Any, ledger: Path) -> None:
    Path("k.csv").write_bytes(
        "客户编码,客户名称,信用额度,付款条件\nG01,广州一厂,1000,账期30天\n".encode("gbk")
    )
    cli("import", "customers", "k.csv")
    Path("i.csv").write_bytes(
        "发票号码,客户代码,开票日期,应收金额,币种,合同号,销售员,备注\n"
        "G-1,G01,2026-02-02,99.5,人民币,HT-1,赵六,首付\n".encode("gbk")
    )
    cli("import", "invoices", "i.csv")
    Path("p.csv").write_text("客户编码,收款日期,收款金额,银行流水号\nG01,2026-03-01,50,S-1\n")
    cli("import", "payments", "p.csv")
    assert cli("export", "invoices").stdout.splitlines()[1] == (
        "G-1,G01,2026-02-02,99.50,2026-03-04,NET30,CNY,HT-1,赵六,首付,"
    )
    assert cli("export", "payments").stdout.splitlines()[1] == "G01,2026-03-01,50.00,,CNY,S-1,"


def test_full_width_spaces_around_headers(cli: Any, ledger: Path) -> None:
    _book("s.xlsx", [["\u3000客户编码 ", " 客户名称\u3000"], ["S1", "甲"]])
    cli("import", "customers", "s.xlsx")
    assert cli("export", "customers").stdout.splitlines()[1].startswith("S1,甲,")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("csv.xlsx", b"code,name\nC1,x\n", "csv.xlsx: not a readable Excel workbook"),
        ("cut.xlsx", None, "cut.xlsx: not a readable Excel workbook"),
        ("empty.xls", b"", "empty.xls: not a readable Excel workbook"),
        ("locked.xlsx", "locked", "locked.xlsx: the workbook is password-protected"),
    ],
)
def test_bad_workbooks_fail_in_one_line(
    cli: Any, ledger: Path, name: str, data: bytes | str | None, message: str
) -> None:
    if data is None:
        data = (FIXTURES / "receivables.xlsx").read_bytes()[:3000]
    elif data == "locked":
        data = _encrypted_container()
    Path(name).write_bytes(data)  # type: ignore[arg-type]
    before = cli.snapshot()
    errors = cli.error("import", "customers", name)
    assert len(errors) == 1 and errors[0].startswith(f"Error: {message}"), errors
    assert cli.snapshot() == before


def _encrypted_container() -> bytes:
    """An OLE2 file with an ``EncryptedPackage`` stream, as Excel saves a password-protected
    .xlsx (made with xlwt's writer, its one stream renamed)."""
    book = xlwt.Workbook()
    book.add_sheet("S").write(0, 0, "x")
    book.save("plain.xls")
    data = bytearray(Path("plain.xls").read_bytes())
    old = "Workbook".encode("utf-16-le") + b"\0\0"
    at = data.index(old)
    new = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
    data[at : at + 64] = new.ljust(64, b"\0")
    data[at + 64 : at + 66] = len(new).to_bytes(2, "little")
    return bytes(data)


def test_no_header_row(cli: Any, ledger: Path) -> None:
    _book("h.xlsx", [["应收账款明细表"], ["foo", "bar"], ["1", "2"]])
    assert cli.error("import", "invoices", "h.xlsx") == [
        "Error: h.xlsx:Sheet1: no header row found (a row with the columns number, customer, "
        "issue_date, amount, or their Chinese names, within the first 100 rows; --map names "
        "other headers)"
    ]


def test_sheet_option(cli: Any, ledger: Path) -> None:
    book = shutil.copy(FIXTURES / "receivables.xlsx", "r.xlsx")
    assert cli.error("import", "customers", book, "--sheet", "Nope") == [
        "Error: r.xlsx: no sheet named 'Nope' (sheets: 应收明细, 客户, 收款)"
    ]
    Path("c.csv").write_text("code,name\nC1,x\n")
    assert cli.error("import", "customers", "c.csv", "--sheet", "客户") == [
        "Error: --sheet is for Excel workbooks (.xlsx, .xls), not CSV"
    ]


def test_input_format_names_a_workbook(cli: Any, ledger: Path) -> None:
    shutil.copy(FIXTURES / "receivables.xls", "receivables.bin")
    cli("import", "customers", "receivables.bin", "--input-format", "xls", "--sheet", "客户")
    assert len(cli("export", "customers").stdout.splitlines()) == 3


def test_empty_rows_and_columns_inside_and_after_are_ignored(cli: Any, ledger: Path) -> None:
    _book("e.xlsx", [["code", None, "name"], [], ["E1", None, "甲"], [], [None, None, None]])
    cli("import", "customers", "e.xlsx")
    assert cli("export", "customers").stdout.splitlines()[1:] == ["E1,甲,,,,,,zh,,"]
