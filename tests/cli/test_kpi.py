"""``kpi`` and ``target``: a hand-computed ledger, every measure written out.

=======  ====  ===========  ==========  ==========  ========  ===============================
invoice  cust  salesperson  issue       due         amount    what happens
=======  ====  ===========  ==========  ==========  ========  ===============================
I1       K1    甲           2026-05-10  2026-06-09   1000.00  400 paid 06-20; 600 paid 08-10
I2       K1    甲           2026-07-15  2026-08-14   2000.00  1000 paid 08-10; 200 written off 09-25
I3       K1    甲           2026-09-20  2026-10-20    500.00  open, not due on 09-30
I4       K2    乙           2026-08-01  2026-08-31    800.00  credit note 100 on 09-05
I5       K2    乙           2026-10-05  2026-11-04    300.00  after Q3; paid 10-10
U1       K3    丙 (USD)     2026-08-01  2026-08-31    100.00  paid 08-31
=======  ====  ===========  ==========  ==========  ========  ===============================

Payments: P1 K1 400 on 06-20 (oldest due: I1); P2 K1 1600 on 08-10 (I1 600, then I2 1000);
P3 K2 700 on 10-10 (I4 700... and nothing for I5); U1 paid 100 USD on 08-31.

Q3 2026 = 07-01 .. 09-30 (92 days), CNY, all customers:
- credit sales = I2 2000 + I3 500 + I4 800 = 3300.00
- opening (06-30) = I1 1000 - 400 = 600.00
- collections = P2 1600.00 (the credit note and the write-off are not cash)
- closing (09-30) = I2 800 + I3 500 + I4 700 = 2000.00, of which not yet due: I3 500
- 回款率 = 1600 / (600 + 3300) = 41.0256…% -> 41.03
- DSO = 2000 / 3300 × 92 = 55.757… -> 55.8
- CEI = (600 + 3300 - 2000) / (600 + 3300 - 500) = 1900 / 3400 = 55.882…% -> 55.88
- overdue ratio = (2000 - 500) / 2000 = 75.00
- days to pay: P2 600 to I1 (05-10 -> 08-10: 92 days), 1000 to I2 (07-15 -> 08-10: 26 days):
  (600 × 92 + 1000 × 26) / 1600 = 81200 / 1600 = 50.75 -> 50.8
Check: opening + sales - closing = 1900 = 1600 cash + 100 credit note + 200 written off.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

LEDGER = """
customer add K1 甲公司 --salesperson 甲 --segment 制造
customer add K2 乙公司 --salesperson 乙 --segment 贸易
customer add K3 Gamma --salesperson 丙 --segment 贸易
invoice add I1 K1 1000 --issue-date 2026-05-10 --due-date 2026-06-09
invoice add I2 K1 2000 --issue-date 2026-07-15 --due-date 2026-08-14
invoice add I3 K1 500 --issue-date 2026-09-20 --due-date 2026-10-20
invoice add I4 K2 800 --issue-date 2026-08-01 --due-date 2026-08-31
invoice add I5 K2 300 --issue-date 2026-10-05 --due-date 2026-11-04
invoice add U1 K3 100 --issue-date 2026-08-01 --due-date 2026-08-31 --currency USD
payment add K1 400 --date 2026-06-20
payment add K1 1600 --date 2026-08-10
credit-note add K2 100 --date 2026-09-05 --invoice I4
write-off add I2 --date 2026-09-25 --amount 200 --reason partial
payment add K2 700 --date 2026-10-10
payment add K3 100 --date 2026-08-31 --currency USD
"""
Q3 = ("--from", "2026-07-01", "--to", "2026-09-30")


@pytest.fixture
def book(cli: Any, ledger: Path) -> Any:
    for line in LEDGER.strip().splitlines():
        cli(*line.split())
    return cli


def kpi(cli: Any, *args: str) -> dict[str, Any]:
    return json.loads(cli("kpi", *args, "--format", "json").stdout)


def row(key: str, currency: str, **values: Any) -> dict[str, Any]:
    base = {"key": key, "currency": currency, "target": None, "target_met": None}
    return {**base, **values}


def test_kpi_whole_ledger_for_a_quarter(book: Any) -> None:
    doc = kpi(book, *Q3)
    assert (doc["from"], doc["to"]) == ("2026-07-01", "2026-09-30")
    assert doc["rows"] == [
        {"key": "all", "currency": "CNY", "credit_sales": "3300.00", "collections": "1600.00",
         "opening": "600.00", "closing": "2000.00", "collection_rate": "41.03", "dso": "55.8",
         "cei": "55.88", "overdue_ratio": "75.00", "avg_days_to_pay": "50.8",
         "target": None, "target_met": None},
        # USD: sales 100, paid 100 on 08-31 (30 days after issue), nothing open
        {"key": "all", "currency": "USD", "credit_sales": "100.00", "collections": "100.00",
         "opening": "0.00", "closing": "0.00", "collection_rate": "100.00", "dso": "0.0",
         "cei": "100.00", "overdue_ratio": None, "avg_days_to_pay": "30.0",
         "target": None, "target_met": None},
    ]  # fmt: skip


def test_kpi_by_salesperson_with_targets(book: Any) -> None:
    book("target", "set", "甲", "--period", "2026-q3", "--amount", "1,500")
    book("target", "set", "乙", "--period", "2026-Q3", "--amount", "500")
    rows = kpi(book, *Q3, "--by", "salesperson")["rows"]  # sorted by key: 丙 乙 甲
    assert rows[1:] == [
        # 乙: sales 800, nothing collected, closing 700 all overdue
        # 回款率 0 / 800 = 0.00; DSO 700 / 800 × 92 = 80.5; CEI (800 - 700) / 800 = 12.50
        row("乙", "CNY", credit_sales="800.00", collections="0.00", opening="0.00",
            closing="700.00", collection_rate="0.00", dso="80.5", cei="12.50",
            overdue_ratio="100.00", avg_days_to_pay=None, target="500.00", target_met=False),
        # 甲: sales 2500, opening 600, cash 1600, closing 800 + 500 (500 not due)
        # 回款率 1600 / 3100 = 51.61; DSO 1300 / 2500 × 92 = 47.84 -> 47.8;
        # CEI (3100 - 1300) / (3100 - 500) = 69.23; overdue 800 / 1300 = 61.54
        row("甲", "CNY", credit_sales="2500.00", collections="1600.00", opening="600.00",
            closing="1300.00", collection_rate="51.61", dso="47.8", cei="69.23",
            overdue_ratio="61.54", avg_days_to_pay="50.8", target="1500.00", target_met=True),
    ]  # fmt: skip
    assert rows[0]["key"] == "丙" and rows[0]["target"] is None
    # a target only shows for the period it was set for
    assert all(r["target"] is None for r in kpi(book, "--from", "2026-07-01", "--to", "2026-09-29", "--by", "salesperson")["rows"])  # fmt: skip


def test_kpi_per_quarter_is_a_trend(book: Any) -> None:
    rows = kpi(book, "--from", "2026-04-01", "--to", "2026-09-30", "--period", "quarter")["rows"]
    cny = [r for r in rows if r["currency"] == "CNY"]
    assert [r["period"] for r in cny] == ["2026-Q2", "2026-Q3"]
    # Q2 (91 days): sales I1 1000, cash 400 (41 days after issue), closing 600 all overdue
    assert cny[0] == {"period": "2026-Q2", **row(
        "all", "CNY", credit_sales="1000.00", collections="400.00", opening="0.00",
        closing="600.00", collection_rate="40.00", dso="54.6", cei="40.00",
        overdue_ratio="100.00", avg_days_to_pay="41.0")}  # fmt: skip
    assert cny[1]["opening"] == cny[0]["closing"] and cny[1]["collection_rate"] == "41.03"
    table = book("kpi", "--from", "2026-04-01", "--to", "2026-09-30", "--period", "quarter").stdout
    assert "CNY collections by quarter" in table and "1,600.00" in table


def test_kpi_months_clip_to_the_range(book: Any) -> None:
    rows = kpi(book, "--from", "2026-08-15", "--to", "2026-09-10", "--period", "month")["rows"]
    assert [r["period"] for r in rows if r["currency"] == "CNY"] == ["2026-08", "2026-09"]


def test_kpi_as_of_is_reproducible(book: Any) -> None:
    before = kpi(book, *Q3, "--by", "customer")
    book("invoice", "add", "LATE", "K1", "50", "--issue-date", "2026-10-20", "--due-date", "2026-11-19")  # fmt: skip
    book("payment", "add", "K1", "900", "--date", "2026-10-21")
    assert kpi(book, *Q3, "--by", "customer") == before


def test_kpi_formats(book: Any) -> None:
    csv = book("kpi", *Q3, "--by", "segment", "--format", "csv").stdout.splitlines()
    assert csv[0] == (
        "key,currency,credit_sales,collections,opening,closing,collection_rate,dso,cei,"
        "overdue_ratio,avg_days_to_pay,target,target_met"
    )
    assert csv[1].startswith("制造,CNY,2500.00,1600.00,600.00,1300.00,51.61,47.8,69.23,61.54,50.8,")
    lines = book("kpi", *Q3, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["currency"] for x in lines] == ["CNY", "USD"]
    assert "3,300.00" in book("kpi", *Q3).stdout


def test_targets_set_replace_and_list(book: Any) -> None:
    result = book("target", "set", "甲", "--period", "2026-Q4", "--amount", "10000")
    assert "Target for 甲 in 2026-Q4: CNY 10,000.00" in result.stderr
    result = book("target", "set", "甲", "--period", "2026-Q4", "--amount", "12000")
    assert "(was 10,000.00)" in result.stderr
    book("target", "set", "乙", "--period", "2026-11", "--amount", "99", "--currency", "usd")
    out = book("target", "list", "--format", "csv").stdout.splitlines()
    assert [line.split(",")[:4] for line in out] == [
        ["salesperson", "period", "currency", "amount"],
        ["乙", "2026-11", "USD", "99.00"],
        ["甲", "2026-Q4", "CNY", "12000.00"],
    ]
    assert len(book("target", "list", "--period", "2026-q4", "-f", "json").stdout.splitlines()) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpi", "--from", "2026-10-01", "--to", "2026-09-30"], "--from 2026-10-01 is after --to 2026-09-30"),
        (["kpi", "--from", "2026-02-30"], "--from"),
        (["target", "set", "Nobody", "--period", "2026-Q4", "--amount", "1"], "no customer or invoice has salesperson 'Nobody'"),
        (["target", "set", "甲", "--period", "2026-Q5", "--amount", "1"], "period must look like"),
        (["target", "set", "甲", "--period", "2026-Q4", "--amount", "-1"], "negative"),
        (["target", "set", "甲", "--period", "2026-Q4", "--amount", "0"], "greater than zero"),
    ],
)  # fmt: skip
def test_bad_input(book: Any, args: list[str], message: str) -> None:
    before = book("target", "list", "-f", "csv").stdout
    errors = book.error(*args)
    assert len(errors) == 1 and message in errors[0], errors
    assert book("target", "list", "-f", "csv").stdout == before
