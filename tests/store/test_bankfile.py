"""Reading bank statements: layouts, header detection, cells, bad files (store/bankfile.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from huikuan.core.errors import HuikuanError, ImportFailed, InvalidValue
from huikuan.store.bank_layouts import layout_for, parse_map
from huikuan.store.bankfile import read_statement, to_date, to_fen

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("20261012", dt.date(2026, 10, 12)),
        ("2026-10-12", dt.date(2026, 10, 12)),
        ("2026/10/12", dt.date(2026, 10, 12)),
        ("2026-10-12 09:30:00", dt.date(2026, 10, 12)),
        (20261012, dt.date(2026, 10, 12)),
        (46307, dt.date(2026, 10, 12)),  # an Excel serial number
        (46307.0, dt.date(2026, 10, 12)),
        (dt.datetime(2026, 10, 12, 9, 30), dt.date(2026, 10, 12)),
        (dt.date(2026, 10, 12), dt.date(2026, 10, 12)),
    ],
)
def test_dates(cell: object, day: dt.date) -> None:
    assert to_date(cell) == day


@pytest.mark.parametrize("cell", ["20261332", "2026-02-30", "12/10/2026", "", None, 1.5])
def test_bad_dates(cell: object) -> None:
    with pytest.raises(InvalidValue):
        to_date(cell)


@pytest.mark.parametrize(
    ("cell", "fen"),
    [
        ("1,234.50", 123450),
        ("-20.00", -2000),
        ("+5", 500),
        ("", 0),
        ("-", 0),
        (None, 0),
        (1234.5, 123450),
        (0.1, 10),
        (12, 1200),
        ("¥8.00", 800),
    ],
)
def test_amounts(cell: object, fen: int) -> None:
    assert to_fen(cell) == fen


@pytest.mark.parametrize("cell", ["1.234", "abc", 0.001, 1e-7, float("nan"), True])
def test_bad_amounts(cell: object) -> None:
    with pytest.raises(InvalidValue):
        to_fen(cell)


def test_the_cmb_csv_in_gbk_with_title_rows() -> None:
    got = read_statement(str(FIXTURES / "bank-cmb-2026-11.csv"), None, {})
    assert (got.layout, got.account, got.currency, len(got.lines)) == (
        "cmb",
        "755912345610801",
        "CNY",
        5,
    )
    first = got.lines[0]
    assert (
        first.row,
        first.date,
        first.amount,
        first.direction,
        first.counterparty,
        first.counterparty_account,
        first.memo,
        first.serial,
    ) == (
        7,
        dt.date(2026, 11, 5),
        120000,
        "credit",
        "上海明达机械有限公司",
        "310066001",
        "货款 / INV-102",
        "K0001",
    )
    assert got.lines[3].direction == "debit"


def test_the_icbc_xlsx_and_the_ccb_xls() -> None:
    icbc = read_statement(str(FIXTURES / "bank-icbc-2026-11.xlsx"), None, {})
    assert icbc.layout == "icbc"
    assert [(x.account, x.date, x.amount, x.serial) for x in icbc.lines] == [
        ("1001234509000012345", dt.date(2026, 11, 10), 440000, "T0001"),
        ("1001234509000012345", dt.date(2026, 11, 11), 50000, "T0002"),
    ]
    ccb = read_statement(str(FIXTURES / "bank-ccb-2026-11.xls"), None, {})
    assert (ccb.layout, ccb.lines[0].currency, ccb.lines[0].amount, ccb.lines[0].serial) == (
        "ccb",
        "USD",
        100000,
        "CCB-0001",
    )


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "s.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_generic_with_a_map_and_a_signed_amount(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        '记账日,发生额,付款人,说明\n2026/10/12,"1,000.00",甲公司,INV-1\n2026-10-13,-5.00,乙,\n',
    )
    mapping = parse_map("date=记账日, amount=发生额, counterparty=付款人, memo=说明")
    got = read_statement(path, layout_for("generic", mapping), mapping)
    assert [(x.date, x.amount, x.direction, x.counterparty, x.memo) for x in got.lines] == [
        (dt.date(2026, 10, 12), 100000, "credit", "甲公司", "INV-1"),
        (dt.date(2026, 10, 13), 500, "debit", "乙", None),
    ]


def test_generic_headers_are_detected_without_bank(tmp_path: Path) -> None:
    path = _csv(tmp_path, "日期,收入,支出,对方户名,摘要\n20261012,10.00,,甲,x\n", "gbk")
    got = read_statement(path, None, {})
    assert (got.layout, got.lines[0].amount, got.lines[0].counterparty) == ("generic", 1000, "甲")


def test_every_bad_line_is_reported(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "日期,收入,支出\n2026-13-01,1.00,\n2026-10-01,,\n2026-10-02,1.00,2.00\n2026-10-03,1.001,\n",
    )
    with pytest.raises(ImportFailed) as err:
        read_statement(path, None, {})
    assert err.value.messages == [
        f"{path}:2: date: no such date: '2026-13-01'",
        f"{path}:3: credit: no credit or debit amount",
        f"{path}:4: credit: both credit and debit",
        f"{path}:5: credit: more than two decimal places: '1.001'",
    ]


def test_a_line_in_another_currency_than_the_statement(tmp_path: Path) -> None:
    path = _csv(tmp_path, "币种:,人民币\n日期,收入,支出,币种\n2026-10-01,1.00,,美元\n")
    with pytest.raises(ImportFailed) as err:
        read_statement(path, None, {})
    assert err.value.messages == [f"{path}:3: currency: USD, but the statement is in CNY"]


def test_wrong_layout_unknown_bank_and_broken_files(tmp_path: Path) -> None:
    cmb = str(FIXTURES / "bank-cmb-2026-11.csv")
    with pytest.raises(ImportFailed, match="not a icbc statement: no header row with"):
        read_statement(cmb, layout_for("icbc", {}), {})
    with pytest.raises(InvalidValue, match="unknown bank 'hsbc'"):
        layout_for("hsbc", {})
    with pytest.raises(InvalidValue, match="--map: unknown key"):
        layout_for("generic", parse_map("payer=付款人"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(HuikuanError, match="not a readable Excel workbook"):
        read_statement(str(broken), None, {})
    with pytest.raises(ImportFailed, match="cannot tell the bank layout"):
        read_statement(_csv(tmp_path, "a,b\n1,2\n"), None, {})
    with pytest.raises(ImportFailed, match="not valid utf-8 text"):
        read_statement(_csv(tmp_path, "日期,收入\n", "gbk"), None, {}, encoding="utf-8")
