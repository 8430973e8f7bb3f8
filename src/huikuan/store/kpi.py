"""SQL behind ``kpi`` and ``target``: grouped sums per period in two passes, and targets.

One pass over invoices (with each invoice's allocations summed at every period boundary)
gives sales, opening/closing and the not-yet-due part of closing for every period at once;
one pass over the period's cash allocations gives collections and days to pay.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from huikuan.core.kpi import Sums
from huikuan.db.dialect import days_between, greatest
from huikuan.db.tables import allocation, customer, invoice, payment, target
from huikuan.store.collections import fen_sum
from huikuan.store.db import Connection, sa_of

Periods = list[tuple[str, date, date]]


def group_key(by: str) -> sa.ColumnElement[Any]:
    """The grouping key of ``kpi --by``, over ``invoice`` joined with ``customer``."""
    blank: sa.ColumnElement[str] = sa.literal_column("''")
    keys: dict[str, sa.ColumnElement[Any]] = {
        "customer": customer.c.code,
        "salesperson": sa.func.coalesce(
            sa.func.nullif(invoice.c.salesperson, blank),
            customer.c.salesperson,
            blank,
        ),
        "segment": sa.func.coalesce(customer.c.segment, blank),
        "region": sa.func.coalesce(customer.c.region, blank),
        "all": sa.literal_column("'all'"),
    }
    return keys[by]


KEYS = ("customer", "salesperson", "segment", "region", "all")


def kpi_sums(conn: Connection, by: str, periods: Periods) -> dict[tuple[str, str, str], Sums]:
    """``(key, currency, period label) -> Sums`` for every group with something to show."""
    out: dict[tuple[str, str, str], Sums] = {}
    db = sa_of(conn)
    _balances(db, by, periods, out)
    _collections(db, collections(by, periods), periods, out)
    return out


def _bounds(periods: Periods) -> list[date]:
    """The day before the first period, then each period's last day."""
    return [periods[0][1] - timedelta(days=1)] + [p[2] for p in periods]


def _sum_if(cond: sa.ColumnElement[bool], value: Any) -> sa.ColumnElement[Any]:
    return fen_sum(sa.case((cond, value), else_=0))


def _at_bounds(bounds: list[date], value: Any, later: Any = None) -> list[sa.ColumnElement[Any]]:
    """Per bound b: the sum of ``value`` over invoices issued by b, and over those of them
    not yet due on b (with ``later``, a date column: only rows dated after b)."""
    i = invoice.c
    cols = []
    for b in bounds:
        issued = i.issue_date <= b if later is None else sa.and_(later > b, i.issue_date <= b)
        cols += [_sum_if(issued, value), _sum_if(sa.and_(issued, i.due_date >= b), value)]
    return cols


def balances(by: str, periods: Periods) -> tuple[sa.Select[Any], ...]:
    """Per key and currency, open and not-yet-due open at each bound, and sales per period,
    in three grouped passes over what can matter. What was open on b is what is open now plus
    what was paid after b (an invoice's open amount is its amount less its allocations):
    the open invoices (the partial index), the allocations dated after the first bound, and
    the invoices issued in the periods."""
    bounds = _bounds(periods)
    i, a, key = invoice.c, allocation.c, group_key(by).label("k")
    last = bounds[-1]
    base = sa.select(key, i.currency).join_from(invoice, customer, customer.c.id == i.customer_id)
    now = base.add_columns(*_at_bounds(bounds, i.open_amount))
    now = now.where(i.open_amount > sa.literal_column("0"), i.issue_date <= last)
    paid = sa.select(key, i.currency, *_at_bounds(bounds, a.amount, a.date))
    paid = paid.select_from(allocation).join(invoice, i.id == a.invoice_id)
    paid = paid.join(customer, customer.c.id == i.customer_id)
    paid = paid.where(a.date > bounds[0], i.issue_date <= last)
    sold = base.add_columns(  # a void cancels the sale in its own period (红冲)
        *(
            _sum_if(i.issue_date.between(p[1], bounds[k + 1]), i.amount)
            - _sum_if(i.voided_on.between(p[1], bounds[k + 1]), i.amount)
            for k, p in enumerate(periods)
        )
    )
    first = periods[0][1]
    sold = sold.where(sa.or_(i.issue_date.between(first, last), i.voided_on.between(first, last)))
    groups = (i.currency,) if by == "all" else (key, i.currency)  # PostgreSQL: no constant
    return tuple(q.group_by(*groups) for q in (now, paid, sold))


def _balances(db: sa.Connection, by: str, periods: Periods, out: dict[Any, Sums]) -> None:
    n = len(periods) + 1
    now, paid, sold = balances(by, periods)
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


def collections(by: str, periods: Periods) -> sa.Select[Any]:
    """Per key, currency and period index: cash collected and 分-days from issue to payment."""
    # credit applied to a later invoice counts when both exist: max(payment date, issue date)
    a, i = allocation.c, invoice.c
    when = greatest(a.date, i.issue_date)
    which = sa.case(*((when <= p[2], j) for j, p in enumerate(periods)))
    # a counter-entry (payment reversed) takes back the days of the payment it undoes
    paid_on = sa.case((a.amount < 0, payment.c.date), else_=a.date)
    days = greatest(sa.literal_column("0"), days_between(i.issue_date, paid_on))
    rows = (
        sa.select(
            group_key(by).label("k"),
            i.currency,
            which.label("j"),
            a.amount,
            (sa.cast(a.amount, sa.Float) * days).label("fen_days"),
        )
        .select_from(allocation)
        .join(payment, sa.and_(payment.c.id == a.payment_id, payment.c.kind == "payment"))
        .join(invoice, i.id == a.invoice_id)
        .join(customer, customer.c.id == i.customer_id)
        .where(when.between(periods[0][1], periods[-1][2]))
        .subquery("r")
    )
    r = rows.c
    # summed as floating point, which cannot overflow as an integer sum can
    return sa.select(r.k, r.currency, r.j, fen_sum(r.amount), sa.func.sum(r.fen_days)).group_by(
        r.k, r.currency, r.j
    )


def _collections(
    db: sa.Connection, stmt: sa.Select[Any], periods: Periods, out: dict[Any, Sums]
) -> None:
    for k, cur, j, paid, days in db.execute(stmt):
        s = out.setdefault((k, cur, periods[j][0]), Sums())
        s.collections = s.paid = paid
        s.paid_days = int(days)


# --- targets ---------------------------------------------------------------------------------


def salesperson_known(conn: Connection, name: str) -> bool:
    """Whether ``name`` is the salesperson of some customer or invoice."""
    stmt = sa.select(
        sa.or_(
            sa.exists().where(customer.c.salesperson == name),
            sa.exists().where(invoice.c.salesperson == name),
        )
    )
    return bool(sa_of(conn).execute(stmt).scalar_one())


def _target_of(who: str, period: str, currency: str) -> sa.ColumnElement[bool]:
    t = target.c
    return sa.and_(t.salesperson == who, t.period == period, t.currency == currency)


def set_target(
    conn: Connection, who: str, period: str, currency: str, fen: int, user: str, now: str
) -> int | None:
    """Set (or replace) a target; return the amount it replaced, if any."""
    db = sa_of(conn)
    key = _target_of(who, period, currency)
    old = db.execute(sa.select(target.c.amount).where(key)).scalar_one_or_none()
    values = {"amount": fen, "set_by": user, "set_at": now}
    if old is None:
        db.execute(
            sa.insert(target).values(salesperson=who, period=period, currency=currency, **values)
        )
    else:
        db.execute(sa.update(target).where(key).values(**values))
    return old


def targets(
    conn: Connection, period: str | None = None
) -> list[tuple[str, str, str, int, str, str]]:
    """``(salesperson, period, currency, 分, set_by, set_at)``, optionally of one period."""
    t = target.c
    stmt = sa.select(t.salesperson, t.period, t.currency, t.amount, t.set_by, t.set_at).order_by(
        t.period, t.salesperson, t.currency
    )
    if period is not None:
        stmt = stmt.where(t.period == period)
    return [(*r[:5], r[5].isoformat()) for r in sa_of(conn).execute(stmt)]
