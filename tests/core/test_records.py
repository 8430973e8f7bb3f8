"""core/records.py: each bad input becomes a ``(column, reason)`` problem; good rows come out clean."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.core.calendar import make_calendar
from huikuan.core.errors import InvalidValue
from huikuan.core.records import (
    Context,
    CustomerRef,
    InvoiceRef,
    check_contact,
    check_customer,
    check_invoice,
    check_payment,
    raise_problems,
)

CUSTOMERS = {
    "C001": CustomerRef(1, "C001", "NET30"),
    "C002": CustomerRef(2, "C002", None),
}
INVOICES = {
    "INV-1": InvoiceRef(10, 1, "CNY"),
    "INV-2": InvoiceRef(20, 2, "USD"),
}


@pytest.fixture
def ctx() -> Context:
    return Context("CNY", make_calendar("CN"), CUSTOMERS.get, INVOICES.get)


def columns(problems: list[tuple[str, str]]) -> list[str]:
    return [col for col, _ in problems]


# --- invoices --------------------------------------------------------------------------------


def invoice(**kw: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "number": "INV-100",
        "customer": "C001",
        "issue_date": "2026-09-01",
        "amount": "1,234.50",
    }
    row.update(kw)
    return row


def test_good_invoice_with_customer_default_terms(ctx: Context) -> None:
    rec, problems = check_invoice(invoice(), ctx)
    assert problems == []
    assert rec["number"] == "INV-100"
    assert rec["customer_id"] == 1
    assert rec["issue_date"] == "2026-09-01"
    assert rec["due_date"] == "2026-10-08"  # NET30 -> 10-01 国庆 -> 10-08
    assert rec["amount"] == 123450
    assert rec["currency"] == "CNY"
    assert rec["terms"] == "NET30"


def test_invoice_terms_column_wins_over_customer_default(ctx: Context) -> None:
    rec, problems = check_invoice(invoice(terms="月结30天", issue_date="2026/1/15"), ctx)
    assert problems == []
    assert rec["terms"] == "EOM30"
    assert rec["due_date"] == "2026-03-02"


def test_invoice_given_due_date_is_kept_even_on_a_holiday(ctx: Context) -> None:
    rec, problems = check_invoice(invoice(due_date="2026年10月1日", terms="NET30"), ctx)
    assert problems == []
    assert rec["due_date"] == "2026-10-01"
    assert rec["terms"] == "NET30"


def test_invoice_given_due_date_without_terms_stores_no_terms(ctx: Context) -> None:
    rec, problems = check_invoice(invoice(due_date="2026-12-01"), ctx)
    assert problems == []
    assert rec["due_date"] == "2026-12-01"
    assert rec["terms"] is None


def test_invoice_blank_due_date_uses_and_records_the_customer_terms(ctx: Context) -> None:
    for blank in ("", "   ", None):
        rec, problems = check_invoice(invoice(due_date=blank), ctx)
        assert problems == []
        assert rec["due_date"] == "2026-10-08"
        assert rec["terms"] == "NET30", repr(blank)


def test_invoice_values_are_stripped(ctx: Context) -> None:
    rec, problems = check_invoice(
        invoice(number=" INV-7 ", currency=" usd ", contract="  ", description=" 货款 "), ctx
    )
    assert problems == []
    assert rec["number"] == "INV-7"
    assert rec["currency"] == "USD"
    assert rec["contract"] is None
    assert rec["description"] == "货款"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("issue_date", "2026-02-30"),
        ("issue_date", "2025-02-29"),
        ("issue_date", "tomorrow"),
        ("issue_date", "31/12/2026"),
        ("due_date", "2026-13-01"),
        ("due_date", "next month"),
        ("amount", "-5"),
        ("amount", "0"),
        ("amount", "0.00"),
        ("amount", "abc"),
        ("amount", "12.345"),
        ("amount", "NaN"),
        ("amount", "12元5"),
        ("currency", "US"),
        ("currency", "usd1"),
        ("currency", "人民币"),
        ("terms", "NETX"),
        ("terms", "NET"),
        ("terms", "30天"),
        ("customer", "NOPE"),
        ("number", "N" * 65),
    ],
)
def test_invoice_bad_value_is_one_problem_in_its_column(
    ctx: Context, column: str, value: str
) -> None:
    _, problems = check_invoice(invoice(**{column: value}), ctx)
    assert columns(problems) == [column], problems
    assert problems[0][1]  # a reason, not just a column


@pytest.mark.parametrize("column", ["number", "customer", "issue_date", "amount"])
@pytest.mark.parametrize("missing", [None, "", "  "])
def test_invoice_required_columns(ctx: Context, column: str, missing: str | None) -> None:
    row = invoice(**{column: missing})
    _, problems = check_invoice(row, ctx)
    assert (column, "is required") in problems


def test_invoice_without_any_column_reports_every_required_one(ctx: Context) -> None:
    _, problems = check_invoice({}, ctx)
    assert sorted(columns(problems)) == ["amount", "customer", "issue_date", "number"]


def test_invoice_due_before_issue(ctx: Context) -> None:
    _, problems = check_invoice(invoice(due_date="2026-08-31"), ctx)
    assert problems == [("due_date", "2026-08-31 is before the issue date 2026-09-01")]


def test_invoice_due_on_issue_date_is_fine(ctx: Context) -> None:
    rec, problems = check_invoice(invoice(due_date="2026-09-01"), ctx)
    assert problems == [] and rec["due_date"] == "2026-09-01"


def test_invoice_without_due_date_or_terms(ctx: Context) -> None:
    _, problems = check_invoice(invoice(customer="C002"), ctx)
    assert columns(problems) == ["due_date"]
    assert "C002" in problems[0][1]


def test_invoice_unknown_terms_is_not_also_blamed_on_due_date(ctx: Context) -> None:
    _, problems = check_invoice(invoice(customer="C002", terms="NETX"), ctx)
    assert columns(problems) == ["terms"]


def test_invoice_every_bad_column_is_reported(ctx: Context) -> None:
    row = invoice(
        customer="NOPE", issue_date="2026-02-30", amount="-1", currency="US", terms="EOM-5"
    )
    _, problems = check_invoice(row, ctx)
    assert sorted(columns(problems)) == ["amount", "currency", "customer", "issue_date", "terms"]


def test_invoice_due_dates_are_cached_per_code_and_issue(ctx: Context) -> None:
    check_invoice(invoice(), ctx)
    assert ctx.due_cache == {("NET30", date(2026, 9, 1)): date(2026, 10, 8)}


# --- payments --------------------------------------------------------------------------------


def payment(**kw: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {"customer": "C001", "date": "2026/11/22", "amount": "¥500"}
    row.update(kw)
    return row


def test_good_payment(ctx: Context) -> None:
    rec, problems = check_payment(payment(reference=" B001 ", method="bank"), ctx)
    assert problems == []
    assert rec == {
        "customer_id": 1,
        "date": "2026-11-22",
        "amount": 50000,
        "currency": "CNY",
        "invoice_id": None,
        "reference": "B001",
        "method": "bank",
    }


def test_payment_naming_an_invoice_takes_its_currency(ctx: Context) -> None:
    rec, problems = check_payment(payment(customer="C002", invoice="INV-2"), ctx)
    assert problems == []
    assert rec["invoice_id"] == 20
    assert rec["currency"] == "USD"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("date", "2026-02-30"),
        ("date", "yesterday"),
        ("amount", "-100"),
        ("amount", "0"),
        ("amount", "1.001"),
        ("amount", "一百"),
        ("currency", "US"),
        ("currency", "dollars"),
        ("customer", "C999"),
        ("invoice", "INV-404"),
    ],
)
def test_payment_bad_value_is_one_problem_in_its_column(
    ctx: Context, column: str, value: str
) -> None:
    _, problems = check_payment(payment(**{column: value}), ctx)
    assert columns(problems) == [column], problems


@pytest.mark.parametrize("column", ["customer", "date", "amount"])
def test_payment_required_columns(ctx: Context, column: str) -> None:
    _, problems = check_payment(payment(**{column: ""}), ctx)
    assert problems == [(column, "is required")]


def test_payment_invoice_of_another_customer(ctx: Context) -> None:
    _, problems = check_payment(payment(invoice="INV-2"), ctx)
    assert columns(problems) == ["invoice"]
    assert "another customer" in problems[0][1]


def test_payment_currency_differs_from_invoice(ctx: Context) -> None:
    _, problems = check_payment(payment(invoice="INV-1", currency="usd"), ctx)
    assert columns(problems) == ["currency"]
    assert "USD" in problems[0][1] and "CNY" in problems[0][1]


def test_payment_currency_matching_invoice(ctx: Context) -> None:
    rec, problems = check_payment(payment(invoice="INV-1", currency="cny"), ctx)
    assert problems == [] and rec["currency"] == "CNY" and rec["invoice_id"] == 10


# --- customers -------------------------------------------------------------------------------


def test_good_customer() -> None:
    rec, problems = check_customer(
        {
            "code": "C001",
            "name": " 上海某某有限公司 ",
            "email": "ar@example.com",
            "language": "EN",
            "credit_limit": "100,000",
            "terms": "账期45天",
        }
    )
    assert problems == []
    assert rec["code"] == "C001"
    assert rec["name"] == "上海某某有限公司"
    assert rec["language"] == "en"
    assert rec["credit_limit"] == 10_000_000
    assert rec["terms"] == "NET45"


def test_customer_defaults() -> None:
    rec, problems = check_customer({"code": "C1", "name": "甲"})
    assert problems == []
    assert rec["language"] == "zh"
    assert rec["credit_limit"] is None and rec["terms"] is None and rec["email"] is None


def test_customer_credit_limit_may_be_zero() -> None:
    rec, problems = check_customer({"code": "C1", "name": "甲", "credit_limit": "0"})
    assert problems == [] and rec["credit_limit"] == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("code", "C 001"),
        ("code", "C,001"),
        ("code", "C" * 65),
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("language", "fr"),
        ("credit_limit", "-100"),
        ("credit_limit", "1.234"),
        ("credit_limit", "lots"),
        ("terms", "NET"),
        ("terms", "月结天"),
        ("name", "Evil\r\nBcc: victim@example.com"),
        ("name", "甲\x1b[31m"),
        ("name", "甲\u2028乙"),
        ("salesperson", "张\n三"),
        ("region", "华东\t" + "x"),
    ],
)
def test_customer_bad_value_is_one_problem_in_its_column(column: str, value: str) -> None:
    _, problems = check_customer({"code": "C1", "name": "甲", column: value})
    assert columns(problems) == [column], problems


def test_customer_required_columns() -> None:
    _, problems = check_customer({"segment": "KA"})
    assert problems == [("code", "is required"), ("name", "is required")]


# --- contacts and raise_problems -------------------------------------------------------------


def test_contact_roles() -> None:
    rec, problems = check_contact({"name": "王会计", "role": "Finance"})
    assert problems == [] and rec["role"] == "finance"
    rec, problems = check_contact({"name": "李总", "role": "decision-maker"})
    assert problems == [] and rec["role"] == "decision_maker"
    _, problems = check_contact({"name": "x", "role": "boss"})
    assert columns(problems) == ["role"]
    _, problems = check_contact({"name": "x"})
    assert problems == [("role", "is required")]


@pytest.mark.parametrize("column", ["name", "title", "phone", "wechat"])
def test_contact_fields_are_one_line(column: str) -> None:
    row = {"name": "王会计", "role": "finance", column: "x\ny"}
    _, problems = check_contact(row)
    assert columns(problems) == [column]


def test_contact_note_may_span_lines() -> None:
    rec, problems = check_contact({"name": "王会计", "role": "finance", "note": "a\nb"})
    assert problems == [] and rec["note"] == "a\nb"


def test_raise_problems() -> None:
    raise_problems([])  # nothing to say: no error
    with pytest.raises(InvalidValue) as info:
        raise_problems([("amount", "is required"), ("date", "is empty")])
    assert info.value.messages == ["amount: is required", "date: is empty"]
