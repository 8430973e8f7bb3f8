"""Issue 11: a payment without a currency takes the one its customer is invoiced in.

In the small ledger C002 is invoiced in USD only, C003 has no invoices (the ledger's default,
CNY, applies). C006 below is invoiced in CNY and EUR: it must say which.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def two_currencies(cli, small):
    cli("customer", "add", "C006", "Zeta")
    cli("invoice", "add", "Z-1", "C006", "100", "--issue-date", "2026-10-01", "--due-date", "2026-10-31")  # fmt: skip
    cli("invoice", "add", "Z-2", "C006", "200", "--currency", "EUR", "--issue-date", "2026-10-02", "--due-date", "2026-11-01")  # fmt: skip
    return small


def _last(cli, customer, kinds=()):
    rows = json.loads(cli("payment", "list", "--customer", customer, *kinds, "-f", "json").stdout)
    return rows[-1]


def test_payment_of_a_one_currency_customer_takes_that_currency(cli, small):
    out = cli("payment", "add", "C002", "100", "--date", "2026-11-22", "-f", "csv").stdout
    assert out == "invoice,amount,open_after\nINV-201,100.00,150.00\n"
    assert _last(cli, "C002")["currency"] == "USD"


def test_payment_of_a_customer_without_invoices_takes_the_ledger_default(cli, small):
    cli("payment", "add", "C003", "10", "--date", "2026-11-22")
    assert _last(cli, "C003")["currency"] == "CNY"


def test_payment_of_a_several_currency_customer_needs_the_currency(cli, two_currencies):
    before = cli.snapshot()
    assert cli.error("payment", "add", "C006", "50", "--date", "2026-11-22") == [
        "Error: currency: is required: customer C006 is invoiced in CNY, EUR"
        " (say which currency was paid)"
    ]
    assert cli.snapshot() == before
    out = cli("payment", "add", "C006", "50", "--currency", "EUR", "--date", "2026-11-22", "-f", "csv")  # fmt: skip
    assert out.stdout == "invoice,amount,open_after\nZ-2,50.00,150.00\n"
    cli("payment", "add", "C006", "30", "--invoice", "Z-1", "--date", "2026-11-22")  # its currency
    assert _last(cli, "C006")["currency"] == "CNY"


def test_credit_note_follows_the_same_rule(cli, two_currencies):
    cli("credit-note", "add", "C002", "20", "--date", "2026-11-22", "--number", "CN-9")
    assert _last(cli, "C002", ["--all"])["currency"] == "USD"
    [error] = cli.error("credit-note", "add", "C006", "20", "--date", "2026-11-22")
    assert error.startswith("Error: currency: is required: customer C006 is invoiced in CNY, EUR")


def test_import_rows_without_currency(cli, two_currencies, tmp_path):
    f = tmp_path / "payments.csv"
    f.write_text(
        "customer,date,amount,currency\n"
        "C002,2026-11-22,10,\n"  # USD only -> USD
        "C003,2026-11-22,10,\n"  # no invoices -> CNY
        "C006,2026-11-22,10,\n"  # CNY and EUR -> must say
        "C006,2026-11-22,10,EUR\n",
        encoding="utf-8",
    )
    before = cli.snapshot()
    assert cli.error("import", "payments", str(f)) == [
        f"Error: {f}:4: currency: is required: customer C006 is invoiced in CNY, EUR"
        " (say which currency was paid)"
    ]
    assert cli.snapshot() == before
    f.write_text(f.read_text(encoding="utf-8").replace("C006,2026-11-22,10,\n", ""), "utf-8")
    cli("import", "payments", str(f))
    rows = json.loads(cli("payment", "list", "--from", "2026-11-22", "-f", "json").stdout)
    assert [(r["customer"], r["currency"]) for r in rows] == [
        ("C002", "USD"),
        ("C003", "CNY"),
        ("C006", "EUR"),
    ]


def test_import_rows_without_a_currency_column(cli, small, tmp_path):
    f = tmp_path / "payments.jsonl"
    f.write_text('{"customer": "C002", "date": "2026-11-22", "amount": "5"}\n', "utf-8")
    cli("import", "payments", str(f))
    assert _last(cli, "C002")["currency"] == "USD"
