"""Credit data in the ledger: payment history, exposure and holds, the risk view.

Stored assessments (5C scores, their adoption) are :mod:`huikuan.store.credit_assessments`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from huikuan.core.creditcheck import Standing
from huikuan.db.dialect import days_between, greatest
from huikuan.db.tables import allocation, customer, invoice, payment
from huikuan.store.credit_assessments import latest
from huikuan.store.db import Connection, sa_of
from huikuan.store.refs import require_customer
from huikuan.store.sums import fen_sum, fen_total

if TYPE_CHECKING:
    from huikuan.core.aging import Buckets
    from huikuan.core.credit import History

# Statements run once per customer are built once, with these parameters (SQLAlchemy then
# reuses their compiled form instead of building and keying a new statement every time).
_CID = sa.bindparam("cid", type_=sa.Integer())
_CUR = sa.bindparam("currency", type_=sa.String())
_AS_OF = sa.bindparam("as_of", type_=sa.Date())


def _total(value: Any) -> sa.ColumnElement[Any]:
    """``COALESCE(SUM(value), 0)``: an integer, or a float when ``value`` is one."""
    if isinstance(value.type, sa.Float):
        return sa.func.coalesce(sa.func.sum(value), 0)
    return fen_total(value)


def _real(value: Any) -> sa.ColumnElement[float]:
    """``value`` as floating point: 分 × days summed over a ledger overflows 64-bit integers."""
    return sa.cast(value, sa.Float)


CREDITS = ("payment", "credit_note")  # not write-offs, nor the adjustment of a void


def _standing(p: Any) -> sa.ColumnElement[bool]:
    """A payment not reversed (退票) by ``as_of``: one reversed later still counted then."""
    return sa.or_(p.reversed_on.is_(None), p.reversed_on > _AS_OF)


def _valid(i: Any) -> sa.ColumnElement[bool]:
    """An invoice not void by ``as_of`` (a voided invoice was never owed)."""
    return sa.or_(i.voided_on.is_(None), i.voided_on > _AS_OF)


@cache
def due_query() -> sa.Select[Any]:
    """Invoices due before ``as_of``: count, paid on time, worst and 分-days late, open 分."""
    i, a, p = invoice.c, allocation.c, payment.c
    paid = sa.select(_total(a.amount)).where(a.invoice_id == i.id, a.date <= _AS_OF)
    by_due = (
        sa.select(_total(a.amount))
        .join(payment, p.id == a.payment_id)
        .where(a.invoice_id == i.id, a.date <= i.due_date, p.kind.in_(CREDITS), _standing(p))
    )
    rows = (
        sa.select(
            i.amount,
            i.due_date,
            paid.scalar_subquery().label("paid"),
            by_due.scalar_subquery().label("paid_by_due"),
        )
        .where(i.customer_id == _CID, i.issue_date <= _AS_OF, i.due_date < _AS_OF, _valid(i))
        .subquery("r")
    )
    r = rows.c
    late = r.amount > r.paid
    days = days_between(r.due_date, _AS_OF)
    return sa.select(
        sa.func.count(),
        _total(sa.case((r.paid_by_due >= r.amount, 1), else_=0)),
        sa.func.coalesce(sa.func.max(sa.case((late, days))), 0),
        _total(sa.case((late, _real(r.amount - r.paid) * days))),
        _total(sa.case((late, r.amount - r.paid))),
    )


@cache
def late_paid_query() -> sa.Select[Any]:
    """分-days late and 分 of the cash paid by ``as_of`` on invoices due before it."""
    i, a, p = invoice.c, allocation.c, payment.c
    late = greatest(sa.literal_column("0"), days_between(i.due_date, a.date))
    return (
        sa.select(_total(_real(a.amount) * late), _total(a.amount))
        .select_from(invoice)
        .join(allocation, a.invoice_id == i.id)
        .join(payment, p.id == a.payment_id)
        .where(
            i.customer_id == _CID,
            i.issue_date <= _AS_OF,
            i.due_date < _AS_OF,
            a.date <= _AS_OF,
            p.kind == "payment",
            _standing(p),
            _valid(i),
        )
    )


@cache
def open_query() -> sa.Select[Any]:
    """``(number, due_date, open 分)`` of the customer's invoices open on ``as_of``."""
    i, a = invoice.c, allocation.c
    paid = sa.select(_total(a.amount)).where(a.invoice_id == i.id, a.date <= _AS_OF)
    rows = (
        sa.select(i.number, i.due_date, (i.amount - paid.scalar_subquery()).label("open"))
        .where(i.customer_id == _CID, i.currency == _CUR, i.issue_date <= _AS_OF)
        .subquery("r")
    )
    r = rows.c
    return sa.select(r.number, r.due_date, r.open).where(r.open > 0).order_by(r.due_date, r.number)


@cache
def unapplied_query() -> sa.Select[Any]:
    """Credit received by ``as_of`` less what was applied to invoices issued by then."""
    p, a, i = payment.c, allocation.c, invoice.c
    received = sa.select(_total(p.amount)).where(
        p.customer_id == _CID,
        p.currency == _CUR,
        p.date <= _AS_OF,
        p.kind.in_(CREDITS),
        _standing(p),
    )
    applied = (
        sa.select(_total(a.amount))
        .join(payment, p.id == a.payment_id)
        .join(invoice, i.id == a.invoice_id)
        .where(
            p.customer_id == _CID,
            p.currency == _CUR,
            p.date <= _AS_OF,
            p.kind.in_(CREDITS),
            _standing(p),
            a.date <= _AS_OF,
            i.issue_date <= _AS_OF,
        )
    )
    return sa.select(received.scalar_subquery() - applied.scalar_subquery())


@cache
def _currencies() -> sa.Select[Any]:
    i = invoice.c
    return sa.select(i.currency).where(i.customer_id == _CID).distinct().limit(2)


def limit_currency(conn: Connection, cid: int, default: str) -> str:
    """The currency of a customer's limit: its only invoice currency, else the ledger's."""
    rows = sa_of(conn).execute(_currencies(), {"cid": cid}).all()
    return str(rows[0][0]) if len(rows) == 1 else default


def history(conn: Connection, cid: int, currency: str, as_of: date) -> History:
    """The customer's payment record as of ``as_of`` (for the Character score)."""
    from huikuan.core.credit import History  # not needed by ``credit check``

    db = sa_of(conn)
    p = {"cid": cid, "as_of": as_of}
    due, on_time, worst, open_days, open_fen = db.execute(due_query(), p).one()
    paid_days, paid_fen = db.execute(late_paid_query(), p).one()
    disputes = db.execute(
        sa.select(sa.func.count()).where(invoice.c.customer_id == cid, invoice.c.disputed.is_(True))
    ).scalar_one()
    return History(
        invoices_due=due,
        paid_on_time=on_time,
        late_fen_days=int(paid_days + open_days),
        late_base_fen=int(paid_fen + open_fen),
        worst_overdue=int(worst),
        disputes=disputes,
        broken_promises=broken_promises(conn, cid, as_of),
        monthly_sales=monthly_sales(conn, cid, currency, as_of),
        terms=terms(conn, cid),
    )


def broken_promises(conn: Connection, cid: int, as_of: date) -> int:
    """Promises to pay broken by ``as_of`` (payments short of the amount by the date)."""
    from huikuan.store.collections import promises

    code = sa_of(conn).execute(sa.select(customer.c.code).where(customer.c.id == cid)).scalar_one()
    return sum(1 for p in promises(conn, as_of, code) if p["status"] == "broken")


def monthly_sales(conn: Connection, cid: int, currency: str, as_of: date) -> int | None:
    """Average monthly invoicing over the last 12 months (or since the first invoice)."""
    start = as_of - timedelta(days=365)
    i = invoice.c
    stmt = sa.select(sa.func.min(i.issue_date), fen_sum(i.amount)).where(
        i.customer_id == cid, i.currency == currency, i.issue_date > start, i.issue_date <= as_of
    )
    first, total = sa_of(conn).execute(stmt).one()
    if not total:
        return None
    days: int = (as_of - first).days + 1
    months = min(12, max(1, round(days / 30.4)))
    return int(total) // months


def open_invoices(
    conn: Connection, cid: int, currency: str, as_of: date
) -> list[tuple[str, str, int]]:
    """``(number, due_date, open 分)`` of the customer's invoices open as of ``as_of``."""
    p = {"cid": cid, "currency": currency, "as_of": as_of}
    rows = sa_of(conn).execute(open_query(), p)
    return [(n, d.isoformat(), o) for n, d, o in rows]


def unapplied(conn: Connection, cid: int, currency: str, as_of: date) -> int:
    """Credit received by ``as_of`` and not applied to invoices issued by then."""
    p = {"cid": cid, "currency": currency, "as_of": as_of}
    return int(sa_of(conn).execute(unapplied_query(), p).scalar_one())


def terms(conn: Connection, cid: int) -> str | None:
    """The customer's payment terms (``None``: the ledger's default)."""
    found: str | None = sa_of(conn).execute(_terms(), {"cid": cid}).scalar_one()
    return found


@cache
def _terms() -> sa.Select[Any]:
    return sa.select(customer.c.terms).where(customer.c.id == _CID)


@cache
def _holds() -> sa.Select[Any]:
    c = customer.c
    return sa.select(c.credit_limit, c.blocked, c.blocked_reason, c.legal).where(c.id == _CID)


def standing(conn: Connection, code: str, as_of: date, default_currency: str) -> Standing:
    """Limit, exposure and holds of a customer as of ``as_of``."""
    cid = require_customer(conn, code).id
    found = sa_of(conn).execute(_holds(), {"cid": cid}).one()
    limit, blocked, reason, legal = found
    currency = limit_currency(conn, cid, default_currency)
    opened = open_invoices(conn, cid, currency, as_of)
    overdue = [
        (n, (as_of - date.fromisoformat(d)).days) for n, d, _ in opened if d < as_of.isoformat()
    ]
    worst = max(overdue, key=lambda x: x[1], default=(None, 0))
    rated = latest(conn, cid, as_of)
    return Standing(
        code=code,
        currency=currency,
        limit=limit,
        exposure=sum(o for _, _, o in opened) - unapplied(conn, cid, currency, as_of),
        blocked=bool(blocked),
        blocked_reason=reason,
        legal=bool(legal),
        rating=rated.rating if rated else None,
        rated_on=rated.date.isoformat() if rated else None,
        worst_overdue=worst[1],
        worst_invoice=worst[0],
        overdue_invoices=len(overdue),
    )


def customer_ids(conn: Connection) -> Iterator[tuple[int, str, str]]:
    """``(id, code, name)`` of every customer, by code."""
    stmt = sa.select(customer.c.id, customer.c.code, customer.c.name).order_by(customer.c.code)
    for row in sa_of(conn).execute(stmt, execution_options={"yield_per": 1000}):
        yield row.id, row.code, row.name


def risk_cells(
    conn: Connection, as_of: date, buckets: Buckets
) -> Iterator[tuple[str, str, int, int]]:
    """``(customer code, currency, bucket index, open 分)`` for the risk matrix."""
    from huikuan.store.reports import aging_cells  # not needed by ``credit check``

    for code, _name, currency, bucket, fen in aging_cells(conn, as_of, buckets, "customer", False):
        yield code, currency, bucket, fen
