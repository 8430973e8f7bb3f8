"""``services.reports`` without the CLI: aging as of a day (groups, overdue only, top N),
open invoices with their buckets, and the statement of account as typed rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.aging import Buckets
from huikuan.core.errors import HuikuanError
from huikuan.services.reports import AgingQuery, aging, open_invoices, statement

DAY = "2026-11-20"
LABELS = ["current", "1-30", "31-60", "61-90", "91-180", "181-365", "365+"]


@pytest.fixture
def owes(book: Book) -> Book:
    """C1: INV-1 (1000, 200 paid on 10-15) and INV-2 (not due); C2: INV-3 (293 days late);
    C3: only an unapplied payment of 100 (09-15)."""
    book.customer("C1", "上海明达")
    book.customer("C2", "Acme")
    book.customer("C3", "苏州小厂")
    book.invoice("INV-1", "C1", "2026-09-01", "1000", due="2026-10-01")
    book.invoice("INV-2", "C1", "2026-11-01", "500", due="2026-12-01")
    book.invoice("INV-3", "C2", "2026-01-01", "300", due="2026-01-31")
    book.payment("C1", "2026-10-15", "200", invoice="INV-1", reference="B-1")
    book.payment("C3", "2026-09-15", "100")
    return book


def _amounts(**by_label: str) -> tuple[Decimal, ...]:
    """The bucket amounts; ``_31_60="800.00"`` is the 31-60 bucket, the others are 0."""
    names = [
        lab if lab[0].isalpha() else "_" + lab.replace("-", "_").replace("+", "") for lab in LABELS
    ]
    return tuple(Decimal(by_label.get(n, "0.00")) for n in names)


def test_aging_groups_buckets_and_credit(owes: Book, make_ctx: MakeCtx) -> None:
    report = aging(make_ctx(DAY), AgingQuery())
    assert report.labels == LABELS and report.count == 3
    got = [(r.key, r.name, r.currency, r.amounts, r.total, r.unapplied) for r in report.rows]
    assert got == [
        ("C1", "上海明达", "CNY", _amounts(current="500.00", _31_60="800.00"), Decimal("1300.00"), Decimal("0.00")),
        ("C2", "Acme", "CNY", _amounts(_181_365="300.00"), Decimal("300.00"), Decimal("0.00")),
        ("C3", "苏州小厂", "CNY", _amounts(), Decimal("0.00"), Decimal("100.00")),
    ]  # fmt: skip
    [total] = report.totals
    assert total.amounts == _amounts(current="500.00", _31_60="800.00", _181_365="300.00")
    assert (total.total, total.unapplied) == (Decimal("1600.00"), Decimal("100.00"))


def test_aging_as_of_an_earlier_day(owes: Book, make_ctx: MakeCtx) -> None:
    report = aging(make_ctx("2026-09-10"), AgingQuery())
    got = [(r.key, r.amounts, r.unapplied) for r in report.rows]
    assert got == [
        ("C1", _amounts(current="1000.00"), Decimal("0.00")),
        ("C2", _amounts(_181_365="300.00"), Decimal("0.00")),
    ]  # neither INV-2, nor the payments of 09-15 and 10-15, existed yet


def test_overdue_only_drops_groups_and_their_credit(owes: Book, make_ctx: MakeCtx) -> None:
    report = aging(make_ctx(DAY), AgingQuery(overdue_only=True))
    assert [(r.key, r.total) for r in report.rows] == [
        ("C1", Decimal("800.00")),
        ("C2", Decimal("300.00")),
    ]
    assert (report.totals[0].total, report.totals[0].unapplied) == (Decimal("1100.00"), 0)


def test_top_cuts_the_rows_not_the_totals(owes: Book, make_ctx: MakeCtx) -> None:
    report = aging(make_ctx(DAY), AgingQuery(top=1, by="customer"))
    assert [r.key for r in report.rows] == ["C1"] and report.count == 3
    assert report.totals[0].total == Decimal("1600.00")


def test_open_invoices_with_days_and_buckets(owes: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(DAY)
    got = [
        (i.number, i.customer, i.issue_date, i.due_date, i.days_overdue, i.open, i.bucket)
        for i in open_invoices(ctx, AgingQuery())
    ]
    assert got == [
        ("INV-3", "C2", date(2026, 1, 1), date(2026, 1, 31), 293, Decimal("300.00"), "181-365"),
        ("INV-1", "C1", date(2026, 9, 1), date(2026, 10, 1), 50, Decimal("800.00"), "31-60"),
        ("INV-2", "C1", date(2026, 11, 1), date(2026, 12, 1), 0, Decimal("500.00"), "current"),
    ]
    by_issue = AgingQuery(Buckets(basis="issue"), top=2)
    assert [(i.number, i.bucket) for i in open_invoices(ctx, by_issue)] == [
        ("INV-3", "181-365"),  # 323 days after issue
        ("INV-1", "61-90"),  # 80 days after issue
    ]


def test_statement_lines_and_balances(owes: Book, make_ctx: MakeCtx) -> None:
    found = statement(make_ctx(DAY), "C1")
    assert (found.customer, found.name, found.as_of, found.since) == (
        "C1", "上海明达", date(2026, 11, 20), None,
    )  # fmt: skip
    got = [(x.day, x.type, x.due_date, x.debit, x.credit, x.balance) for x in found.lines]
    assert got == [
        (date(2026, 9, 1), "invoice", date(2026, 10, 1), Decimal("1000.00"), 0, Decimal("1000.00")),
        (date(2026, 10, 15), "payment", None, 0, Decimal("200.00"), Decimal("800.00")),
        (date(2026, 11, 1), "invoice", date(2026, 12, 1), Decimal("500.00"), 0, Decimal("1300.00")),
    ]  # fmt: skip
    [b] = found.balances
    assert (b.currency, b.opening, b.invoiced, b.paid, b.balance) == (
        "CNY", 0, Decimal("1500.00"), Decimal("200.00"), Decimal("1300.00"),
    )  # fmt: skip


def test_statement_from_a_day_opens_with_the_balance(owes: Book, make_ctx: MakeCtx) -> None:
    found = statement(make_ctx(DAY), "C1", since=date(2026, 10, 1))
    assert [(x.type, x.balance) for x in found.lines] == [
        ("opening", Decimal("1000.00")),
        ("payment", Decimal("800.00")),
        ("invoice", Decimal("1300.00")),
    ]
    assert found.balances[0].opening == Decimal("1000.00")


def test_statement_of_an_unknown_customer_is_an_error(owes: Book, make_ctx: MakeCtx) -> None:
    with pytest.raises(HuikuanError, match="C9"):
        statement(make_ctx(DAY), "C9")
