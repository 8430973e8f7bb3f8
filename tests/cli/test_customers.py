"""``customer add|list|show|edit|block|unblock`` and ``contact add|list``."""

from __future__ import annotations

import csv
import json

import pytest

LIST_HEADER = "code,name,segment,region,salesperson,terms,credit_limit,blocked,legal"
SMALL_CUSTOMERS_CSV = f"""{LIST_HEADER}
C001,上海明达机械有限公司,制造,华东,王丽,NET30,,false,false
C002,Acme Inc,贸易,海外,Bob,NET30,,false,false
C003,苏州小厂,制造,华东,王丽,,,false,false
C004,Delta,科技,华南,李娜,,,false,false
C005,Epsilon,科技,华南,李娜,,,false,false
"""


def _codes(cli, *args):
    return [
        row["code"] for row in csv.DictReader(cli(*args, "--format", "csv").stdout.splitlines())
    ]


def test_customer_add_and_show(cli, ledger):
    result = cli(
        "customer",
        "add",
        "C010",
        "杭州新客户有限公司",
        "--credit-limit",
        "200,000",
        "--email",
        "ap@example.cn",
        "--phone",
        "0571-1234",
        "--language",
        "EN",
        "--terms",
        "月结60天",
        "--segment",
        "贸易",
        "--region",
        "华东",
        "--salesperson",
        "王丽",
    )
    assert result.stdout == ""
    assert "C010" in result.stderr
    doc = json.loads(cli("customer", "show", "C010", "--format", "json").stdout)
    created = doc.pop("created_at")
    assert created
    assert doc == {
        "code": "C010",
        "name": "杭州新客户有限公司",
        "segment": "贸易",
        "region": "华东",
        "salesperson": "王丽",
        "email": "ap@example.cn",
        "phone": "0571-1234",
        "language": "en",
        "credit_limit": "200000.00",
        "terms": "EOM60",
        "dunning_policy": None,
        "blocked": False,
        "blocked_reason": None,
        "legal": False,
        "contacts": [],
        "balances": [],
    }


def test_customer_list_csv(cli, small):
    assert cli("customer", "list", "--format", "csv").stdout == SMALL_CUSTOMERS_CSV


def test_customer_list_json_and_jsonl_agree_with_csv(cli, small):
    rows = list(csv.DictReader(SMALL_CUSTOMERS_CSV.splitlines()))
    as_json = json.loads(cli("customer", "list", "--format", "json").stdout)
    lines = cli("customer", "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == as_json
    assert len(as_json) == len(rows)
    assert as_json[0] == {
        "code": "C001",
        "name": "上海明达机械有限公司",
        "segment": "制造",
        "region": "华东",
        "salesperson": "王丽",
        "terms": "NET30",
        "credit_limit": None,
        "blocked": False,
        "legal": False,
    }
    assert [r["code"] for r in as_json] == [r["code"] for r in rows]


def test_customer_list_table(cli, small):
    out = cli("customer", "list").stdout
    for header in LIST_HEADER.split(","):
        assert header in out
    for code in ("C001", "C002", "C003", "C004", "C005"):
        assert code in out
    assert "上海明达机械有限公司" in out


def test_customer_list_filters(cli, small):
    assert _codes(cli, "customer", "list", "--salesperson", "王丽") == ["C001", "C003"]
    assert _codes(cli, "customer", "list", "--segment", "科技") == ["C004", "C005"]
    assert _codes(cli, "customer", "list", "--blocked") == []


def test_empty_lists(cli, ledger):
    assert cli("customer", "list", "--format", "csv").stdout == LIST_HEADER + "\n"
    assert cli("customer", "list", "--format", "jsonl").stdout == ""
    assert json.loads(cli("customer", "list", "--format", "json").stdout) == []
    assert "(none)" in cli("customer", "list").stdout


def test_customer_show_balances(cli, small):
    doc = json.loads(
        cli("customer", "show", "C001", "--as-of", "2026-11-22", "--format", "json").stdout
    )
    assert doc["balances"] == [
        {
            "currency": "CNY",
            "invoiced": "7600.00",
            "open": "7100.00",
            "overdue": "2700.00",
            "unapplied": "0.00",
        }
    ]
    usd = json.loads(cli("customer", "show", "C002", "--as-of", "2026-11-22", "-f", "json").stdout)
    assert usd["balances"] == [
        {
            "currency": "USD",
            "invoiced": "1300.00",
            "open": "1250.00",
            "overdue": "1250.00",
            "unapplied": "0.00",
        }
    ]


def test_customer_show_unapplied_credit_without_invoices(cli, small):
    doc = json.loads(cli("customer", "show", "C003", "--as-of", "2026-11-22", "-f", "json").stdout)
    assert [(b["currency"], b["unapplied"]) for b in doc["balances"]] == [("CNY", "100.00")]


def test_customer_show_table_and_other_formats(cli, small):
    out = cli("customer", "show", "C001", "--as-of", "2026-11-22").stdout
    assert "Customer C001" in out
    assert "Contacts" in out and "Balances as of 2026-11-22" in out
    assert "7,100.00" in out  # money is grouped in tables
    rows = list(csv.DictReader(cli("customer", "show", "C001", "-f", "csv").stdout.splitlines()))
    assert {"field": "name", "value": "上海明达机械有限公司"} in rows
    lines = cli("customer", "show", "C001", "-f", "jsonl").stdout.splitlines()
    assert {"field": "terms", "value": "NET30"} in [json.loads(line) for line in lines]


def test_customer_edit_changes_only_what_is_given(cli, small):
    before = json.loads(cli("customer", "show", "C004", "-f", "json").stdout)
    cli("customer", "edit", "C004", "--terms", "NET45", "--credit-limit", "300000")
    after = json.loads(cli("customer", "show", "C004", "-f", "json").stdout)
    assert after["terms"] == "NET45"
    assert after["credit_limit"] == "300000.00"
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"terms", "credit_limit"}


def test_customer_edit_empty_string_clears_a_field(cli, small):
    cli("customer", "edit", "C001", "--segment", "")
    assert json.loads(cli("customer", "show", "C001", "-f", "json").stdout)["segment"] is None


def test_customer_edit_legal_flag(cli, small):
    cli("customer", "edit", "C002", "--legal")
    row = json.loads(cli("customer", "show", "C002", "-f", "json").stdout)
    assert row["legal"] is True
    cli("customer", "edit", "C002", "--no-legal")
    assert json.loads(cli("customer", "show", "C002", "-f", "json").stdout)["legal"] is False


def test_customer_edit_new_terms_apply_to_new_invoices(cli, small):
    cli("customer", "edit", "C004", "--terms", "NET30")
    result = cli("invoice", "add", "INV-402", "C004", "100", "--issue-date", "2026-11-02")
    assert "2026-12-02" in result.stderr


def test_block_and_unblock(cli, small):
    result = cli("customer", "block", "C004", "--reason", "120 days overdue")
    assert result.stdout == "" and "C004" in result.stderr
    assert _codes(cli, "customer", "list", "--blocked") == ["C004"]
    assert "C004" not in _codes(cli, "customer", "list", "--not-blocked")
    doc = json.loads(cli("customer", "show", "C004", "-f", "json").stdout)
    assert doc["blocked"] is True and doc["blocked_reason"] == "120 days overdue"
    cli("customer", "unblock", "C004")
    assert _codes(cli, "customer", "list", "--blocked") == []
    assert json.loads(cli("customer", "show", "C004", "-f", "json").stdout)["blocked"] is False


def test_block_needs_a_reason(cli, small):
    before = cli.snapshot()
    cli.error("customer", "block", "C004", code=2)
    assert cli.snapshot() == before


# --- contacts -------------------------------------------------------------------------------


def test_contacts(cli, small):
    cli("contact", "add", "C001", "赵总", "--role", "decision_maker", "--title", "总经理")
    result = cli("contact", "add", "C001", "李会计", "--role", "Finance", "--phone", "13800000000")
    assert result.stdout == "" and "李会计" in result.stderr
    cli("contact", "add", "C002", "Tom Li", "--email", "tom@example.com", "--wechat", "tomli")
    assert cli("contact", "list", "--format", "csv").stdout == (
        "customer,name,role,title,phone,email,wechat,note\n"
        "C001,李会计,finance,,13800000000,,,\n"
        "C001,赵总,decision_maker,总经理,,,,\n"
        "C002,Tom Li,other,,,tom@example.com,tomli,\n"
    )
    only = [
        json.loads(line)
        for line in cli("contact", "list", "C002", "-f", "jsonl").stdout.splitlines()
    ]
    assert only == [
        {
            "customer": "C002",
            "name": "Tom Li",
            "role": "other",
            "title": None,
            "phone": None,
            "email": "tom@example.com",
            "wechat": "tomli",
            "note": None,
        }
    ]
    assert json.loads(cli("contact", "list", "C002", "-f", "json").stdout) == only
    table = cli("contact", "list", "C001").stdout
    assert "李会计" in table and "赵总" in table and "Tom Li" not in table
    shown = json.loads(cli("customer", "show", "C001", "-f", "json").stdout)["contacts"]
    assert [c["name"] for c in shown] == ["李会计", "赵总"]


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["customer", "add", "C001", "again"], ["C001", "already exists"]),
        (["customer", "add", "C 9", "spaces"], ["code"]),
        (["customer", "add", "C009", "x", "--email", "not-mail"], ["email"]),
        (["customer", "add", "C009", "x", "--terms", "SOMETIME"], ["terms", "SOMETIME"]),
        (["customer", "add", "C009", "x", "--credit-limit", "abc"], ["credit_limit"]),
        (["customer", "show", "C999"], ["C999"]),
        (["customer", "edit", "C999", "--segment", "x"], ["C999"]),
        (["customer", "edit", "C001"], ["nothing to change"]),
        (["customer", "edit", "C001", "--email", "bad"], ["email"]),
        (["customer", "edit", "C001", "--terms", "NET-X"], ["terms"]),
        (["customer", "block", "C999", "--reason", "x"], ["C999"]),
        (["customer", "unblock", "C999"], ["C999"]),
        (["contact", "add", "C999", "Bob"], ["C999"]),
        (["contact", "add", "C001", "Bob", "--email", "bob"], ["email"]),
    ],
)
def test_customer_errors(cli, small, args, words):
    before = cli.snapshot()
    [error] = cli.error(*args)
    for word in words:
        assert word in error
    assert cli.snapshot() == before
