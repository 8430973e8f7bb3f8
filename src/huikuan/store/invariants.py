"""The ledger's invariants as statements counting the rows that break them (``doctor``).

Each is one statement, so it sees one snapshot of the ledger. On a big ledger they are the
doctor's work. For SQLite (``grouped``) each reads its tables in one pass in key order: the
allocations are summed (or grouped) per invoice or payment first, then joined to their rows
by primary key, in order, instead of looking the allocations up row by row (or the rows
allocation by allocation): half the time. PostgreSQL hash-joins the plain statements (the
allocations summed per row and outer-joined; every allocation joined to its invoice and
payment) faster than it groups by three columns, so it keeps those. The tests check that
both count the same rows on ledgers broken in every way.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from huikuan.db.dialect import unindexed
from huikuan.db.models import Allocation, Invoice, Payment
from huikuan.db.tables import table_of
from huikuan.store.reports import ZERO

INV, PAY, ALLOC = table_of(Invoice), table_of(Payment), table_of(Allocation)
ONE: sa.ColumnElement[int] = sa.literal_column("1")
NOTHING: sa.ColumnElement[int] = sa.literal_column("0")


def _count_if(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, ONE), else_=NOTHING)), NOTHING)


def _expected(table: sa.Table, used: sa.ColumnElement[Any] | None) -> sa.ColumnElement[Any]:
    """What ``rest`` must be: the amount less ``used`` (None: nothing allocated); a reversed
    payment (退票) has nothing left: its allocations net to zero."""
    expected: sa.ColumnElement[Any] = table.c.amount if used is None else table.c.amount - used
    if "reversed_on" in table.c:
        expected = sa.case((table.c.reversed_on.is_not(None), ZERO), else_=expected)
    return expected


def _unallocated(table: sa.Table, key: sa.ColumnElement[Any], rest: str) -> sa.Select[Any]:
    """Rows whose ``rest`` column differs from amount minus their allocations (``key``:
    the allocation's reference to the row, as it is grouped).

    Counted as: rows whose ``rest`` differs from the whole amount, less those of them with
    allocations, plus the rows with allocations whose ``rest`` differs from amount minus
    them. So the allocations are summed per row in one pass, joined to the rows with any
    (by primary key, in order), and the rows are read once more in a plain scan."""
    used = sa.select(key.label("id"), sa.func.sum(ALLOC.c.amount).label("used"))
    sums = used.group_by(key).subquery("used")
    col = table.c[rest]
    whole = sa.select(sa.func.count()).select_from(table).where(col != _expected(table, None))
    with_none = whole.scalar_subquery()
    return sa.select(
        with_none
        - _count_if(col != _expected(table, None))
        + _count_if(col != _expected(table, sums.c.used))
    ).select_from(sums.join(table, table.c.id == sums.c.id))


def _crossed() -> sa.Select[Any]:
    """Allocations between an invoice and a payment of another currency or customer.

    The allocations are counted per invoice and the payment's customer and currency (the
    payments looked up in the allocations' order, which is theirs), then each group is
    compared with its invoice, looked up in invoice order: not every allocation's invoice."""
    a, p = ALLOC.c, PAY.c
    invoice_id = unindexed(a.invoice_id)
    groups = (
        sa.select(
            invoice_id.label("id"),
            p.customer_id.label("customer_id"),
            p.currency.label("currency"),
            sa.func.count().label("n"),
        )
        .select_from(ALLOC.join(PAY, p.id == a.payment_id))
        .group_by(invoice_id, p.customer_id, p.currency)
        .subquery("paid")
    )
    g, i = groups.c, INV.c
    wrong = sa.or_(i.currency != g.currency, i.customer_id != g.customer_id)
    total = sa.func.coalesce(sa.func.sum(g.n), NOTHING)
    return sa.select(total).select_from(groups.join(INV, i.id == g.id)).where(wrong)


def _credit_beside_open() -> sa.Select[Any]:
    """Payments with credit left while the customer has open invoices in that currency."""
    same = (INV.c.customer_id == PAY.c.customer_id, INV.c.currency == PAY.c.currency)
    open_one = sa.exists().where(*same, INV.c.open_amount > ZERO)
    return sa.select(sa.func.count()).select_from(PAY).where(PAY.c.unapplied > ZERO, open_one)


def invariants(grouped: bool = True) -> dict[str, sa.Select[Any]]:
    """Each ledger invariant as a statement counting the rows that break it; ``grouped``:
    the forms for SQLite (module docstring), else the plain ones PostgreSQL runs faster.

    (The allocations are grouped per invoice from a plain scan, sorted: SQLite would walk
    the invoice index and look up every allocation's amount, twice as long; they are in
    payment order already, so per payment the index serves.)"""
    if not grouped:
        return {
            "invoice open amounts": _plain_unallocated(INV, "invoice_id", "open_amount"),
            "payment unapplied amounts": _plain_unallocated(PAY, "payment_id", "unapplied"),
            "allocation currencies": _plain_crossed(),
            "credit left beside open invoices": _credit_beside_open(),
        }
    return {
        "invoice open amounts": _unallocated(INV, unindexed(ALLOC.c.invoice_id), "open_amount"),
        "payment unapplied amounts": _unallocated(PAY, ALLOC.c.payment_id, "unapplied"),
        "allocation currencies": _crossed(),
        "credit left beside open invoices": _credit_beside_open(),
    }


def _plain_unallocated(table: sa.Table, key: str, rest: str) -> sa.Select[Any]:
    """:func:`_unallocated` as one outer join of the rows and their allocation sums."""
    a = ALLOC.c
    used = sa.select(a[key].label("id"), sa.func.sum(a.amount).label("used"))
    sums = used.group_by(a[key]).subquery("used")
    wrong = table.c[rest] != _expected(table, sa.func.coalesce(sums.c.used, ZERO))
    joined = table.outerjoin(sums, sums.c.id == table.c.id)
    return sa.select(sa.func.count()).select_from(joined).where(wrong)


def _plain_crossed() -> sa.Select[Any]:
    """:func:`_crossed` as every allocation joined to its invoice and payment."""
    joined = ALLOC.join(INV, INV.c.id == ALLOC.c.invoice_id).join(
        PAY, PAY.c.id == ALLOC.c.payment_id
    )
    wrong = sa.or_(INV.c.currency != PAY.c.currency, INV.c.customer_id != PAY.c.customer_id)
    return sa.select(sa.func.count()).select_from(joined).where(wrong)
