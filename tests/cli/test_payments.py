"""``payment add|list``, ``credit-note add``, ``write-off add``."""

from __future__ import annotations

import csv
import json

import pytest

PAYMENTS_HEADER = (
    "id,date,customer,kind,amount,currency,invoice,reference,method,unapplied,reversed_on"
)


def _open(cli, number):
    return json.loads(cli("invoice", "show", number, "-f", "json").stdout)["open"]


def test_payment_named_invoice_first_then_oldest_due(cli, small):
    result = cli(
        "payment",
        "add",
        "C001",
        "8,000",
        "--date",
        "2026-11-20",
        "--invoice",
        "INV-101",
        "--reference",
        "2026112000017",
        "--method",
        "bank",
        "--format",
        "csv",
    )
    assert result.stdout == (
        "invoice,amount,open_after\n"
        "INV-101,4400.00,0.00\n"
        "INV-103,1500.00,0.00\n"
        "INV-102,1200.00,0.00\n"
        "(unapplied credit),900.00,\n"
    )
    assert "Recorded payment for C001" in result.stderr
    assert [_open(cli, n) for n in ("INV-101", "INV-102", "INV-103")] == ["0.00"] * 3
    rows = json.loads(cli("payment", "list", "--customer", "C001", "-f", "json").stdout)
    assert rows[-1] == {
        "id": 6,
        "date": "2026-11-20",
        "customer": "C001",
        "kind": "payment",
        "amount": "8000.00",
        "currency": "CNY",
        "invoice": "INV-101",
        "reference": "2026112000017",
        "method": "bank",
        "unapplied": "900.00",
        "reversed_on": None,
    }


def test_a_bank_reference_is_recorded_once_per_customer(cli, small):
    add = ("payment", "add", "C001", "100", "--date", "2026-11-20", "--reference", "R-77")
    cli(*add)
    before = cli.snapshot()
    assert cli.error(*add) == [
        "Error: a payment with reference 'R-77' is already recorded for this customer"
        " (2026-11-20, CNY 100.00)"
    ]
    assert cli.snapshot() == before
    cli("payment", "add", "C003", "100", "--date", "2026-11-20", "--reference", "R-77")


def test_partial_payment_goes_to_the_oldest_due(cli, small):
    out = cli("payment", "add", "C001", "600", "--date", "2026-11-20", "-f", "json").stdout
    assert json.loads(out) == [{"invoice": "INV-103", "amount": "600.00", "open_after": "900.00"}]
    lines = cli("payment", "add", "C001", "1000", "--date", "2026-11-21", "-f", "jsonl").stdout
    assert [json.loads(line) for line in lines.splitlines()] == [
        {"invoice": "INV-103", "amount": "900.00", "open_after": "0.00"},
        {"invoice": "INV-102", "amount": "100.00", "open_after": "1100.00"},
    ]
    table = cli("payment", "add", "C001", "100", "--date", "2026-11-21").stdout
    assert "Applied to" in table and "INV-102" in table and "1,000.00" in table


def test_payment_in_usd_stays_in_usd(cli, small):
    out = cli(
        "payment", "add", "C002", "1300", "--currency", "USD", "--date", "2026-11-21", "-f", "csv"
    )
    assert out.stdout == (
        "invoice,amount,open_after\n"
        "INV-201,250.00,0.00\n"
        "INV-202,1000.00,0.00\n"
        "(unapplied credit),50.00,\n"
    )


def test_payment_list(cli, small):
    assert cli("payment", "list", "--format", "csv").stdout == (
        f"{PAYMENTS_HEADER}\n"
        "1,2025-08-01,C001,payment,500.00,CNY,INV-103,B2025080100001,bank,0.00,\n"
        "2,2026-08-01,C002,payment,50.00,USD,INV-201,W-77,,0.00,\n"
        "3,2026-09-15,C003,payment,100.00,CNY,,,,100.00,\n"
    )
    assert cli("payment", "list", "--all", "--format", "csv").stdout == (
        f"{PAYMENTS_HEADER}\n"
        "1,2025-08-01,C001,payment,500.00,CNY,INV-103,B2025080100001,bank,0.00,\n"
        "2,2026-08-01,C002,payment,50.00,USD,INV-201,W-77,,0.00,\n"
        "4,2026-09-10,C004,credit_note,100.00,CNY,INV-401,CN-1,,0.00,\n"
        "3,2026-09-15,C003,payment,100.00,CNY,,,,100.00,\n"
        "5,2026-11-01,C005,write_off,600.00,CNY,INV-502,,,0.00,\n"
    )
    rows = json.loads(cli("payment", "list", "--format", "json").stdout)
    lines = cli("payment", "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows
    assert [r["customer"] for r in rows] == ["C001", "C002", "C003"]
    table = cli("payment", "list").stdout
    assert "B2025080100001" in table and "W-77" in table


@pytest.mark.parametrize(
    ("args", "customers"),
    [
        (["--from", "2026-01-01"], ["C002", "C003"]),
        (["--to", "2026-08-01"], ["C001", "C002"]),
        (["--from", "2026-08-02", "--to", "2026-09-15"], ["C003"]),
        (["--customer", "C002"], ["C002"]),
        (["--customer", "C004", "--all"], ["C004"]),
    ],
)
def test_payment_list_filters(cli, small, args, customers):
    out = cli("payment", "list", *args, "-f", "csv").stdout
    assert [r["customer"] for r in csv.DictReader(out.splitlines())] == customers


def test_credit_note(cli, small):
    result = cli(
        "credit-note",
        "add",
        "C001",
        "200",
        "--invoice",
        "INV-102",
        "--date",
        "2026-11-21",
        "--number",
        "CN-2",
        "--reason",
        "price adjustment",
        "-f",
        "csv",
    )
    assert result.stdout == "invoice,amount,open_after\nINV-102,200.00,1000.00\n"
    assert "credit note" in result.stderr
    assert _open(cli, "INV-102") == "1000.00"
    cash = cli("payment", "list", "--customer", "C001", "-f", "csv").stdout
    assert "CN-2" not in cash  # kept apart from cash
    everything = cli("payment", "list", "--customer", "C001", "--all", "-f", "csv").stdout
    assert "2026-11-21,C001,credit_note,200.00,CNY,INV-102,CN-2,,0.00" in everything
    assert "CN-2" not in cli("export", "payments").stdout


def test_write_off_whole_and_partial(cli, small):
    result = cli(
        "write-off",
        "add",
        "INV-102",
        "--reason",
        "partly lost",
        "--amount",
        "200",
        "--date",
        "2026-11-21",
    )
    assert result.stdout == "" and "200.00" in result.stderr
    assert _open(cli, "INV-102") == "1000.00"
    result = cli(
        "write-off", "add", "INV-102", "--reason", "debtor deregistered", "--date", "2026-11-22"
    )
    assert "1000.00" in result.stderr
    assert _open(cli, "INV-102") == "0.00"
    kinds = json.loads(cli("invoice", "show", "INV-102", "-f", "json").stdout)["allocations"]
    assert [(a["kind"], a["amount"]) for a in kinds] == [
        ("write_off", "200.00"),
        ("write_off", "1000.00"),
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["payment", "add", "C999", "100", "--date", "2026-11-01"], ["customer", "C999"]),
        (["payment", "add", "C001", "0", "--date", "2026-11-01"], ["amount"]),
        (["payment", "add", "C001", "abc", "--date", "2026-11-01"], ["amount"]),
        (["payment", "add", "C001", "1.234", "--date", "2026-11-01"], ["amount"]),
        (["payment", "add", "C001", "--date", "2026-11-01", "--", "-5"], ["amount"]),
        (["payment", "add", "C001", "100", "--date", "2026-02-30"], ["date", "2026-02-30"]),
        (["payment", "add", "C001", "100", "--currency", "US"], ["currency"]),
        (["payment", "add", "C002", "10", "--invoice", "INV-101"], ["invoice", "INV-101"]),
        (["payment", "add", "C001", "10", "--invoice", "NOPE"], ["invoice", "NOPE"]),
        (
            ["payment", "add", "C002", "10", "--invoice", "INV-201", "--currency", "CNY"],
            ["currency", "USD"],
        ),
        (["payment", "list", "--from", "2026-02-30"], ["--from"]),
        (["payment", "list", "--customer", "C999"], ["C999"]),
        (["credit-note", "add", "C999", "100"], ["C999"]),
        (["credit-note", "add", "C001", "0"], ["amount"]),
        (["write-off", "add", "NOPE", "--reason", "x"], ["NOPE"]),
        (["write-off", "add", "INV-502", "--reason", "x"], ["nothing open"]),
        (["write-off", "add", "INV-102", "--reason", "x", "--amount", "5000"], ["exceeds"]),
        (["write-off", "add", "INV-102", "--reason", "x", "--amount", "-5"], ["-5"]),
        (["write-off", "add", "INV-102", "--reason", "x", "--amount", "0"], ["zero"]),
        (["write-off", "add", "INV-102", "--reason", "x", "--amount", "abc"], ["abc"]),
        (["write-off", "add", "INV-102", "--reason", "x", "--date", "2026-02-30"], ["--date"]),
    ],
)
def test_payment_errors(cli, small, args, words):
    before = cli.snapshot()
    [error] = cli.error(*args)
    for word in words:
        assert word in error
    assert cli.snapshot() == before
