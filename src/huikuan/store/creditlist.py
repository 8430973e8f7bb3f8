"""``credit list`` for the whole ledger at once: three grouped queries (customers with their
invoice currencies and newest assessment, open amounts, unapplied credit) instead of the
standing of each customer (:func:`huikuan.store.credit.standing`), with the same figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa

from huikuan.core.rows import Fen
from huikuan.db.dialect import unindexed
from huikuan.db.tables import allocation, credit_assessment, customer, invoice, payment
from huikuan.store.collections import fen_sum
from huikuan.store.credit import _AS_OF
from huikuan.store.db import Connection, sa_of


class CreditRow(NamedTuple):
    """A customer in ``credit list``: its latest assessment (if any), limit, terms, and the
    exposure and available credit in the limit's currency."""

    code: str
    name: str
    rating: str | None
    total: int | None
    last_assessed: dt.date | None
    credit_limit: Fen | None
    terms: str | None
    currency: str
    exposure: Fen
    available: Fen | None


def customers_statement() -> sa.Select[Any]:
    """Every customer by code: id, code, name, limit, terms, how many invoice currencies (and
    the lowest), and the date, rating and total of its newest assessment dated by ``as_of``."""
    c, i, a = customer.c, invoice.c, credit_assessment.c
    cur = (
        sa.select(
            i.customer_id.label("cid"),
            sa.func.count(sa.distinct(i.currency)).label("n"),
            sa.func.min(i.currency).label("cur"),
        )
        .group_by(i.customer_id)
        .subquery("cur")
    )
    newest = (
        sa.select(a.id)
        .where(a.customer_id == c.id, a.date <= _AS_OF)
        .order_by(a.date.desc(), a.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rated = credit_assessment.alias("rated")
    stmt = sa.select(c.id, c.code, c.name, c.credit_limit, c.terms, cur.c.n, cur.c.cur)
    stmt = stmt.add_columns(rated.c.date, rated.c.rating, rated.c.total)
    stmt = stmt.outerjoin(cur, cur.c.cid == c.id).outerjoin(rated, rated.c.id == newest)
    return stmt.order_by(c.code)


def unapplied_statement() -> sa.Select[Any]:
    """``(customer id, currency, 分)``: credit received by ``as_of`` (not write-offs) and not
    applied to invoices issued by then: what is still unapplied, plus what was applied to
    invoices issued after ``as_of`` (a payment's amount is its allocations plus its unapplied
    credit, which ``doctor`` checks), the same as :func:`unapplied` for every customer."""
    p, a, i = payment.c, allocation.c, invoice.c
    kept = (p.kind != "write_off", unindexed(p.date) <= _AS_OF)
    held = sa.select(p.customer_id, p.currency, p.unapplied.label("amt"))
    held = held.where(p.unapplied > sa.literal_column("0"), *kept)
    later = sa.select(i.id).where(i.issue_date > _AS_OF).cte("later").prefix_with("MATERIALIZED")
    moved = sa.select(p.customer_id, p.currency, a.amount)
    moved = moved.select_from(later).join(allocation, a.invoice_id == later.c.id)
    moved = moved.join(payment, p.id == a.payment_id).where(*kept)
    both = sa.union_all(held, moved).subquery("u")
    stmt = sa.select(both.c.customer_id, both.c.currency, fen_sum(both.c.amt))
    return stmt.group_by(both.c.customer_id, both.c.currency)


def open_statement(source: sa.Subquery) -> sa.Select[Any]:
    """``(customer id, currency, open 分)`` of the invoices open as of ``:d`` (``source``:
    :func:`huikuan.store.reports.current_source` or ``as_of_source``)."""
    s = source.c
    return sa.select(s.customer_id, s.currency, fen_sum(s.open)).group_by(s.customer_id, s.currency)


def credit_rows(
    conn: Connection, as_of: date, stale: int | None, default_currency: str
) -> Iterator[CreditRow]:
    """``credit list``: every customer's rating, limit, terms, exposure and available credit
    as of ``as_of`` (money in 分), by code; with ``stale``, only customers not assessed for
    that many days (or never). Three grouped queries for the whole ledger."""
    from huikuan.store.reports import source_as_of

    db = sa_of(conn)
    opened = _sums(db.execute(open_statement(source_as_of(conn, as_of)), {"d": as_of}))
    credit = _sums(db.execute(unapplied_statement(), {"as_of": as_of}))
    stmt = customers_statement().execution_options(yield_per=2000)
    for cid, code, name, limit, terms, n, cur, rated_on, rating, total in db.execute(
        stmt, {"as_of": as_of}
    ):
        if stale is not None and rated_on and (as_of - rated_on).days < stale:
            continue
        currency = cur if n == 1 else default_currency
        exposure = opened.get((cid, currency), 0) - credit.get((cid, currency), 0)
        left = None if limit is None else Fen(limit - exposure)
        yield CreditRow(
            code, name, rating, total, rated_on, limit, terms, currency, Fen(exposure), left
        )


def _sums(rows: Any) -> dict[tuple[int, str], int]:
    return {(cid, cur): int(fen or 0) for cid, cur, fen in rows}
