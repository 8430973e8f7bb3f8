"""``services.provision`` and ``services.cost`` without the CLI.

Default policy (age from the issue date: within 1 year 5%, 1–2 years 20%, 2–3 years 50%, over
3 years 100%). As of 2026-06-30: C1 (机械) INV-A 10,000.00 of 2025-06-01 is 1–2 years old
(2,000.00); C2 (机械) INV-B 1,000.00 of 2026-05-01 is within a year (50.00); C3 (零售) INV-C
2,000.00 of 2023-01-01 is over 3 years old (2,000.00).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from service_helpers import CLOCK, MakeCtx
from store_helpers import Book

from huikuan.core.errors import Conflict, InvalidValue
from huikuan.services import cost, provision

DAY = "2026-06-30"
D = Decimal


def _ledger(book: Book) -> None:
    book.customer("C1", "明达机械", segment="机械")
    book.customer("C2", "Other Ltd", segment="机械")
    book.customer("C3", "零售商店", segment="零售")
    book.invoice("INV-A", "C1", "2025-06-01", "10000")
    book.invoice("INV-B", "C2", "2026-05-01", "1000")
    book.invoice("INV-C", "C3", "2023-01-01", "2000")


def _figures(found: provision.Provision) -> list[tuple[str, Decimal, Decimal]]:
    return [(line.key, line.open, line.provision) for line in found.lines]


def test_provision_per_customer_largest_first_with_totals(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    found = provision.provision(make_ctx(DAY))
    assert found.as_of == date(2026, 6, 30) and found.earlier is None
    assert _figures(found) == [
        ("C1", D("10000.00"), D("2000.00")),
        ("C3", D("2000.00"), D("2000.00")),
        ("C2", D("1000.00"), D("50.00")),
    ]
    assert found.lines[0].bands == [D("0.00"), D("10000.00"), D("0.00"), D("0.00")]
    assert len(found.labels) == 4 and found.lines[0].previous is None
    [total] = found.totals
    assert (total.currency, total.open, total.provision, total.previous) == (
        "CNY", D("13000.00"), D("4050.00"), None,
    )  # fmt: skip


def test_provision_by_segment_merges_the_customers(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    found = provision.provision(make_ctx(DAY), by="segment")
    assert _figures(found) == [
        ("机械", D("11000.00"), D("2050.00")),
        ("零售", D("2000.00"), D("2000.00")),
    ]


def test_a_day_is_booked_once_unless_replaced_with_a_reason(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    booked = provision.book(ctx)
    assert (booked.booked_at, booked.booked_by) == (CLOCK, "tester")
    assert _figures(booked.provision) == _figures(provision.provision(ctx))
    with pytest.raises(Conflict, match="already booked"):
        provision.book(ctx)
    with pytest.raises(InvalidValue, match="--replace needs --reason"):
        provision.book(ctx, replace=True, reason=" ")
    again = provision.book(ctx, replace=True, reason="late invoice")
    assert again.run > booked.run


def test_since_compares_with_the_booked_run_and_shows_reversals(
    book: Book, make_ctx: MakeCtx
) -> None:
    _ledger(book)
    run = provision.book(make_ctx(DAY)).run
    book.payment("C1", "2026-08-01", "10000", invoice="INV-A")
    found = provision.provision(make_ctx("2026-12-31"), since=date(2026, 6, 30))
    assert found.earlier is not None and found.earlier.run is not None
    assert found.earlier.run.id == run and found.earlier.notes[0].startswith("Compared with")
    changes = {line.key: (line.provision, line.previous, line.change) for line in found.lines}
    assert changes == {
        "C3": (D("2000.00"), D("2000.00"), D("0.00")),
        "C2": (D("50.00"), D("50.00"), D("0.00")),
        "C1": (D("0.00"), D("2000.00"), D("-2000.00")),  # paid: the provision is reversed
    }
    [total] = found.totals
    assert (total.provision, total.previous, total.change) == (
        D("2050.00"), D("4050.00"), D("-2000.00"),
    )  # fmt: skip


def test_since_without_a_booked_run_rebuilds_the_figures(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    found = provision.provision(make_ctx(DAY), since=date(2026, 1, 1))
    assert found.earlier is not None and found.earlier.run is None
    assert found.earlier.notes[0].startswith("No provision booked on or before 2026-01-01")
    previous = {line.key: line.previous for line in found.lines}
    assert previous == {"C1": D("500.00"), "C3": D("2000.00"), "C2": D("0.00")}
    with pytest.raises(InvalidValue, match="--since 2026-07-01 is after --as-of 2026-06-30"):
        provision.provision(make_ctx(DAY), since=date(2026, 7, 1))


def test_bad_debt_is_the_write_offs_and_the_provision(book: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(DAY)
    assert cost.bad_debt(ctx, D("0.10")) == []
    _ledger(book)
    book.write_off("INV-C", "2026-03-01")
    found = cost.bad_debt(ctx, D("0.10"))
    assert [(b.source, b.currency, b.amount, b.extra_sales) for b in found] == [
        ("written_off", "CNY", D("2000.00"), D("20000.00")),
        ("provision", "CNY", D("2050.00"), D("20500.00")),
    ]
    later = cost.bad_debt(ctx, D("0.10"), since=date(2026, 4, 1))
    assert [b.source for b in later] == ["provision"]
