"""Issue 11: a credit note larger than the invoice's open amount needs ``--to-credit``; the
excess becomes the customer's credit (applied by the allocation rule), kept apart from cash."""

from __future__ import annotations

import json

CN = ("credit-note", "add")


def _open(cli, number):
    return json.loads(cli("invoice", "show", number, "-f", "json").stdout)["open"]


def test_credit_note_over_the_invoice_open_amount_is_refused(cli, small):
    before = cli.snapshot()
    assert cli.error(*CN, "C004", "1000", "--invoice", "INV-401", "--date", "2026-11-21") == [
        "Error: the credit note (CNY 1000.00) exceeds invoice INV-401's open amount"
        " (CNY 800.00); pass --to-credit to keep the excess (CNY 200.00) as the customer's credit"
    ]
    assert cli.snapshot() == before
    cli(*CN, "C004", "800", "--invoice", "INV-401", "--date", "2026-11-21")  # exactly: fine
    assert _open(cli, "INV-401") == "0.00"


def test_without_an_invoice_the_limit_is_the_customer_open_balance(cli, small):
    before = cli.snapshot()
    [error] = cli.error(*CN, "C004", "800.01", "--date", "2026-11-21")
    assert "exceeds the customer's open balance (CNY 800.00)" in error
    assert cli.error(*CN, "C003", "5", "--date", "2026-11-21") == [
        "Error: the credit note (CNY 5.00) exceeds the customer's open balance (CNY 0.00);"
        " pass --to-credit to keep the excess (CNY 5.00) as the customer's credit"
    ]
    assert cli.snapshot() == before


def test_to_credit_applies_the_excess_to_other_open_invoices_first(cli, small):
    args = ("C001", "1300", "--invoice", "INV-102", "--date", "2026-11-21", "--to-credit")
    out = cli(*CN, *args, "--number", "CN-7", "-f", "csv").stdout
    assert out == "invoice,amount,open_after\nINV-102,1200.00,0.00\nINV-103,100.00,1400.00\n"


def test_to_credit_keeps_the_rest_as_credit_for_later_invoices(cli, small):
    args = ("C004", "1000", "--invoice", "INV-401", "--date", "2026-11-21", "--to-credit")
    out = cli(*CN, *args, "--number", "CN-8", "-f", "csv").stdout
    assert out == "invoice,amount,open_after\nINV-401,800.00,0.00\n(unapplied credit),200.00,\n"
    aging = json.loads(cli("aging", "--as-of", "2026-11-22", "-f", "json").stdout)
    [row] = [r for r in aging["rows"] if r["key"] == "C004"]
    assert (row["total"], row["unapplied"]) == ("0.00", "200.00")
    # kept apart from cash
    assert "CN-8" not in cli("payment", "list", "-f", "csv").stdout
    assert "CN-8" not in cli("export", "payments").stdout
    statement = json.loads(cli("statement", "C004", "--as-of", "2026-11-22", "-f", "json").stdout)
    assert [(b["paid"], b["credited"]) for b in statement["balances"]] == [("0.00", "1100.00")]
    # a later invoice takes the credit
    cli("invoice", "add", "INV-402", "C004", "500", "--issue-date", "2026-11-22", "--due-date", "2026-12-22")  # fmt: skip
    assert _open(cli, "INV-402") == "300.00"
    assert json.loads(cli("doctor", "-f", "json").stdout)  # invariants hold (exit 0)


def test_a_credit_note_number_is_recorded_once_per_customer(cli, small):
    add = (*CN, "C001", "100", "--invoice", "INV-102", "--date", "2026-11-21", "--number", "CN-5")
    cli(*add)
    before = cli.snapshot()
    assert cli.error(*add) == [
        "Error: a credit note with number 'CN-5' is already recorded for this customer"
        " (2026-11-21, CNY 100.00)"
    ]
    assert cli.snapshot() == before
    cli("payment", "add", "C001", "100", "--date", "2026-11-21", "--reference", "CN-5")  # cash
