"""``services.kpi`` without the CLI: the measures of one quarter, per salesperson with the
target, split by month; targets set (audited, replaced) and listed."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from service_helpers import CLOCK, MakeCtx
from store_helpers import Book

from huikuan.core.errors import NotFound
from huikuan.db.models import Audit
from huikuan.services.kpi import Target, kpi, set_target, targets
from huikuan.store.db import sa_of

Q4 = date(2026, 10, 1)
END = "2026-12-31"


@pytest.fixture
def sales(book: Book) -> Book:
    """王丽's S1: 1,000 open on 09-30, 2,000 invoiced on 10-10 (due 11-09), 1,000 paid on
    10-20 (to the older invoice, 49 days after its issue)."""
    book.customer("S1", salesperson="王丽")
    book.invoice("INV-1", "S1", "2026-09-01", "1000", due="2026-10-01")
    book.invoice("INV-2", "S1", "2026-10-10", "2000", due="2026-11-09")
    book.payment("S1", "2026-10-20", "1000")
    return book


def test_the_measures_of_a_quarter(sales: Book, make_ctx: MakeCtx) -> None:
    report = kpi(make_ctx(END), Q4)
    assert (report.first, report.last, report.period) == (Q4, date(2026, 12, 31), None)
    [row] = report.rows
    assert (row.period, row.key, row.currency) == (None, "all", "CNY")
    assert (row.credit_sales, row.collections, row.opening, row.closing) == (
        Decimal("2000.00"), Decimal("1000.00"), Decimal("1000.00"), Decimal("2000.00"),
    )  # fmt: skip
    assert (row.collection_rate, row.dso, row.cei, row.overdue_ratio, row.avg_days_to_pay) == (
        Decimal("33.33"), Decimal("92.0"), Decimal("33.33"), Decimal("100.00"), Decimal("49.0"),
    )  # fmt: skip
    assert (row.target, row.target_met) == (None, None)
    assert report.collections_by_period() == {}


def test_per_salesperson_with_the_quarters_target(sales: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(END)
    set_target(ctx, "王丽", "2026-Q4", Decimal("800"), "CNY")
    [row] = kpi(ctx, Q4, by="salesperson").rows
    assert (row.key, row.target, row.target_met) == ("王丽", Decimal("800.00"), True)
    set_target(ctx, "王丽", "2026-Q4", Decimal("1000.01"), "CNY")
    [row] = kpi(ctx, Q4, by="salesperson").rows
    assert (row.target, row.target_met) == (Decimal("1000.01"), False)
    [row] = kpi(ctx, date(2026, 11, 1), by="salesperson").rows
    assert row.target is None  # 11-01 .. 12-31 is not the period of the target


def test_split_by_month(sales: Book, make_ctx: MakeCtx) -> None:
    report = kpi(make_ctx(END), Q4, period="month")
    got = {r.period: (r.credit_sales, r.collections) for r in report.rows}
    assert got["2026-10"] == (Decimal("2000.00"), Decimal("1000.00"))
    assert set(got) <= {"2026-10", "2026-11", "2026-12"}
    assert all(v == (0, 0) for k, v in got.items() if k != "2026-10")
    per = report.collections_by_period()
    assert list(per) == ["CNY"] and per["CNY"][0] == ("2026-10", Decimal("1000.00"))
    assert sum(f for _, f in per["CNY"]) == Decimal("1000.00")


def test_targets_set_replaced_and_listed(sales: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(END)
    first = set_target(ctx, "王丽", "2026-Q4", Decimal("500000"), "CNY")
    assert first.replaced is None
    assert first.target == Target("王丽", "2026-Q4", "CNY", Decimal("500000.00"), "tester", CLOCK)
    again = set_target(ctx, "王丽", "2026-Q4", Decimal("600000.50"), "CNY")
    assert again.replaced == Decimal("500000.00")
    set_target(ctx, "王丽", "2027-01", Decimal("1"), "USD")
    assert [(t.period, t.currency, t.amount) for t in targets(ctx)] == [
        ("2026-Q4", "CNY", Decimal("600000.50")),
        ("2027-01", "USD", Decimal("1.00")),
    ]
    assert [t.period for t in targets(ctx, "2027-01")] == ["2027-01"]
    who = sa.select(Audit.username, Audit.key, Audit.detail).where(Audit.entity == "target")
    audited = sa_of(sales.conn).execute(who.order_by(Audit.id)).all()
    assert [(u, k, json.loads(d or "")["replaced"]) for u, k, d in audited] == [
        ("tester", "王丽", None),
        ("tester", "王丽", 50000000),
        ("tester", "王丽", None),
    ]


def test_an_unknown_salesperson_sets_nothing(sales: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(END)
    with pytest.raises(NotFound, match="张三"):
        set_target(ctx, "张三", "2026-Q4", Decimal("100"), "CNY")
    assert targets(ctx) == []
