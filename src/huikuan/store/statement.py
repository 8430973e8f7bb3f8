"""对账单: a customer's invoices and payments in date order with a running balance; a voided
invoice shows as a `void` credit line and a reversed payment (退票) as a `reversal` debit line,
each on its date (in the summary they net out of invoiced and paid)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.rows import Fen
from huikuan.db.models import Invoice, Payment
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import require_customer


class Line(NamedTuple):
    """A statement line: an invoice (debit), a payment, credit note or write-off (credit), a
    void or reversal, or the opening balance; ``balance`` is its currency's running balance."""

    date: dt.date
    type: str
    reference: str
    due_date: dt.date | None
    currency: str
    debit: Fen
    credit: Fen
    balance: Fen


class Summary(NamedTuple):
    """One currency's movement over the statement and its closing balance."""

    currency: str
    opening: Fen
    invoiced: Fen
    paid: Fen
    credited: Fen
    written_off: Fen
    balance: Fen


def _const(sql: str, type_: Any) -> Any:
    return sa.literal_column(sql, type_)


def _lines() -> sa.Select[Any]:
    """The customer's invoices (debits) and payments (credits) from ``:a`` to ``:d``."""
    cid, start, end = (
        sa.bindparam("c", type_=sa.Integer),
        sa.bindparam("a", type_=sa.Date),
        sa.bindparam("d", type_=sa.Date),
    )
    invoices = sa.select(
        col(Invoice.issue_date).label("date"),
        _const("0", sa.Integer).label("ord"),
        _const("'invoice'", sa.String).label("type"),
        col(Invoice.number).label("ref"),
        col(Invoice.currency).label("currency"),
        col(Invoice.amount).label("debit"),
        _const("0", sa.BigInteger).label("credit"),
        col(Invoice.due_date).label("due"),
    ).where(col(Invoice.customer_id) == cid, col(Invoice.issue_date).between(start, end))
    payments = (
        sa.select(
            col(Payment.date),
            _const("1", sa.Integer),
            col(Payment.kind),
            sa.func.coalesce(col(Payment.reference), col(Invoice.number), ""),
            col(Payment.currency),
            _const("0", sa.BigInteger),
            col(Payment.amount),
            sa.cast(sa.null(), sa.Date),
        )
        .select_from(sa.outerjoin(Payment, Invoice, col(Invoice.id) == col(Payment.invoice_id)))
        .where(col(Payment.customer_id) == cid, col(Payment.date).between(start, end))
    )
    reversals = (
        sa.select(
            col(Payment.reversed_on),
            _const("2", sa.Integer),
            _const("'reversal'", sa.String),
            sa.func.coalesce(col(Payment.reference), col(Invoice.number), ""),
            col(Payment.currency),
            col(Payment.amount),
            _const("0", sa.BigInteger),
            sa.cast(sa.null(), sa.Date),
        )
        .select_from(sa.outerjoin(Payment, Invoice, col(Invoice.id) == col(Payment.invoice_id)))
        .where(col(Payment.customer_id) == cid, col(Payment.reversed_on).between(start, end))
    )
    both = sa.union_all(invoices, payments, reversals).subquery("line")
    return sa.select(*both.c).order_by(both.c.date, both.c.ord, both.c.ref)


def _opening() -> sa.Select[Any]:
    """Per currency: invoiced less paid/credited/written off up to ``:d``."""
    cid, end = sa.bindparam("c", type_=sa.Integer), sa.bindparam("d", type_=sa.Date)
    moves = sa.union_all(
        sa.select(col(Invoice.currency).label("currency"), col(Invoice.amount).label("amt")).where(
            col(Invoice.customer_id) == cid, col(Invoice.issue_date) <= end
        ),
        sa.select(col(Payment.currency), -col(Payment.amount)).where(
            col(Payment.customer_id) == cid, col(Payment.date) <= end
        ),
        sa.select(col(Payment.currency), col(Payment.amount)).where(  # 退票: owed again
            col(Payment.customer_id) == cid, col(Payment.reversed_on) <= end
        ),
    ).subquery("move")
    total = sa.cast(sa.func.sum(moves.c.amt), sa.BigInteger)
    return sa.select(moves.c.currency, total).group_by(moves.c.currency)


LINES = _lines()
OPENING = _opening()


def statement(
    conn: Connection, code: str, as_of: date, since: date | None
) -> tuple[list[Line], list[Summary]]:
    """Lines (date, type, ref, currency, debit, credit, balance) and per-currency summaries."""
    cid = require_customer(conn, code).id
    db = sa_of(conn)
    opening: dict[str, int] = {}
    if since is not None:
        rows = db.execute(OPENING, {"c": cid, "d": since - timedelta(days=1)})
        opening = {cur: amount for cur, amount in rows}
    params = {"c": cid, "a": since or date.min, "d": as_of}
    running = dict(opening)
    lines = [
        Line(since, "opening", "", None, cur, Fen(0), Fen(0), Fen(bal))
        for cur, bal in sorted(opening.items())
        if since is not None
    ]
    totals: dict[str, dict[str, int]] = {}
    for day, _, kind, ref, cur, debit, credit, due in db.execute(LINES, params):
        running[cur] = running.get(cur, 0) + debit - credit
        lines.append(Line(day, kind, ref, due or None, cur, debit, credit, Fen(running[cur])))
        t = totals.setdefault(cur, {"invoiced": 0, "payment": 0, "credit_note": 0, "write_off": 0})
        _count(t, kind, debit, credit)
    return lines, list(_summaries(opening, totals, running))


# A void nets out of what was invoiced, a reversal (退票) out of what was paid (红冲).
_NETTED = {"invoice": ("invoiced", 1), "void": ("invoiced", -1), "reversal": ("payment", -1)}


def _count(totals: dict[str, int], kind: str, debit: int, credit: int) -> None:
    """Add a line to the summary of its currency."""
    key, sign = _NETTED.get(kind, (kind, 1))
    totals[key] += sign * (debit + credit)


def _summaries(
    opening: dict[str, int], totals: dict[str, dict[str, int]], closing: dict[str, int]
) -> Iterator[Summary]:
    for cur in sorted(closing):
        t = totals.get(cur, {"invoiced": 0, "payment": 0, "credit_note": 0, "write_off": 0})
        yield Summary(
            cur,
            Fen(opening.get(cur, 0)),
            Fen(t["invoiced"]),
            Fen(t["payment"]),
            Fen(t["credit_note"]),
            Fen(t["write_off"]),
            Fen(closing[cur]),
        )
