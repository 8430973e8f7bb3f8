"""SQL behind ``kpi`` and ``target``: grouped sums by period position, and targets.

One grouped pass over the open invoices and the allocations since the first period (and
those before it to invoices issued later) gives every bound's balance and its not-yet-due
part, the sales, the collections with their days to pay and the voids, keyed by the
positions of the dates among the bounds (running sums in Python,
:class:`~huikuan.core.kpi.Buckets`).
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from huikuan.core.kpi import Buckets, Sums
from huikuan.db.dialect import days_between, greatest, unindexed
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
    return {
        (k, cur, periods[j - 1][0]): s
        for (k, cur), b in kpi_groups(conn, by, periods).items()
        for j, s in b.sums()
    }


def kpi_groups(conn: Connection, by: str, periods: Periods) -> dict[tuple[str, str], Buckets]:
    """``(key, currency) -> Buckets``: the sums of every period, made when read."""
    return _gather(sa_of(conn), by, periods)


def _balances(db: sa.Connection, by: str, periods: Periods, out: dict[Any, Sums]) -> None:
    """Only the balances (sales, opening, closing and its not-yet-due part) into ``out``."""
    for (k, cur), b in _gather(db, by, periods).items():
        for j, s in b.sums():
            if s.credit_sales or s.opening or s.closing:
                sold, was, now = s.credit_sales, s.opening, s.closing
                out[(k, cur, periods[j - 1][0])] = Sums(sold, 0, was, now, s.closing_current)


def _gather(db: sa.Connection, by: str, periods: Periods) -> dict[tuple[str, str], Buckets]:
    n = len(periods)
    groups: dict[tuple[str, str], Buckets] = {}
    names = _customer_codes(db) if by == "customer" else None
    last, b = None, Buckets(0)
    bounds = _bounds(periods)
    with _rows(db, by, bounds) as rows:
        for row in rows:
            if (row[0], row[1]) != last:  # rows come grouped (SQLite) or not (PostgreSQL)
                last = (row[0], row[1])
                key = (names[row[0]] if names is not None else row[0], row[1])
                b = groups.get(key) or groups.setdefault(key, Buckets(n))
            b.add(*row[2:])
    return groups


def _rows(db: sa.Connection, by: str, bounds: list[date]) -> Any:
    """The rows of :func:`pieces`; by customer, the allocations after the first bound are
    read beside the rest on a second connection where there can be one (SQLite: they are
    half the report's SQL; see :func:`~huikuan.store.beside.rows_in_two`)."""
    from huikuan.store.beside import rows_in_two

    whole = pieces(by, bounds)
    if by != "customer":
        return contextlib.nullcontext(db.execute(whole))
    near, far = _customer_parts(bounds)
    return rows_in_two(db, whole, near, far)


def _customer_codes(db: sa.Connection) -> dict[int, str]:
    """Customer id -> code (``--by customer`` groups by id: no join per row)."""
    return {cid: code for cid, code in db.execute(sa.select(customer.c.id, customer.c.code))}


def _bounds(periods: Periods) -> list[date]:
    """The day before the first period, then each period's last day."""
    return [periods[0][1] - timedelta(days=1)] + [p[2] for p in periods]


def _sum_if(cond: sa.ColumnElement[bool], value: Any) -> sa.ColumnElement[Any]:
    return fen_sum(sa.case((cond, value), else_=0))


def position(day: Any, bounds: list[date], on_counts: bool = False) -> sa.ColumnElement[int]:
    """How many bounds lie before ``day`` (with ``on_counts``: on or before it)."""
    whens = [((day < b) if on_counts else (day <= b), k) for k, b in enumerate(bounds)]
    return sa.case(*whens, else_=len(bounds))


def _keyed(by: str, *cols: Any) -> sa.Select[Any]:
    """``SELECT key, currency, cols…`` over invoices (and their customers, unless by
    customer: then the key is the customer's id, named after the grouping)."""
    i = invoice.c
    if by == "customer":
        return sa.select(i.customer_id.label("k"), i.currency.label("currency"), *cols)
    key = group_key(by).label("k")
    return sa.select(key, i.currency.label("currency"), *cols).join_from(
        invoice, customer, customer.c.id == i.customer_id
    )


def pieces(by: str, bounds: list[date]) -> sa.Select[Any]:
    """Per key, currency and (issued, paid, due) positions: the pieces of
    :class:`~huikuan.core.kpi.Buckets`, and of them the cash (分, 分-days, rows) and voids.
    What was open on b is what is open now plus what was applied after b; what was sold in
    a period is the open amount now plus every allocation of the invoices issued in it.
    So: the open invoices (the partial index), the allocations dated after the first bound,
    and those dated before it to invoices issued later, in one grouped pass."""
    return _grouped(sa.union_all(*_parts(by, bounds)))


def _customer_parts(bounds: list[date]) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """:func:`pieces` by customer in two grouped reads: the open invoices and the
    allocations before the first bound; the allocations after it (half the SQL's work: its
    scan and sort run in the statement's first step, without the GIL, beside the first
    read). Their pieces add up in :class:`~huikuan.core.kpi.Buckets` as the one
    statement's do."""
    open_now, after, before = _parts("customer", bounds)
    return _grouped(sa.union_all(open_now, before)), _grouped(after)


def _parts(by: str, bounds: list[date]) -> tuple[sa.Select[Any], ...]:
    """The open invoices, the allocations after the first bound, those before it."""
    i, a, b0, last = invoice.c, allocation.c, bounds[0], bounds[-1]
    issued, due = position(i.issue_date, bounds), position(i.due_date, bounds, on_counts=True)
    zero, never = sa.literal(0, sa.BigInteger), sa.literal(len(bounds), sa.Integer)
    open_now = _keyed(by, issued.label("i"), never.label("p"), due.label("d"),
        i.open_amount.label("fen"), zero.label("cash"), sa.literal(0.0, sa.Float).label("days"),
        zero.label("void"), sa.literal(0, sa.Integer).label("n"),
    ).where(i.open_amount > 0, unindexed(i.issue_date) <= last)  # fmt: skip
    after = _applied(by, bounds).where(a.date > b0, i.issue_date <= last)
    before = _applied(by, bounds).where(a.date <= b0, i.issue_date > b0, i.issue_date <= last)
    return open_now, after, before


def _grouped(pieces: sa.Select[Any] | sa.CompoundSelect[Any]) -> sa.Select[Any]:
    """The pieces summed per key, currency and positions."""
    r = pieces.subquery("g").c
    return sa.select(
        r.k, r.currency, r.i, r.p, r.d, fen_sum(r.fen), fen_sum(r.cash), sa.func.sum(r.days),
        fen_sum(r.void), sa.func.sum(r.n),
    ).group_by(r.k, r.currency, r.i, r.p, r.d)  # fmt: skip


def _applied(by: str, bounds: list[date]) -> sa.Select[Any]:
    """The allocations as pieces (the columns of :func:`pieces`' open invoices)."""
    i, a, p = invoice.c, allocation.c, payment.c
    cash = p.kind == "payment"
    # a counter-entry (payment reversed) takes back the days of the payment it undoes
    paid_on = sa.case((a.amount < 0, p.date), else_=a.date)
    days = greatest(sa.literal_column("0"), days_between(i.issue_date, paid_on))
    return _keyed(by, position(i.issue_date, bounds).label("i"),
        position(a.date, bounds).label("p"),
        position(i.due_date, bounds, on_counts=True).label("d"), a.amount.label("fen"),
        sa.case((cash, a.amount), else_=0).label("cash"),
        sa.case((cash, sa.cast(a.amount, sa.Float) * days), else_=0.0).label("days"),  # no overflow
        sa.case((p.kind == "void", a.amount), else_=0).label("void"),
        sa.case((cash, 1), else_=0).label("n"),
    ).join(allocation, a.invoice_id == i.id).join(payment, p.id == a.payment_id)  # fmt: skip


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
