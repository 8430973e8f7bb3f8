"""``services.interest`` without the CLI: interest per overdue invoice following partial
payments, totals per currency once the invoices are read, one customer, paid invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.errors import HuikuanError
from huikuan.services.interest import InterestTotal, late_interest

DAY = "2026-10-31"


@pytest.fixture
def late(book: Book) -> Book:
    """K1: 10,000 due 10-01 with 4,000 paid on 10-11, and 2,000 paid in full on time;
    K2: USD 1,000 due 10-21; K3: 500 paid in full on 10-11 (9 days of interest). Default rule: 0.05% a day."""
    for code in ("K1", "K2", "K3"):
        book.customer(code)
    book.invoice("A-1", "K1", "2026-09-01", "10000", due="2026-10-01")
    book.invoice("A-2", "K1", "2026-09-01", "2000", due="2026-10-01")
    book.payment("K1", "2026-09-30", "2000", invoice="A-2")
    book.payment("K1", "2026-10-11", "4000", invoice="A-1")
    book.invoice("B-1", "K2", "2026-09-21", "1000", due="2026-10-21", currency="USD")
    book.invoice("C-1", "K3", "2026-09-01", "500", due="2026-10-01")
    book.payment("K3", "2026-10-11", "500", invoice="C-1")
    return book


def test_interest_follows_partial_payments(late: Book, make_ctx: MakeCtx) -> None:
    report = late_interest(make_ctx(DAY))
    got = [(i.number, i.customer, i.currency, i.due_date, i.principal, i.open, i.days, i.interest)
           for i in report]  # fmt: skip
    assert got == [
        # from the day after due: 9 days on 10,000 (45.00), from the payment day 21 on 6,000 (63.00)
        ("A-1", "K1", "CNY", date(2026, 10, 1), Decimal("10000.00"), Decimal("6000.00"), 30, Decimal("108.00")),
        ("B-1", "K2", "USD", date(2026, 10, 21), Decimal("1000.00"), Decimal("1000.00"), 10, Decimal("5.00")),
    ]  # fmt: skip
    assert report.totals() == [
        InterestTotal("CNY", Decimal("6000.00"), Decimal("108.00")),
        InterestTotal("USD", Decimal("1000.00"), Decimal("5.00")),
    ]


def test_totals_only_after_the_invoices_are_read(late: Book, make_ctx: MakeCtx) -> None:
    report = late_interest(make_ctx(DAY))
    with pytest.raises(RuntimeError):
        report.totals()


def test_paid_late_invoices_on_request(late: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(DAY)
    assert [i.number for i in late_interest(ctx, "K3")] == []
    [paid] = list(late_interest(ctx, "K3", include_paid=True))
    assert (paid.number, paid.open, paid.days, paid.interest) == (
        "C-1", Decimal("0.00"), 9, Decimal("2.25"),
    )  # fmt: skip


def test_one_customer_and_an_unknown_one(late: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(DAY)
    assert [i.number for i in late_interest(ctx, "K2")] == ["B-1"]
    with pytest.raises(HuikuanError, match="K9"):
        late_interest(ctx, "K9")  # at once, not when the rows are read


def test_the_customers_own_rate(late: Book, make_ctx: MakeCtx) -> None:
    from huikuan.core.interest import make_interest

    policy = make_interest({"customers": {"K2": {"rate": "0.1%"}}})
    [b1] = list(late_interest(make_ctx(DAY, interest=policy), "K2"))
    assert b1.interest == Decimal("10.00")
