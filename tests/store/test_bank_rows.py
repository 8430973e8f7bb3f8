"""The quick check of plain statement lines gives what the general one gives (store/bank_rows.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.store.bank_layouts import BANKS, generic, locate, with_map
from huikuan.store.bank_rows import quick_reader
from huikuan.store.bankfile import StatementLine, _Bad, _line

CMB_HEADER = [
    "交易日",
    "借方金额",
    "贷方金额",
    "摘要",
    "流水号",
    "用途",
    "收/付方名称",
    "收/付方帐号",
]

amounts = st.sampled_from(
    ["", " ", "0", "0.00", "12", "12.5", "1234.56", " 99.01 ", "1,234.50", "-5", "+5", "1 000",
     "-", "--", "abc", "1.234", "¥12", "12元", "999999999999.99", "1000000000000", "(5)"]
)  # fmt: skip
dates = st.sampled_from(
    ["20261105", "2026-11-05", "2026/11/05", " 2026-11-05 10:00:00", "20261131", "", "x",
     "2026年11月5日", "18991231", "46307"]
)  # fmt: skip
texts = st.sampled_from(
    ["", " ", "上海明达机械有限公司", " INV-102 ", "货款", "a\tb", "x\x00", "合计"]
)
serials = st.sampled_from(["", "K0001", " K0002 ", "K\u2028"])


def _found() -> object:
    found = locate(BANKS["cmb"], [CMB_HEADER])
    assert found is not None
    return found


@settings(max_examples=400, deadline=None)
@given(
    day=dates,
    debit=amounts,
    credit=amounts,
    memo=texts,
    serial=serials,
    purpose=texts,
    party=texts,
    account=texts,
    cut=st.integers(min_value=0, max_value=3),
)
def test_quick_lines_are_the_general_lines(
    day: str,
    debit: str,
    credit: str,
    memo: str,
    serial: str,
    purpose: str,
    party: str,
    account: str,
    cut: int,
) -> None:
    found = _found()
    row = [day, debit, credit, memo, serial, purpose, party, account]
    row = row[: len(row) - cut]  # short rows are padded
    quick = quick_reader(found, "CNY", {})  # type: ignore[arg-type]
    assert quick is not None
    got = quick(row, 7)
    try:
        want: StatementLine | None = _line(found, row, 7, "CNY", {})  # type: ignore[arg-type]
    except _Bad:
        assert got is None  # the general path reports it
        return
    assert got is None or got == want


def test_plain_lines_take_the_quick_way() -> None:
    quick = quick_reader(_found(), None, {})  # type: ignore[arg-type]
    assert quick is not None
    assert quick(["20261105", "", "-1200", "货款", "K1", "INV-1", "明达", "31"], 9) is None
    assert quick(["20261105", "", "12\t", "货款", "K1", "INV-1", "明达", "31"], 9) is None
    assert quick(["合计", "", "1200", "", "", "", "", ""], 9) is None  # general: skipped
    line = quick(["20261105", "", "1,200.00", "货款", "K1", "INV-1", " 明达 ", "31"], 9)
    assert line is not None
    assert (line.row, line.amount, line.direction, line.memo, line.counterparty) == (
        9,
        120000,
        "credit",
        "货款 / INV-1",
        "明达",
    )


def test_layouts_the_quick_way_does_not_read() -> None:
    boc = locate(BANKS["boc"], [["交易日期", "交易金额", "付款人名称", "收款人名称"]])
    assert boc is not None and quick_reader(boc, None, {}) is None
    signed = locate(with_map(generic(), {"date": "日期", "amount": "金额"}), [["日期", "金额"]])
    assert signed is not None and quick_reader(signed, None, {}) is None


def test_cells_that_are_not_text_take_the_general_way() -> None:
    quick = quick_reader(_found(), None, {})  # type: ignore[arg-type]
    assert quick is not None
    assert quick(["20261105", "", 1200.5, "货款", "K1", "INV-1", "明达", "31"], 9) is None
    assert quick(["20261105", None, "1200", "货款", "K1", "INV-1", "明达", "31"], 9) is None
    assert quick(("20261105", "", "1200", "货款", "K1", "INV-1", "明达", "31"), 9) is not None
