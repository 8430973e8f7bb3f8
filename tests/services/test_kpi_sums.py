"""``kpi`` sums by period position (one grouped pass, running sums in Python) against the
per-bound SQL they replaced, on a generated ledger: invoices with and without their own
salesperson, payments before and after the invoices (credit applied to later invoices),
credit notes, write-offs, voids (with and without allocations taken back) and reversed
payments, over months, quarters and odd single periods, for every grouping."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.errors import HuikuanError
from huikuan.core.kpi import Sums, split
from huikuan.db.dialect import days_between, greatest
from huikuan.db.tables import allocation, customer, invoice, payment
from huikuan.services.corrections import reverse_payment, void_invoice
from huikuan.services.kpi import KpiText, kpi, set_target
from huikuan.store import kpi as K
from huikuan.store.collections import fen_sum
from huikuan.store.db import sa_of

START = date(2025, 10, 1)
SPANS = (
    (date(2026, 1, 1), date(2026, 6, 30), "month"),
    (date(2025, 11, 15), date(2026, 8, 10), "quarter"),
    (date(2026, 2, 15), date(2026, 3, 20), None),
    (date(2026, 7, 1), date(2026, 7, 1), "month"),
)


def _day(rng: random.Random, span: int = 300) -> str:
    return (START + timedelta(days=rng.randrange(span))).isoformat()


@pytest.fixture
def ledger(book: Book, make_ctx: MakeCtx) -> Book:
    """Four customers, 60 invoices, 45 payments, notes, write-offs, voids and reversals,
    entered in date order (as a ledger is kept) from a fixed seed."""
    rng = random.Random(12)
    for n, (sp, seg) in enumerate((("王丽", "A"), ("", "B"), ("李强", ""), ("王丽", "A"))):
        book.customer(f"C{n}", salesperson=sp, segment=seg, region="华东" if n % 2 else "")
    events = [(_day(rng), "invoice", n) for n in range(60)]
    events += [(_day(rng), "payment", n) for n in range(45)]
    events += [(_day(rng), kind, n) for n in range(6) for kind in ("note", "off", "void", "rev")]
    for day, kind, n in sorted(events):
        _event(book, make_ctx, rng, day, kind, n)
    return book


def _event(book: Book, make_ctx: MakeCtx, rng: random.Random, day: str, kind: str, n: int) -> None:
    cust, cur = f"C{rng.randrange(4)}", "USD" if rng.random() < 0.2 else "CNY"
    if kind == "invoice":
        sp = rng.choice((None, None, "赵六"))
        book.invoice(f"I{n:02}", cust, day, str(rng.randrange(1, 50) * 100), currency=cur,
                     terms=rng.choice(("NET30", "NET60", "NET0")), salesperson=sp)  # fmt: skip
    elif kind == "payment":
        book.payment(cust, day, str(rng.randrange(1, 60) * 100), currency=cur)
    elif kind == "note":
        book.payment(cust, day, "150", currency=cur, kind="credit_note")
    else:
        _correction(book, make_ctx, rng, day, kind)


def _correction(book: Book, make_ctx: MakeCtx, rng: random.Random, day: str, kind: str) -> None:
    """A write-off, void or reversal of something already there (skipped when refused)."""
    numbers = [
        r[0] for r in book.execute("SELECT number FROM invoice WHERE issue_date <= ?", [day])
    ]
    pays = [r[0] for r in book.execute("SELECT id FROM payment WHERE kind = 'payment' AND date <= ? AND reversed_on IS NULL", [day])]  # fmt: skip
    try:
        if kind == "off" and numbers:
            book.write_off(rng.choice(numbers), day)
        elif kind == "void" and numbers:
            void_invoice(make_ctx(day), rng.choice(numbers), "wrong", reverse_allocations=True)
        elif kind == "rev" and pays:
            reverse_payment(make_ctx(day), str(rng.choice(pays)), "bounced")
    except HuikuanError:
        pass  # e.g. nothing open to write off, or already void


@pytest.mark.parametrize("by", K.KEYS)
def test_sums_by_position_equal_the_sums_at_each_bound(ledger: Book, by: str) -> None:
    conn = ledger.conn
    kinds = {r[0] for r in ledger.execute("SELECT kind FROM payment")}
    assert kinds == {"payment", "credit_note", "write_off", "void"}
    assert ledger.execute("SELECT count(*) FROM payment WHERE reversed_on IS NOT NULL")[0][0]
    early = "SELECT count(*) FROM allocation a JOIN invoice i ON i.id = a.invoice_id WHERE a.date < i.issue_date"  # fmt: skip
    assert ledger.execute(early)[0][0]  # credit applied to an invoice issued later
    for first, last, unit in SPANS:
        periods = split(first, last, unit)
        got = K.kpi_sums(conn, by, periods)
        assert got == _reference(conn, by, periods), (first, last, unit)
        assert len(got) >= len(periods)


@pytest.mark.parametrize("by", [None, "salesperson", "customer"])
def test_the_text_lines_are_the_decimal_lines_written_out(
    ledger: Book, make_ctx: MakeCtx, by: str | None
) -> None:
    ctx = make_ctx("2026-08-10")
    set_target(ctx, "王丽", "2026-Q2", Decimal("300"), "CNY")
    set_target(ctx, "李强", "2026-Q2", Decimal("99999"), "CNY")
    for first, unit in ((date(2026, 1, 1), "month"), (date(2026, 4, 1), "quarter"),
                        (date(2025, 11, 15), None)):  # fmt: skip
        report = kpi(ctx, first, by, unit)
        lines = list(report.rows)
        texts = [(None if v is None else str(v) for v in r[3:13]) for r in lines]
        want = [
            KpiText(r.period, r.key, r.currency, *t, r.target_met) for r, t in zip(lines, texts)
        ]
        assert list(report.texts()) == want and len(want) >= 2
    assert {r.target_met for r in lines} == {None}
    if by == "salesperson":
        rows = kpi(ctx, date(2026, 4, 1), by, "quarter").rows
        q2 = {r.key: r.target_met for r in rows if (r.period, r.currency) == ("2026-Q2", "CNY")}
        assert q2["王丽"] is True and q2["李强"] is False


# --- the per-bound SQL, as it was ------------------------------------------------------------


def _reference(conn: Any, by: str, periods: K.Periods) -> dict[tuple[str, str, str], Sums]:
    out: dict[tuple[str, str, str], Sums] = {}
    db = sa_of(conn)
    _balances(db, by, periods, out)
    for k, cur, j, paid, days in db.execute(_collections(by, periods)):
        s = out.setdefault((k, cur, periods[j][0]), Sums())
        s.collections = s.paid = paid
        s.paid_days = int(days)
    return out


def _at_bounds(bounds: list[date], value: Any, later: Any = None) -> list[Any]:
    i = invoice.c
    cols = []
    for b in bounds:
        issued = i.issue_date <= b if later is None else sa.and_(later > b, i.issue_date <= b)
        cols += [K._sum_if(issued, value), K._sum_if(sa.and_(issued, i.due_date >= b), value)]
    return cols


def _statements(by: str, periods: K.Periods) -> tuple[Any, ...]:
    bounds = K._bounds(periods)
    i, a, key, last = invoice.c, allocation.c, K.group_key(by).label("k"), bounds[-1]
    base = sa.select(key, i.currency).join_from(invoice, customer, customer.c.id == i.customer_id)
    now = base.add_columns(*_at_bounds(bounds, i.open_amount))
    now = now.where(i.open_amount > sa.literal_column("0"), i.issue_date <= last)
    paid = sa.select(key, i.currency, *_at_bounds(bounds, a.amount, a.date))
    paid = paid.select_from(allocation).join(invoice, i.id == a.invoice_id)
    paid = paid.join(customer, customer.c.id == i.customer_id)
    paid = paid.where(a.date > bounds[0], i.issue_date <= last)
    sold = base.add_columns(
        *(
            K._sum_if(i.issue_date.between(p[1], bounds[k + 1]), i.amount)
            - K._sum_if(i.voided_on.between(p[1], bounds[k + 1]), i.amount)
            for k, p in enumerate(periods)
        )
    )
    first = periods[0][1]
    sold = sold.where(sa.or_(i.issue_date.between(first, last), i.voided_on.between(first, last)))
    groups = (i.currency,) if by == "all" else (key, i.currency)
    return tuple(q.group_by(*groups) for q in (now, paid, sold))


def _balances(db: Any, by: str, periods: K.Periods, out: dict[Any, Sums]) -> None:
    n = len(periods) + 1
    now, paid, sold = _statements(by, periods)
    at: dict[tuple[str, str], list[int]] = {}
    for stmt in (now, paid):
        for row in db.execute(stmt):
            sums = at.setdefault((row[0], row[1]), [0] * (2 * n))
            for j, fen in enumerate(row[2:]):
                sums[j] += fen or 0
    sales = {(row[0], row[1]): [fen or 0 for fen in row[2:]] for row in db.execute(sold)}
    for k, cur in sorted(at.keys() | sales.keys()):
        vals, sold_in = at.get((k, cur), [0] * (2 * n)), sales.get((k, cur), [0] * (n - 1))
        for j, (label, _, _) in enumerate(periods):
            s = Sums(credit_sales=sold_in[j], opening=vals[2 * j], closing=vals[2 * (j + 1)])
            s.closing_current = vals[2 * (j + 1) + 1]
            if s.credit_sales or s.opening or s.closing:
                out[(k, cur, label)] = s


def _collections(by: str, periods: K.Periods) -> Any:
    a, i = allocation.c, invoice.c
    when = greatest(a.date, i.issue_date)
    which = sa.case(*((when <= p[2], j) for j, p in enumerate(periods)))
    paid_on = sa.case((a.amount < 0, payment.c.date), else_=a.date)
    days = greatest(sa.literal_column("0"), days_between(i.issue_date, paid_on))
    rows = (
        sa.select(K.group_key(by).label("k"), i.currency, which.label("j"), a.amount,
                  (sa.cast(a.amount, sa.Float) * days).label("fen_days"))
        .select_from(allocation)
        .join(payment, sa.and_(payment.c.id == a.payment_id, payment.c.kind == "payment"))
        .join(invoice, i.id == a.invoice_id)
        .join(customer, customer.c.id == i.customer_id)
        .where(when.between(periods[0][1], periods[-1][2]))
        .subquery("r")
    ).c  # fmt: skip
    return sa.select(rows.k, rows.currency, rows.j, fen_sum(rows.amount),
                     sa.func.sum(rows.fen_days)).group_by(rows.k, rows.currency, rows.j)  # fmt: skip
