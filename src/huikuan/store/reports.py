"""Report queries computed in SQL: open balances as of a date, grouped and streamed.

An invoice is open as of D when issued on or before D and its amount minus the allocations
dated on or before D is positive. The ledger keeps each invoice's current open amount, so
open(D) = open_now + allocations dated after D; for D = today that second term is empty and
the partial index on open invoices does all the work.

Statements are SQLAlchemy Core over the models, the same for SQLite and PostgreSQL; the day
and the bucket cut-offs are bound parameters, so each statement shape is compiled once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from typing import Any

import sqlalchemy as sa

from huikuan.core.aging import Buckets
from huikuan.db.dialect import unindexed
from huikuan.db.models import Allocation, Customer, Invoice, Payment
from huikuan.db.tables import table_of
from huikuan.store.db import Connection, sa_of

# SQL text of the group keys, for modules still on raw SQL (kpi); see :func:`group_key`.
GROUPS = {
    "customer": ("c.code", "c.name"),
    "salesperson": ("COALESCE(NULLIF(i.salesperson, ''), c.salesperson, '')", None),
    "segment": ("COALESCE(c.segment, '')", None),
    "region": ("COALESCE(c.region, '')", None),
}


INV = table_of(Invoice)
CUST = table_of(Customer).alias("c")
PAY = table_of(Payment).alias("p")
ALLOC = table_of(Allocation)
DAY = sa.bindparam("d", type_=sa.Date())
STREAM = {"yield_per": 2000}


def num(k: int) -> sa.ColumnElement[int]:
    """An integer written into the SQL (SQLite uses a partial index only for a literal bound)."""
    return sa.literal_column(str(int(k)), sa.Integer())


ZERO = num(0)


def _total(expr: Any) -> sa.ColumnElement[int]:
    """SUM as an integer on both engines (PostgreSQL sums a bigint as numeric)."""
    return sa.cast(sa.func.sum(expr), sa.BigInteger)


def group_key(by: str, inv: sa.FromClause, cust: sa.FromClause = CUST) -> sa.ColumnElement[Any]:
    """The key of a group (``by``: customer, salesperson, segment, region) of invoice rows."""
    if by == "customer":
        return cust.c.code
    if by == "salesperson":
        return sa.func.coalesce(sa.func.nullif(inv.c.salesperson, ""), cust.c.salesperson, "")
    return sa.func.coalesce(cust.c[by], "")


def _customer_key(by: str) -> sa.ColumnElement[Any]:
    """The key of a group of customers (their own salesperson, segment, region)."""
    return CUST.c.code if by == "customer" else sa.func.coalesce(CUST.c[by], "")


def current_source() -> sa.Subquery:
    """Invoices open now and issued by D, as ``i`` with an ``open`` column."""
    where = (INV.c.open_amount > ZERO, INV.c.issue_date <= DAY)
    return sa.select(*INV.c, INV.c.open_amount.label("open")).where(*where).subquery("i")


def as_of_source() -> sa.Subquery:
    """Invoices open as of D (allocations dated after D undone), as ``i`` with ``open``."""
    rows = sa.select(ALLOC.c.invoice_id, ALLOC.c.amount).where(ALLOC.c.date > DAY)
    rows_cte = rows.cte("late_rows").prefix_with("MATERIALIZED")
    late = (
        sa.select(rows_cte.c.invoice_id, sa.func.sum(rows_cte.c.amount).label("amt"))
        .group_by(rows_cte.c.invoice_id)
        .cte("late")
        .prefix_with("MATERIALIZED")
    )
    a = ALLOC.alias("a")
    later = sa.select(sa.func.coalesce(sa.func.sum(a.c.amount), ZERO))
    later = later.where(a.c.invoice_id == INV.c.id, a.c.date > DAY)
    now_and_later = sa.cast(INV.c.open_amount + later.scalar_subquery(), sa.BigInteger)
    still = sa.select(INV.c.id, now_and_later.label("open"))  # PostgreSQL sums as numeric
    still = still.where(INV.c.open_amount > ZERO, INV.c.issue_date <= DAY)
    paid = sa.select(INV.c.id, sa.cast(late.c.amt, sa.BigInteger).label("open"))
    paid = paid.join_from(late, INV, INV.c.id == late.c.invoice_id)
    paid = paid.where(INV.c.open_amount == ZERO, INV.c.issue_date <= DAY)
    open_inv = sa.union_all(still, paid).cte("open_inv")
    v = INV.alias("v")
    both = sa.select(*v.c, open_inv.c.open).join_from(open_inv, v, v.c.id == open_inv.c.id)
    both = both.where(open_inv.c.open > ZERO)  # paid by D, reopened by a correction after D
    return both.subquery("i")


def source_as_of(conn: Connection, as_of: date) -> sa.Subquery:
    """Stored open amounts when no allocation is dated after D (the partial index does it all)."""
    later = sa.select(sa.exists().where(ALLOC.c.date > DAY))
    return as_of_source() if sa_of(conn).execute(later, {"d": as_of}).scalar() else current_source()


_source = source_as_of


def bucket_of(buckets: Buckets, inv: sa.FromClause) -> sa.ColumnElement[int]:
    """The bucket index of an invoice row; cut-offs are bound as ``b0``, ``b1``, …"""
    col = _reference(buckets, inv)
    n = len(buckets.labels) - 1
    whens = [(col >= _cut(k), num(k)) for k in range(n)]
    return sa.case(*whens, else_=num(n))


def _reference(buckets: Buckets, inv: sa.FromClause) -> sa.ColumnElement[Any]:
    """The date the days are counted from: due or issue date."""
    return inv.c.due_date if buckets.basis == "due" else inv.c.issue_date


def _cut(k: int) -> sa.BindParameter[Any]:
    return sa.bindparam(f"b{k}", type_=sa.Date())


def cells_statement(
    source: sa.Subquery, buckets: Buckets, by: str, overdue_only: bool
) -> sa.Select[Any]:
    """``(key, name, currency, open per bucket…)`` summed per group and currency.

    One pass, no bucket expression per row: the grouped query sums the open amounts at or
    after each cut-off (``c0`` ⊆ ``c1`` ⊆ …) and the total, and the outer one takes the
    differences (a CASE per bucket column would be evaluated once per bucket and row).
    """
    i = source
    key = i.c.customer_id if by == "customer" else group_key(by, i)
    col, n = _reference(buckets, i), len(buckets.labels) - 1
    cums = [
        _total(sa.case((col >= _cut(k), i.c.open), else_=ZERO)).label(f"c{k}") for k in range(n)
    ]
    inner = sa.select(key.label("k"), i.c.currency.label("cur"), *cums)
    inner = inner.add_columns(_total(i.c.open).label("t"))
    if by != "customer":
        inner = inner.join_from(i, CUST, CUST.c.id == i.c.customer_id)
    if overdue_only:
        inner = inner.where(i.c.due_date < DAY)
    g = inner.group_by(key, i.c.currency).subquery("g")
    bounds = [g.c[f"c{k}"] for k in range(n)] + [g.c.t]
    sums = [bounds[0], *(hi - lo for lo, hi in pairwise(bounds))]
    if by != "customer":  # the key is its own name
        return sa.select(g.c.k, g.c.k.label("n"), g.c.cur, *sums)
    named = sa.select(CUST.c.code, CUST.c.name, g.c.cur, *sums)
    return named.join_from(g, CUST, CUST.c.id == g.c.k)


def aging_groups(
    conn: Connection, as_of: date, buckets: Buckets, by: str, overdue_only: bool
) -> Iterator[tuple[str, str, str, tuple[int, ...]]]:
    """``(key, name, currency, open 分 per bucket)`` per group and currency.

    By customer, the sums per bucket are taken in one pass over the covering partial index
    (customer, currency, due, issue, …, open) of open invoices: one row per customer.
    """
    stmt = cells_statement(_source(conn, as_of), buckets, by, overdue_only)
    cuts = {f"b{n}": c for n, c in enumerate(buckets.cutoffs(as_of))}
    result = sa_of(conn).execute(stmt.execution_options(**STREAM), {"d": as_of, **cuts})
    for row in result:
        yield row[0], row[1], row[2], tuple(row[3:])


def aging_cells(
    conn: Connection, as_of: date, buckets: Buckets, by: str, overdue_only: bool
) -> Iterator[tuple[str, str, str, int, int]]:
    """``(key, name, currency, bucket index, open 分)`` summed per group, currency and
    bucket (the buckets with something open) — :func:`aging_groups` cell by cell."""
    for key_, name_, currency, amounts in aging_groups(conn, as_of, buckets, by, overdue_only):
        for k, fen in enumerate(amounts):
            if fen:
                yield key_, name_, currency, k, fen


def unapplied_statement(by: str) -> sa.Select[Any]:
    """``(key, name, currency, 分)``: credit received by D, not applied to invoices issued by D."""
    p, a = PAY, ALLOC.alias("a")
    new_inv = sa.select(INV.c.id).where(INV.c.issue_date > DAY).cte("new_inv")
    new_inv = new_inv.prefix_with("MATERIALIZED")
    held = sa.select(p.c.customer_id, p.c.currency, p.c.unapplied.label("amt"))
    held = held.where(p.c.unapplied > ZERO, unindexed(p.c.date) <= DAY)  # the partial index
    moved = sa.select(p.c.customer_id, p.c.currency, a.c.amount)
    moved = moved.join_from(new_inv, a, a.c.invoice_id == new_inv.c.id)
    moved = moved.join(p, p.c.id == a.c.payment_id).where(p.c.date <= DAY)
    credit = sa.union_all(held, moved, *_corrected_after()).cte("credit")
    key = _customer_key(by)
    name = CUST.c.name if by == "customer" else key
    stmt = sa.select(key.label("k"), name.label("n"), credit.c.currency, _total(credit.c.amt))
    stmt = stmt.join_from(credit, CUST, CUST.c.id == credit.c.customer_id)
    return stmt.group_by(key, name, credit.c.currency)


def _corrected_after() -> tuple[sa.Select[Any], sa.Select[Any]]:
    """Credit as of D that corrections dated after D changed (:mod:`huikuan.store.corrections`):
    allocations dated after D to invoices issued by D (counter-entries, credit re-applied
    then), and the whole amount of a payment reversed after D (it had not bounced yet)."""
    p, a = PAY, ALLOC.alias("a")
    late = sa.select(p.c.customer_id, p.c.currency, a.c.amount)
    late = late.join_from(a, p, p.c.id == a.c.payment_id)
    late = late.join(INV, INV.c.id == a.c.invoice_id)
    late = late.where(a.c.date > DAY, p.c.date <= DAY, INV.c.issue_date <= DAY)
    bounced = sa.select(p.c.customer_id, p.c.currency, p.c.amount)
    bounced = bounced.where(p.c.reversed_on > DAY, p.c.date <= DAY)
    return late, bounced


def unapplied_as_of(conn: Connection, as_of: date, by: str) -> Iterator[tuple[str, str, str, int]]:
    """``(key, name, currency, 分)``: credit received by D and not applied to invoices issued by D."""
    result = sa_of(conn).execute(unapplied_statement(by).execution_options(**STREAM), {"d": as_of})
    yield from ((k, n, cur, fen) for k, n, cur, fen in result)


def invoices_statement(source: sa.Subquery, overdue_only: bool, customer: bool) -> sa.Select[Any]:
    """Open invoices (number, customer, name, issue, due, open, currency), oldest due first."""
    i = source
    stmt = sa.select(
        i.c.number, CUST.c.code, CUST.c.name, i.c.issue_date, i.c.due_date, i.c.open, i.c.currency
    ).join_from(i, CUST, CUST.c.id == i.c.customer_id)
    if overdue_only:
        stmt = stmt.where(i.c.due_date < DAY)
    if customer:
        stmt = stmt.where(CUST.c.code == sa.bindparam("c"))
    return stmt.order_by(i.c.due_date, i.c.issue_date, i.c.number)


def aging_invoices(
    conn: Connection, as_of: date, overdue_only: bool, customer: str | None = None
) -> Iterator[tuple[str, str, str, str, str, int, str]]:
    """Open invoices as of D: ``(number, customer, name, issue, due, open 分, currency)``."""
    stmt = invoices_statement(_source(conn, as_of), overdue_only, customer is not None)
    params: dict[str, Any] = {"d": as_of} | ({"c": customer} if customer is not None else {})
    for number, code, name, issue, due, fen, cur in sa_of(conn).execute(
        stmt.execution_options(**STREAM), params
    ):
        yield number, code, name, issue.isoformat(), due.isoformat(), fen, cur
