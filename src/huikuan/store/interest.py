"""The ledger side of late interest: overdue invoices with their dated allocations.

When every rule has the same ``grace_days`` (the usual case), one grouped query gives each
overdue invoice's principal, balance, last payment day and the 分-days its payments took off
the accrual (:func:`accrual_statement`); the rate, rounding and cap are applied per row
here, the same counting as :func:`huikuan.core.interest.accrue`. Rules with different grace
days fall back to reading each batch of invoices' allocations and running ``accrue``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from huikuan.core.interest import (
    InterestPolicy,
    InvoiceInterest,
    RuleRates,
    accrue,
    accrued_fen,
    rule_for,
)
from huikuan.db.dialect import days_between, greatest, unindexed
from huikuan.db.tables import allocation, customer, invoice, payment
from huikuan.store.collections import fen_total
from huikuan.store.db import Connection, sa_of

_BATCH = 500  # invoices per allocation query
Codes = tuple[str | None, str | None] | None  # customer codes from (inclusive) .. to (exclusive)


def candidates(
    as_of: date | sa.BindParameter[date], code: str | None, include_paid: bool
) -> sa.Select[Any]:
    """Invoices overdue on ``as_of`` (open then, or also paid late with ``include_paid``):
    id, number, customer code, currency, contract, due date, amount, disputed."""
    i = invoice.c
    stmt = sa.select(i.id, i.number, customer.c.code, i.currency, i.contract, i.due_date,
                     i.amount, i.disputed)  # fmt: skip
    stmt = stmt.join_from(invoice, customer, customer.c.id == i.customer_id)
    return overdue(stmt, as_of, code, include_paid).order_by(customer.c.code, i.due_date, i.number)


def overdue(
    stmt: sa.Select[Any], as_of: date | sa.BindParameter[date], code: str | None, include_paid: bool
) -> sa.Select[Any]:
    """``stmt`` (over ``invoice``) kept to the invoices of :func:`candidates`."""
    i = invoice.c
    stmt = stmt.where(i.issue_date <= as_of, i.due_date < as_of)
    stmt = stmt.where(sa.or_(i.voided_on.is_(None), i.voided_on > as_of))  # a void owes nothing
    if code is not None:
        one = sa.select(customer.c.id).where(customer.c.code == code).scalar_subquery()
        stmt = stmt.where(i.customer_id == one)
    if not include_paid:
        a = allocation.alias("later")
        later = sa.exists().where(a.c.invoice_id == i.id, a.c.date > as_of)
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
    conn: Connection,
    policy: InterestPolicy,
    as_of: date,
    customer: str | None = None,
    *,
    include_paid: bool = False,
) -> Iterator[InvoiceInterest]:
    """Interest as of D on invoices overdue then (with ``include_paid``, also those paid late).

    Streamed (one grouped query, or batches of invoices), so memory stays flat on a large
    ledger.
    """
    grace = uniform_grace(policy)
    if grace is not None:
        yield from _summed(conn, policy, as_of, customer, include_paid, grace)
        return
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
        number, code, cur, contract, due, principal, left, days, rule.text, fen, bool(disputed),
        rule.text_zh,
    )  # fmt: skip


def _allocations(
    db: sa.Connection, ids: list[int], as_of: date
) -> dict[int, list[tuple[date, int]]]:
    out: dict[int, list[tuple[date, int]]] = {}
    for iid, day, fen in db.execute(allocations(ids, as_of)).all():
        out.setdefault(iid, []).append((day, fen))
    return out


# --- one grouped query (every rule has the same grace days) ------------------------------


def uniform_grace(policy: InterestPolicy) -> int | None:
    """The grace days shared by every rule of ``policy`` (None when they differ)."""
    rules = (policy.default, *policy.customers.values(), *policy.contracts.values())
    graces = {r.grace_days for r in rules}
    return graces.pop() if len(graces) == 1 else None


def accrual_statement(
    code: str | None, include_paid: bool, number: str | None = None
) -> sa.Select[Any]:
    """The invoices that can accrue by ``:d`` (the day) with ``:g`` grace days (the rows of
    :func:`accrual_sums`), with their customer's code, by customer code, due date, number.

    Columns: number, customer code, currency, contract, due date, disputed, ``principal``,
    ``late``, ``age``, ``last_age``, ``held`` (see :func:`accrual_sums`)."""
    g = accrual_sums(code, include_paid, number=number)  # the customer joined after grouping:
    cols = (g.c.number, customer.c.code, g.c.currency, g.c.contract, g.c.due_date, g.c.disputed,
            g.c.principal, g.c.late, g.c.age, g.c.last_age, g.c.held)  # fmt: skip
    stmt = sa.select(*cols).join_from(g, customer, customer.c.id == g.c.customer_id)
    return stmt.order_by(customer.c.code, g.c.due_date, g.c.number)  # a fifth faster on SQLite


def accrual_sums(
    code: str | None, include_paid: bool, *, number: str | None = None, codes: Codes = None
) -> sa.Subquery:
    """Per invoice that can accrue by ``:d`` (the day) with ``:g`` grace days: overdue (as
    :func:`candidates`) by more than the grace days (``:cut`` = the day - ``:g``) and with a
    principal (what was open at the end of the due date) left to accrue on; only the invoice
    ``number`` when given, only customers whose code is in the range ``codes`` when given.

    Columns: customer id, number, currency, contract, due date, disputed, ``principal``,
    ``late`` (分 paid after the due date, by ``:d``), ``age`` (days from the due date to
    ``:d``), ``last_age`` (to the last late payment) and ``held``: the sum of each late 分 ×
    max(days from the due date to its payment - 1, grace days). A 分 paid ``w`` days after
    the due date stops accruing from day max(w, grace + 1) after it, i.e. for ``age`` -
    max(w - 1, grace) days: the late payments stop ``age`` × ``late`` - ``held`` 分-days.
    Allocations of a payment reversed (退票) by ``:d`` are left out: it never paid anything."""
    i, a = invoice.c, allocation.c
    day, grace = sa.bindparam("d", type_=sa.Date()), sa.bindparam("g", type_=sa.Integer())
    after = a.date > i.due_date
    held = greatest(days_between(i.due_date, a.date) - 1, grace)
    principal = i.amount - fen_total(sa.case((after, sa.null()), else_=a.amount))
    sums = sa.select(
        i.customer_id, i.number, i.currency, i.contract, i.due_date, i.disputed,
        principal.label("principal"),
        fen_total(sa.case((after, a.amount))).label("late"),
        days_between(i.due_date, day).label("age"),
        days_between(i.due_date, sa.func.max(sa.case((after, a.date)))).label("last_age"),
        fen_total(sa.case((after, a.amount * held))).label("held"),
    )  # fmt: skip
    bounced = sa.select(payment.c.id).where(payment.c.reversed_on <= day)
    join = sa.and_(a.invoice_id == i.id, a.date <= day, a.payment_id.not_in(bounced))
    sums = overdue(sums.outerjoin_from(invoice, allocation, join), day, code, include_paid)
    sums = sums.where(i.due_date < sa.bindparam("cut", type_=sa.Date()))
    if number is not None:
        sums = sums.where(i.number == number)
    if codes is not None:
        sums = sums.where(unindexed(i.customer_id).in_(_customers_in(*codes)))
    return sums.group_by(i.id).having(principal > 0).subquery("g")


def _customers_in(low: str | None, high: str | None) -> sa.Select[Any]:
    """The ids of the customers whose code is in ``[low, high)`` (None: open-ended)."""
    stmt = sa.select(customer.c.id)
    if low is not None:
        stmt = stmt.where(customer.c.code >= low)
    if high is not None:
        stmt = stmt.where(customer.c.code < high)
    return stmt


def _summed(
    conn: Connection,
    policy: InterestPolicy,
    as_of: date,
    code: str | None,
    include_paid: bool,
    grace: int,
    number: str | None = None,
) -> Iterator[InvoiceInterest]:
    """Each row's interest in whole 分 from the grouped sums (:func:`accrued_fen`)."""
    stmt = accrual_statement(code, include_paid, number).execution_options(yield_per=2000)
    cut = as_of - timedelta(days=grace)
    rates = RuleRates()
    for row in sa_of(conn).execute(stmt, {"d": as_of, "g": grace, "cut": cut}):
        number, cust, cur, contract, due, disputed, principal, late, age, last_age, held = row
        rate = rates.of(rule_for(policy, cust, contract))
        left, days, fen = accrued_fen(rate, principal, late, age, age * late - held, last_age)
        if days > 0 or fen > 0:
            yield InvoiceInterest(
                number, cust, cur, contract, due, principal, left, days, rate.text, fen,
                bool(disputed), rate.text_zh,
            )  # fmt: skip


def one_invoice(
    conn: Connection, policy: InterestPolicy, as_of: date, number: str, include_paid: bool,
    grace: int,
) -> Iterator[InvoiceInterest]:  # fmt: skip
    """The interest of the invoice ``number`` (nothing when it accrues none), every rule
    having ``grace`` grace days."""
    return _summed(conn, policy, as_of, None, include_paid, grace, number)
