"""``invoice add|list|show|dispute|undispute``."""

from __future__ import annotations

import csv
import json

import pytest

AS_OF = "2026-11-22"
LIST_HEADER = "number,customer,issue_date,due_date,amount,open,currency,days_overdue,disputed"
OPEN_CSV = f"""{LIST_HEADER}
INV-103,C001,2025-06-01,2025-07-01,2000.00,1500.00,CNY,509,false
INV-501,C005,2026-03-01,2026-03-31,800.00,800.00,CNY,236,true
INV-201,C002,2026-06-01,2026-07-01,300.00,250.00,USD,144,false
INV-401,C004,2026-08-01,2026-08-31,900.00,800.00,CNY,83,false
INV-102,C001,2026-09-01,2026-10-01,1200.00,1200.00,CNY,52,false
INV-202,C002,2026-11-01,2026-11-21,1000.00,1000.00,USD,1,false
INV-101,C001,2026-10-01,2026-12-01,4400.00,4400.00,CNY,0,false
"""


def _numbers(cli, *args):
    out = cli("invoice", "list", "--as-of", AS_OF, *args, "--format", "csv").stdout
    return [row["number"] for row in csv.DictReader(out.splitlines())]


def _show(cli, number):
    return json.loads(cli("invoice", "show", number, "--format", "json").stdout)


def test_invoice_list_open_csv(cli, small):
    assert cli("invoice", "list", "--as-of", AS_OF, "--format", "csv").stdout == OPEN_CSV


def test_invoice_list_json_jsonl_and_table(cli, small):
    rows = json.loads(cli("invoice", "list", "--as-of", AS_OF, "--format", "json").stdout)
    assert rows[0] == {
        "number": "INV-103",
        "customer": "C001",
        "issue_date": "2025-06-01",
        "due_date": "2025-07-01",
        "amount": "2000.00",
        "open": "1500.00",
        "currency": "CNY",
        "days_overdue": 509,
        "disputed": False,
    }
    lines = cli("invoice", "list", "--as-of", AS_OF, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows
    assert [r["number"] for r in rows] == _numbers(cli)
    table = cli("invoice", "list", "--as-of", AS_OF).stdout
    assert "4,400.00" in table and "INV-202" in table
    assert "INV-502" not in table  # written off: nothing open


def test_invoice_list_statuses(cli, small):
    assert _numbers(cli, "--status", "all") == [
        "INV-103",
        "INV-501",
        "INV-502",
        "INV-201",
        "INV-401",
        "INV-102",
        "INV-202",
        "INV-101",
    ]
    assert _numbers(cli, "--status", "overdue") == [
        "INV-103",
        "INV-501",
        "INV-201",
        "INV-401",
        "INV-102",
        "INV-202",
    ]
    assert _numbers(cli, "--status", "overdue", "--as-of", "2026-10-15") == [
        "INV-103",
        "INV-501",
        "INV-201",
        "INV-401",
        "INV-102",
    ]
    assert _numbers(cli, "--status", "disputed") == ["INV-501"]
    assert _numbers(cli, "--customer", "C002") == ["INV-201", "INV-202"]


def test_invoice_add_due_date_from_the_customer_terms(cli, small):
    result = cli("invoice", "add", "INV-104", "C001", "12,000.50", "--issue-date", "2026-09-01")
    assert result.stdout == ""
    assert "2026-10-08" in result.stderr  # NET30 rolled past the 国庆 holidays
    inv = _show(cli, "INV-104")
    assert (inv["amount"], inv["open"], inv["due_date"], inv["terms"], inv["currency"]) == (
        "12000.50",
        "12000.50",
        "2026-10-08",
        "NET30",
        "CNY",
    )


def test_invoice_add_with_terms_option_and_all_fields(cli, small):
    cli(
        "invoice",
        "add",
        "INV-301",
        "C003",
        "¥1,234.50",
        "--date",
        "2026年11月02日",
        "--terms",
        "账期30天",
        "--contract",
        "HT-2026-9",
        "--salesperson",
        "张三",
        "--description",
        "控制柜",
        "--milestone",
        "验收",
    )
    inv = _show(cli, "INV-301")
    assert inv["issue_date"] == "2026-11-02"
    assert inv["due_date"] == "2026-12-02"
    assert inv["terms"] == "NET30"
    assert inv["amount"] == "1234.50"
    assert (inv["contract"], inv["salesperson"], inv["description"], inv["milestone"]) == (
        "HT-2026-9",
        "张三",
        "控制柜",
        "验收",
    )


def test_invoice_add_uses_unapplied_credit(cli, small):
    cli(
        "invoice",
        "add",
        "INV-301",
        "C003",
        "30",
        "--issue-date",
        "2026-10-01",
        "--due-date",
        "2026-10-31",
    )
    inv = _show(cli, "INV-301")
    assert inv["open"] == "0.00"
    assert [a["amount"] for a in inv["allocations"]] == ["30.00"]
    pays = json.loads(cli("payment", "list", "--customer", "C003", "-f", "json").stdout)
    assert [p["unapplied"] for p in pays] == ["70.00"]


def test_invoice_add_in_another_currency(cli, small):
    cli(
        "invoice",
        "add",
        "INV-203",
        "C002",
        "99.99",
        "--issue-date",
        "2026-11-01",
        "--currency",
        "usd",
    )
    assert _show(cli, "INV-203")["currency"] == "USD"


def test_invoice_show(cli, small):
    assert _show(cli, "INV-103") == {
        "number": "INV-103",
        "customer": "C001",
        "issue_date": "2025-06-01",
        "due_date": "2025-07-01",
        "amount": "2000.00",
        "open": "1500.00",
        "currency": "CNY",
        "terms": None,
        "salesperson": None,
        "disputed": False,
        "dispute_reason": None,
        "contract": None,
        "description": None,
        "milestone": None,
        "allocations": [
            {
                "date": "2025-08-01",
                "kind": "payment",
                "amount": "500.00",
                "reference": "B2025080100001",
                "method": "bank",
            }
        ],
    }
    assert [a["kind"] for a in _show(cli, "INV-401")["allocations"]] == ["credit_note"]
    assert [a["kind"] for a in _show(cli, "INV-502")["allocations"]] == ["write_off"]
    table = cli("invoice", "show", "INV-103").stdout
    assert "Invoice INV-103" in table and "Applied" in table and "B2025080100001" in table
    fields = list(
        csv.DictReader(cli("invoice", "show", "INV-103", "-f", "csv").stdout.splitlines())
    )
    assert {"field": "open", "value": "1500.00"} in fields
    lines = cli("invoice", "show", "INV-103", "-f", "jsonl").stdout.splitlines()
    assert {"field": "number", "value": "INV-103"} in [json.loads(line) for line in lines]


def test_dispute_and_undispute(cli, small):
    result = cli("invoice", "dispute", "INV-102", "--reason", "质量问题: 3 units returned")
    assert result.stdout == "" and "INV-102" in result.stderr
    inv = _show(cli, "INV-102")
    assert inv["disputed"] is True
    assert inv["dispute_reason"] == "质量问题: 3 units returned"
    assert _numbers(cli, "--status", "disputed") == ["INV-501", "INV-102"]
    cli("invoice", "undispute", "INV-501")
    assert _show(cli, "INV-501")["disputed"] is False
    assert _numbers(cli, "--status", "disputed") == ["INV-102"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["invoice", "show", "NOPE"], ["NOPE"]),
        (["invoice", "dispute", "NOPE", "--reason", "x"], ["NOPE"]),
        (["invoice", "undispute", "NOPE"], ["NOPE"]),
        (["invoice", "list", "--customer", "C999"], ["C999"]),
        (["invoice", "list", "--as-of", "2026-13-01"], ["--as-of"]),
    ],
)
def test_invoice_errors(cli, small, args, words):
    before = cli.snapshot()
    [error] = cli.error(*args)
    for word in words:
        assert word in error
    assert cli.snapshot() == before


def test_invoice_add_without_any_terms(cli, small):
    before = cli.snapshot()
    [error] = cli.error("invoice", "add", "INV-301", "C003", "10", "--issue-date", "2026-09-01")
    assert error.startswith("Error: due_date:")
    assert cli.snapshot() == before


def test_dispute_needs_a_reason(cli, small):
    cli.error("invoice", "dispute", "INV-101", code=2)
    assert _show(cli, "INV-101")["disputed"] is False
