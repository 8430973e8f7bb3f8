"""Allocation of an import's new payments computed set-wise (DESIGN §3), written in bulk.

Same result as calling :func:`huikuan.store.ledger.allocate_payment` for each new payment in
date order (then id): for a batch of customers, their new payments, their open invoices and
the invoices the payments name are read once, :func:`allocate_in_order` computes the
allocations, and they are written with one executemany per table and batch. Existing
unapplied credit is left as it is, as the per-payment path leaves it. The one difference:
allocation ids follow the customer batches, not the global date order (each payment's
allocations still get increasing ids in the order they were made).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.allocation import Key, NewPayment, allocate_in_order
from huikuan.db.models import Allocation, Invoice, Payment
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import id_of

BATCH = 5000  # rows per executemany / multi-row statement
IN_BATCH = 500  # ids or customers per IN (…) list
CUSTOMERS = 500  # customers allocated together (their new payments and open invoices in memory)

NEW_PAYMENTS = (
    sa.select(
        id_of(Payment),
        col(Payment.customer_id),
        col(Payment.currency),
        col(Payment.amount),
        col(Payment.invoice_id),
        col(Payment.date),
    )
    .where(id_of(Payment) >= sa.bindparam("first"))
    .order_by(col(Payment.date), id_of(Payment))
)
NEW_CUSTOMERS = (
    sa.select(col(Payment.customer_id))
    .distinct()
    .where(id_of(Payment) >= sa.bindparam("first"))
    .order_by(col(Payment.customer_id))
)
SET_OPEN = (
    sa.update(Invoice)
    .where(id_of(Invoice) == sa.bindparam("iid"))
    .values(open_amount=sa.bindparam("open"))
)
SET_UNAPPLIED = (
    sa.update(Payment)
    .where(id_of(Payment) == sa.bindparam("pid"))
    .values(unapplied=sa.bindparam("left"))
)


AllocationRow = tuple[int, int, int, date]  # (payment id, invoice id, amount, date)
Writer = Callable[[Any, list[AllocationRow], list[tuple[int, int]], list[tuple[int, int]]], None]


def write_rows(
    conn: Connection,
    allocations: list[AllocationRow],
    opens: list[tuple[int, int]],
    unapplied: list[tuple[int, int]],
) -> None:
    """Insert ``allocations``; set ``(open amount, invoice id)`` and ``(unapplied, payment id)``.

    SQLAlchemy statements, many parameter sets per batch (any engine); SQLite's importer
    passes the leaner :func:`huikuan.store.bulk.write_allocations`.
    """
    db = sa_of(conn)
    keys = ("payment_id", "invoice_id", "amount", "date")
    for batch in _batches(allocations, BATCH):
        db.execute(sa.insert(Allocation), [dict(zip(keys, row)) for row in batch])
    for batch in _batches(opens, BATCH):
        db.execute(SET_OPEN, [{"open": v, "iid": i} for v, i in batch])
    for batch in _batches(unapplied, BATCH):
        db.execute(SET_UNAPPLIED, [{"left": v, "pid": p} for v, p in batch])


def allocate_new_payments(conn: Connection, first_id: int, write: Writer = write_rows) -> int:
    """Allocate every payment with id ≥ ``first_id`` (this import's); return allocations made.

    Customers are taken :data:`CUSTOMERS` at a time (payments of different customers never
    meet an invoice in common), which bounds memory; ``write`` puts each batch's result in
    the database (:func:`write_rows`, or an engine's bulk writer).
    """
    db = sa_of(conn)
    customers = list(db.execute(NEW_CUSTOMERS, {"first": first_id}).scalars())
    return sum(
        _allocate_batch(conn, first_id, batch, write) for batch in _batches(customers, CUSTOMERS)
    )


def _allocate_batch(
    conn: Connection, first_id: int, customers: Sequence[int], write: Writer
) -> int:
    db = sa_of(conn)
    stmt = NEW_PAYMENTS.where(col(Payment.customer_id).in_(customers))
    payments: list[NewPayment] = []
    days: dict[int, date] = {}
    for p, c, cur, amt, inv, day in db.execute(stmt, {"first": first_id}):
        payments.append((p, (c, cur), amt, inv))
        days[p] = day
    queues, opens = _open_invoices(db, {key for _, key, _, _ in payments})
    opens.update(_named_opens(db, {inv for *_, inv in payments if inv is not None} - opens.keys()))
    parts, unapplied = allocate_in_order(payments, queues, opens)
    left = dict(opens)
    for _, inv, amt in parts:
        left[inv] -= amt
    write(
        conn,
        [(p, i, a, days[p]) for p, i, a in parts],
        [(v, i) for i, v in left.items() if v != opens[i]],
        [(v, p) for p, v in unapplied.items()],
    )
    return len(parts)


def _open_invoices(
    db: sa.Connection, keys: set[Key]
) -> tuple[dict[Key, list[int]], dict[int, int]]:
    """Open invoices of the customers touched, oldest first per (customer, currency)."""
    queues: dict[Key, list[int]] = {}
    opens: dict[int, int] = {}
    customers = sorted({cid for cid, _ in keys})
    for ids in _batches(customers, IN_BATCH):
        stmt = (
            sa.select(id_of(Invoice), col(Invoice.customer_id), col(Invoice.currency))
            .add_columns(col(Invoice.open_amount))
            .where(col(Invoice.open_amount) > 0, col(Invoice.customer_id).in_(ids))
            .order_by(
                col(Invoice.customer_id),
                col(Invoice.currency),
                col(Invoice.due_date),
                col(Invoice.issue_date),
                col(Invoice.number),
            )
        )
        for iid, cid, cur, open_amount in db.execute(stmt):
            if (cid, cur) in keys:
                queues.setdefault((cid, cur), []).append(iid)
                opens[iid] = open_amount
    return queues, opens


def _named_opens(db: sa.Connection, ids: set[int]) -> dict[int, int]:
    """The open amounts of named invoices not read as open (fully paid ones)."""
    out: dict[int, int] = {}
    for batch in _batches(sorted(ids), IN_BATCH):
        stmt = sa.select(id_of(Invoice), col(Invoice.open_amount)).where(id_of(Invoice).in_(batch))
        out.update({iid: open_amount for iid, open_amount in db.execute(stmt)})
    return out


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def allocate_each(conn: Connection, first_id: int, write: Writer | None = None) -> int:
    """The per-payment path: :func:`ledger.allocate_payment` for each new payment in order.

    Kept as the reference the set-wise path is tested against (``write`` is not used: each
    payment writes its own rows); returns payments allocated.
    """
    from huikuan.store.ledger import allocate_payment

    stmt = (
        sa.select(id_of(Payment))
        .where(id_of(Payment) >= first_id)
        .order_by(col(Payment.date), id_of(Payment))
    )
    ids = list(sa_of(conn).execute(stmt).scalars())
    for pid in ids:
        allocate_payment(conn, pid)
    return len(ids)
