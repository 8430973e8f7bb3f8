"""The ledger side of late interest: overdue invoices with their dated allocations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from huikuan.core.interest import InterestPolicy, InvoiceInterest, accrue, rule_for
from huikuan.core.money import to_decimal
from huikuan.db.tables import allocation, customer, invoice, payment
from huikuan.store.db import sa_of

_BATCH = 500  # invoices per allocation query


def candidates(as_of: date, code: str | None, include_paid: bool) -> sa.Select[Any]:
    """Invoices overdue on ``as_of`` (open then, or also paid late with ``include_paid``)."""
    i = invoice.c
    stmt = (
        sa.select(
            i.id,
            i.number,
            customer.c.code,
            i.currency,
            i.contract,
            i.due_date,
            i.amount,
            i.disputed,
        )
        .join(customer, customer.c.id == i.customer_id)
        .where(i.issue_date <= as_of, i.due_date < as_of)
        .where(sa.or_(i.voided_on.is_(None), i.voided_on > as_of))  # a void owes nothing
        .order_by(customer.c.code, i.due_date, i.number)
    )
    if code is not None:
        stmt = stmt.where(customer.c.code == code)
    if not include_paid:
        later = sa.exists().where(allocation.c.invoice_id == i.id, allocation.c.date > as_of)
        stmt = stmt.where(sa.or_(i.open_amount > 0, later))
    return stmt


def allocations(ids: Sequence[int], as_of: date) -> sa.Select[Any]:
    """``(invoice_id, date, amount)`` applied by ``as_of`` to the invoices ``ids``.

    A payment reversed (退票) by ``as_of`` never paid anything: its allocations and their
    counter-entries are left out, so interest runs as if it had not been made.
    """
    a, p = allocation.c, payment.c
    bounced = sa.and_(p.reversed_on.is_not(None), p.reversed_on <= as_of)
    return (
        sa.select(a.invoice_id, a.date, a.amount)
        .join(payment, p.id == a.payment_id)
        .where(a.date <= as_of, a.invoice_id.in_(ids), sa.not_(bounced))
    )


def invoice_interest(
    conn: sqlite3.Connection,
    policy: InterestPolicy,
    as_of: date,
    customer: str | None = None,
    *,
    include_paid: bool = False,
) -> Iterator[InvoiceInterest]:
    """Interest as of D on invoices overdue then (with ``include_paid``, also those paid late).

    Streamed in batches of invoices, so memory stays flat on a large ledger.
    """
    db = sa_of(conn)
    result = db.execute(
        candidates(as_of, customer, include_paid), execution_options={"yield_per": _BATCH}
    )
    for batch in result.partitions():
        paid = _allocations(db, [r[0] for r in batch], as_of)
        for row in batch:
            found = _one(policy, tuple(row), paid.get(row[0], []), as_of)
            if found is not None:
                yield found


def _one(
    policy: InterestPolicy, row: tuple[Any, ...], paid: list[tuple[date, int]], as_of: date
) -> InvoiceInterest | None:
    _, number, code, cur, contract, due, amount, disputed = row
    rule = rule_for(policy, code, contract)
    principal, left, days, fen = accrue(rule, due, amount, paid, as_of)
    if days <= 0 and fen <= 0:
        return None
    return InvoiceInterest(
        number,
        code,
        cur,
        contract,
        due,
        to_decimal(principal),
        to_decimal(left),
        days,
        rule.text,
        to_decimal(fen),
        bool(disputed),
        rule.text_zh,
    )


def _allocations(
    db: sa.Connection, ids: list[int], as_of: date
) -> dict[int, list[tuple[date, int]]]:
    out: dict[int, list[tuple[date, int]]] = {}
    for iid, day, fen in db.execute(allocations(ids, as_of)).all():
        out.setdefault(iid, []).append((day, fen))
    return out
