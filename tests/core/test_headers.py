"""Import headers: Chinese aliases (DESIGN §9), ``--map``, currency names."""

from __future__ import annotations

import pytest

from huikuan.core.errors import HuikuanError
from huikuan.core.headers import ALIASES, finds, map_header, named_currencies, parse_map
from huikuan.core.records import COLUMNS


@pytest.mark.parametrize(
    ("kind", "header", "column"),
    [
        ("customers", "客户编码", "code"),
        ("customers", "客户代码", "code"),
        ("invoices", "客户编码", "customer"),
        ("payments", "客户代码", "customer"),
        ("customers", "客户名称", "name"),
        ("invoices", "发票号", "number"),
        ("invoices", "发票号码", "number"),
        ("invoices", "单据编号", "number"),
        ("invoices", "开票日期", "issue_date"),
        ("invoices", "单据日期", "issue_date"),
        ("invoices", "到期日", "due_date"),
        ("invoices", "到期日期", "due_date"),
        ("invoices", "金额", "amount"),
        ("invoices", "价税合计", "amount"),
        ("invoices", "应收金额", "amount"),
        ("invoices", "账期", "terms"),
        ("customers", "付款条件", "terms"),
        ("invoices", "币种", "currency"),
        ("payments", "币别", "currency"),
        ("invoices", "合同号", "contract"),
        ("invoices", "业务员", "salesperson"),
        ("customers", "销售员", "salesperson"),
        ("invoices", "摘要", "description"),
        ("invoices", "备注", "description"),
        ("payments", "收款日期", "date"),
        ("payments", "收款金额", "amount"),
        ("payments", "银行流水号", "reference"),
        ("payments", "发票号码", "invoice"),
        ("customers", "联系电话", "phone"),
        ("customers", "邮箱", "email"),
        ("customers", "信用额度", "credit_limit"),
        ("customers", "地区", "region"),
        ("customers", "客户分类", "segment"),
        ("invoices", " Amount\u3000", "amount"),
    ],
)
def test_alias(kind: str, header: str, column: str) -> None:
    assert map_header(kind, [header], {}).columns == [column]


def test_every_alias_names_a_column_of_its_kind() -> None:
    for kind, aliases in ALIASES.items():
        assert set(aliases.values()) <= set(COLUMNS[kind]), kind


def test_unknown_headers_stay_as_they_are_and_two_names_for_one_column_fail() -> None:
    header = map_header("invoices", ["部门", "金额", "价税合计", "金额"], {})
    assert header.columns == ["部门", "amount", "amount", "amount"]
    assert header.problems == ["amount: the headers '金额' and '价税合计' both mean amount"]


def test_map() -> None:
    mapping = parse_map("number=应收单号， Amount = 本币金额 ,")
    assert mapping == {"应收单号": "number", "本币金额": "amount"}
    header = map_header("invoices", ["应收单号", "本币金额", "金额"], mapping)
    assert header.columns == ["number", "amount", "amount"]
    assert header.problems == ["amount: the headers '本币金额' and '金额' both mean amount"]
    assert map_header("invoices", ["x"], {"y": "amount", "x": "colour"}).problems == [
        "--map: colour: not a column of invoices (known: number, customer, issue_date, amount, "
        "due_date, terms, currency, contract, salesperson, description, milestone)",
        "--map: the file has no header 'y'",
    ]
    for bad in ("amount", "=x", "amount=", "a=x,b=x"):
        with pytest.raises(HuikuanError, match="--map"):
            parse_map(bad)


def test_finds_a_header_row() -> None:
    assert finds("invoices", ["单据编号", "客户编码", "单据日期", "价税合计"], {})
    assert not finds("invoices", ["应收账款明细表 2026年11月"], {})
    assert not finds("payments", ["客户编码", "收款日期"], {})
    assert finds("payments", ["客户编码", "收款日期", "到账"], {"到账": "amount"})


def test_named_currencies() -> None:
    rows = [
        (2, ["A", "人民币"]),
        (3, ["B", "美元"]),
        (4, ["C", "欧元"]),
        (5, ["D", "usd"]),
        (6, "bad"),
    ]
    assert list(named_currencies(iter(rows), ["number", "currency"])) == [
        (2, ["A", "CNY"]),
        (3, ["B", "USD"]),
        (4, ["C", "EUR"]),
        (5, ["D", "usd"]),
        (6, "bad"),
    ]
    assert list(named_currencies(iter(rows[:1]), ["number", "x"])) == rows[:1]
