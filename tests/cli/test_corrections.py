"""Corrections, never deletions: ``invoice void|edit``, ``payment reverse``, ``contact
edit|remove`` and ``audit`` (the small ledger of conftest.py, as of 2026-11-22)."""

from __future__ import annotations

import csv
import io
import json

AS_OF = "2026-11-22"  # the small ledger's day (tests/cli/conftest.py)


def _aging(cli, as_of: str) -> dict[str, str]:
    """Customer (CNY) -> total open as of the day."""
    rows = json.loads(cli("aging", "--as-of", as_of, "-f", "json").stdout)["rows"]
    return {r["key"]: r["total"] for r in rows if r["currency"] == "CNY"}


def _detail(cli, as_of: str) -> dict[str, str]:
    rows = json.loads(cli("aging", "--as-of", as_of, "--detail", "-f", "json").stdout)
    return {r["number"]: r["open"] for r in rows}


def _open(cli, number: str) -> str:
    return json.loads(cli("invoice", "show", number, "-f", "json").stdout)["open"]


# --- invoice void ------------------------------------------------------------------------


def test_void_is_refused_while_something_is_applied(cli, small):
    before = cli.snapshot()
    assert cli.error("invoice", "void", "INV-103", "--reason", "typo") == [
        "Error: invoice INV-103 has CNY 500.00 applied to it; pass --reverse-allocations to"
        " free it as credit (re-applied by the allocation rule)"
    ]
    assert cli.snapshot() == before


def test_void_closes_the_invoice_from_its_date_and_keeps_the_past(cli, small):
    r = cli("invoice", "void", "INV-102", "--reason", "wrong customer", "--date", "2026-11-25")
    assert r.stderr == "Voided invoice INV-102 (CNY 1200.00)\n"
    assert _open(cli, "INV-102") == "0.00"
    assert _aging(cli, "2026-11-24")["C001"] == "7100.00"  # 4400 + 1200 + 1500
    assert _aging(cli, "2026-11-25")["C001"] == "5900.00"
    assert "INV-102" in _detail(cli, "2026-11-24") and "INV-102" not in _detail(cli, "2026-11-25")
    assert cli.error("invoice", "void", "INV-102", "--reason", "again") == [
        "Error: invoice INV-102 is already void (since 2026-11-25)"
    ]
    assert cli("remind", "plan", "--as-of", "2026-11-30", "-f", "json").stdout.count("INV-102") == 0


def test_void_with_reverse_allocations_reapplies_the_credit(cli, small):
    r = cli(
        "invoice", "void", "INV-103", "--reason", "duplicate", "--reverse-allocations",
        "--date", "2026-11-25",
    )  # fmt: skip
    assert r.stderr == (
        "Voided invoice INV-103 (CNY 2000.00)\n"
        "Freed 500.00 of payment 1 as credit\n"
        "Applied 500.00 of payment 1 to invoice INV-102\n"
    )
    assert _open(cli, "INV-102") == "700.00"
    assert _detail(cli, "2026-11-24")["INV-103"] == "1500.00"  # the past as it was
    assert _detail(cli, "2026-11-25")["INV-102"] == "700.00"
    shown = json.loads(cli("invoice", "show", "INV-103", "-f", "json").stdout)["allocations"]
    assert [(a["date"], a["kind"], a["amount"]) for a in shown] == [
        ("2025-08-01", "payment", "500.00"),
        ("2026-11-25", "payment", "-500.00"),
        ("2026-11-25", "void", "2000.00"),
    ]
    cli("doctor")


def test_void_errors(cli, small):
    assert cli.error("invoice", "void", "NOPE", "--reason", "x") == [
        "Error: unknown invoice 'NOPE' (see `huikuan invoice list`)"
    ]
    assert cli.error("invoice", "void", "INV-101", "--reason", "  ") == [
        "Error: --reason: must not be empty"
    ]
    assert cli.error("invoice", "void", "INV-101", code=2)[0].startswith("Error: Missing option")
    assert cli.error("invoice", "void", "INV-101", "--reason", "x", "--date", "2026-09-30") == [
        "Error: the void date 2026-09-30 is before the invoice's issue date 2026-10-01"
    ]
    assert cli.error("invoice", "void", "INV-502", "--reason", "x", "--reverse-allocations") == [
        "Error: invoice INV-502 has a write-off; a written-off invoice is not voided"
    ]


def test_statement_shows_the_void_and_nets_it_out_of_invoiced(cli, small):
    cli("invoice", "void", "INV-102", "--reason", "wrong customer", "--date", "2026-11-25")
    doc = json.loads(cli("statement", "C001", "--as-of", "2026-11-30", "-f", "json").stdout)
    assert doc["lines"][-1] == {
        "date": "2026-11-25", "type": "void", "reference": "INV-102", "due_date": None,
        "currency": "CNY", "debit": "0.00", "credit": "1200.00", "balance": "5900.00",
    }  # fmt: skip
    assert doc["balances"][0]["invoiced"] == "6400.00"
    assert doc["balances"][0]["balance"] == "5900.00"


# --- invoice edit ------------------------------------------------------------------------


def test_invoice_edit_fields_and_amount(cli, small):
    r = cli(
        "invoice", "edit", "INV-101", "--due-date", "2026-12-31", "--description", "机床",
        "--amount", "4,500", "--reason", "per contract",
    )  # fmt: skip
    assert r.stderr == "Updated invoice INV-101: due_date, description, amount\n"
    info = json.loads(cli("invoice", "show", "INV-101", "-f", "json").stdout)
    assert (info["due_date"], info["description"], info["amount"], info["open"]) == (
        "2026-12-31", "机床", "4500.00", "4500.00",
    )  # fmt: skip
    cli("invoice", "edit", "INV-101", "--description", "", "--reason", "clear it")
    assert json.loads(cli("invoice", "show", "INV-101", "-f", "json").stdout)["description"] is None


def test_invoice_edit_errors(cli, small):
    before = cli.snapshot()
    assert cli.error("invoice", "edit", "INV-103", "--amount", "3000", "--reason", "x") == [
        "Error: invoice INV-103 has CNY 500.00 applied to it: its amount can only change while"
        " nothing is applied (reverse the payments first)"
    ]
    assert cli.error("invoice", "edit", "INV-101", "--due-date", "2026-09-01", "--reason", "x") == [
        "Error: due date 2026-09-01 is before the issue date 2026-10-01"
    ]
    assert cli.error("invoice", "edit", "INV-101", "--reason", "x") == [
        "Error: nothing to change (give at least one option, see --help)"
    ]
    assert cli.error("invoice", "edit", "INV-101", "--amount", "-5", "--reason", "x") == [
        "Error: --amount: must not be negative: '-5'"
    ]
    assert cli.snapshot() == before


# --- payment reverse ---------------------------------------------------------------------


def test_payment_reverse_by_reference_reopens_from_its_date(cli, small):
    r = cli("payment", "reverse", "B2025080100001", "--reason", "退票", "--date", "2026-11-23")
    assert r.stderr == (
        "Reversed payment 1 of C001 (CNY 500.00)\nInvoice INV-103 open again by 500.00\n"
    )
    assert _open(cli, "INV-103") == "2000.00"
    assert _aging(cli, AS_OF)["C001"] == "7100.00"
    assert _aging(cli, "2026-11-23")["C001"] == "7600.00"
    rows = list(csv.DictReader(io.StringIO(cli("payment", "list", "-f", "csv").stdout)))
    assert [(r["id"], r["reference"], r["reversed_on"]) for r in rows] == [
        ("1", "B2025080100001", "2026-11-23"),
        ("2", "W-77", ""),
        ("3", "", ""),
    ]
    assert cli.error("payment", "reverse", "1", "--reason", "again") == [
        "Error: payment 1 was already reversed on 2026-11-23"
    ]
    doc = json.loads(cli("statement", "C001", "--as-of", "2026-11-30", "-f", "json").stdout)
    assert doc["lines"][-1]["type"] == "reversal" and doc["lines"][-1]["debit"] == "500.00"
    assert doc["balances"][0]["paid"] == "0.00"
    assert doc["balances"][0]["balance"] == "7600.00"
    cli("doctor")


def test_reversed_credit_is_credit_until_it_bounced(cli, small):
    cli("payment", "reverse", "3", "--reason", "退票", "--date", "2026-11-23")
    rows = json.loads(cli("aging", "--as-of", AS_OF, "-f", "json").stdout)["rows"]
    assert next(r for r in rows if r["key"] == "C003")["unapplied"] == "100.00"
    rows = json.loads(cli("aging", "--as-of", "2026-11-23", "-f", "json").stdout)["rows"]
    assert all(r["key"] != "C003" for r in rows)


def test_payment_reverse_errors(cli, small):
    assert cli.error("payment", "reverse", "9", "--reason", "x") == [
        "Error: unknown payment '9' (see `huikuan payment list`)"
    ]
    assert cli.error("payment", "reverse", "4", "--reason", "x") == [
        "Error: payment 4 is a credit note, not money received; only payments are reversed"
    ]
    assert cli.error("payment", "reverse", "1", "--reason", "x", "--date", "2025-07-31") == [
        "Error: the reversal date 2025-07-31 is before the payment's date 2025-08-01"
    ]


def test_kpi_counts_a_reversal_in_its_own_period(cli, small):
    def collected(period: str) -> str:
        args = ("kpi", "--from", "2025-08-01", "--to", "2026-11-30", "--period", "month")
        rows = json.loads(cli(*args, "-f", "json").stdout)["rows"]
        return next(r for r in rows if r["period"] == period and r["currency"] == "CNY")[
            "collections"
        ]

    assert collected("2025-08") == "500.00"
    cli("payment", "reverse", "1", "--reason", "退票", "--date", "2026-11-23")
    assert collected("2025-08") == "500.00"  # a closed period is not rewritten
    assert collected("2026-11") == "-500.00"


def test_interest_runs_as_if_a_reversed_payment_was_never_made(cli, small):
    def interest(as_of: str) -> str:
        doc = json.loads(cli("interest", "--as-of", as_of, "-f", "json").stdout)
        return next(r for r in doc["rows"] if r["number"] == "INV-103")["interest"]

    interest_before_reversal = interest("2026-11-22")
    from datetime import date

    from huikuan.core.interest import InterestPolicy, accrue
    from huikuan.core.money import format_fen

    before = interest("2026-11-30")
    cli("payment", "reverse", "1", "--reason", "退票", "--date", "2026-11-23")
    never_paid = accrue(InterestPolicy().default, date(2025, 7, 1), 200000, [], date(2026, 11, 30))
    assert interest("2026-11-30") == format_fen(never_paid[3]) != before
    assert interest("2026-11-22") == interest_before_reversal
    cli("invoice", "void", "INV-102", "--reason", "wrong", "--date", "2026-11-25")
    doc = json.loads(cli("interest", "--as-of", "2026-11-30", "-f", "json").stdout)
    assert all(r["number"] != "INV-102" for r in doc["rows"])
    doc = json.loads(cli("interest", "--as-of", "2026-11-24", "-f", "json").stdout)
    assert any(r["number"] == "INV-102" for r in doc["rows"])


# --- contacts ----------------------------------------------------------------------------


def test_contact_edit_and_remove(cli, small):
    cli("contact", "add", "C001", "李会计", "--role", "财务", "--email", "li@example.com")
    cli("contact", "add", "C001", "王总", "--role", "decision_maker")
    r = cli("contact", "edit", "C001", "李会计", "--phone", "13900000000", "--reason", "new phone")
    assert r.stderr == "Updated contact 李会计 of C001: phone\n"
    r = cli("contact", "remove", "C001", "李会计", "--reason", "left the company")
    assert r.stderr == "Removed contact 李会计 of C001\n"
    assert cli("contact", "list", "C001", "-f", "csv").stdout == (
        "customer,name,role,title,phone,email,wechat,note\nC001,王总,decision_maker,,,,,\n"
    )
    shown = json.loads(cli("customer", "show", "C001", "-f", "json").stdout)["contacts"]
    assert [c["name"] for c in shown] == ["王总"]
    letter = cli("letter", "demand", "C001", "--as-of", AS_OF, "-f", "txt", "--draft").stdout
    assert "王总" in letter and "李会计" not in letter
    assert cli.error("contact", "remove", "C001", "李会计", "--reason", "x") == [
        "Error: C001 has no contact named '李会计' (see `huikuan contact list C001`)"
    ]


def test_contact_edit_needs_the_role_when_names_clash(cli, small):
    cli("contact", "add", "C001", "张三", "--role", "finance")
    cli("contact", "add", "C001", "张三", "--role", "purchasing")
    assert cli.error("contact", "edit", "C001", "张三", "--title", "经理", "--reason", "x") == [
        "Error: C001 has 2 contacts named 张三 (finance, purchasing): give --current-role"
    ]
    cli(
        "contact",
        "edit",
        "C001",
        "张三",
        "--title",
        "经理",
        "--current-role",
        "采购",
        "--reason",
        "x",
    )
    rows = list(csv.DictReader(io.StringIO(cli("contact", "list", "C001", "-f", "csv").stdout)))
    assert [(r["role"], r["title"]) for r in rows] == [("finance", ""), ("purchasing", "经理")]
    assert cli.error("contact", "edit", "C001", "张三", "--role", "boss", "--reason", "x", code=2)


# --- audit -------------------------------------------------------------------------------


def test_audit_lists_corrections_in_every_format(cli, small):
    cli("invoice", "void", "INV-102", "--reason", "wrong customer", "--date", "2026-11-25")
    rows = json.loads(cli("audit", "--entity", "invoice", "--key", "INV-102", "-f", "json").stdout)
    assert [r["action"] for r in rows] == ["add", "void"]
    void = rows[-1]
    assert (void["user"], void["entity"], void["key"]) == ("tester", "invoice", "INV-102")
    assert void["detail"]["reason"] == "wrong customer"
    assert void["detail"]["before"]["open"] == 120000
    assert void["detail"]["after"] == {"open": 0, "reapplied": [], "voided_on": "2026-11-25"}
    lines = cli("audit", "--entity", "invoice", "--key", "INV-102", "-f", "jsonl").stdout
    assert [json.loads(line) for line in lines.splitlines()] == rows
    text = cli("audit", "--entity", "invoice", "--key", "INV-102", "-f", "csv").stdout
    got = list(csv.DictReader(io.StringIO(text)))
    assert text.startswith("id,at,user,action,entity,key,detail\n")
    assert json.loads(got[-1]["detail"]) == void["detail"]
    table = cli("audit", "--key", "INV-102").stdout
    assert table.startswith("id ") and " void " in table
    assert json.loads(cli("audit", "--user", "nobody", "-f", "json").stdout) == []
    assert json.loads(cli("audit", "--since", "2199-01-01", "-f", "json").stdout) == []
    assert len(json.loads(cli("audit", "--since", "2000-01-01", "-f", "json").stdout)) > 10


def test_corrections_speak_chinese(cli, small, monkeypatch):
    monkeypatch.setenv("HUIKUAN_LANG", "zh")
    r = cli("invoice", "void", "INV-102", "--reason", "开错客户", "--date", "2026-11-25")
    assert r.stderr == "已作废应收单 INV-102（CNY 1200.00）\n"
    assert cli.error("payment", "reverse", "1", "--reason", "x", "--date", "2025-07-31") == [
        "Error: 冲销日期 2025-07-31 早于回款日期 2025-08-01"
    ]


def test_show_and_export_after_corrections(cli, small):
    assert "voided_on" not in json.loads(cli("invoice", "show", "INV-103", "-f", "json").stdout)
    cli("invoice", "void", "INV-103", "--reason", "dup", "--reverse-allocations", "--date", AS_OF)
    info = json.loads(cli("invoice", "show", "INV-103", "-f", "json").stdout)
    assert (info["voided_on"], info["void_reason"], info["open"]) == (AS_OF, "dup", "0.00")
    cli("payment", "reverse", "W-77", "--reason", "退票", "--date", AS_OF)
    invoices = cli("export", "invoices", "-f", "csv").stdout
    payments = cli("export", "payments", "-f", "csv").stdout
    assert "INV-103" not in invoices and "INV-102" in invoices
    assert payments.splitlines()[1:] == [
        "C001,2025-08-01,500.00,,CNY,B2025080100001,bank",  # its invoice is void
        "C003,2026-09-15,100.00,,CNY,,",
    ]  # the reversed W-77 is left out: an export re-imports as the ledger stands
