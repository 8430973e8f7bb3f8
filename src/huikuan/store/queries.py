"""Reading the ledger: lists, single records and exports, as typed rows.

SQLAlchemy statements over the models; the rows are the read models of
:mod:`huikuan.store.read_models` (money in 分, dates as ``date``);
:func:`huikuan.core.rows.plain` gives their output form.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.records import CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS
from huikuan.core.rows import Fen, plain
from huikuan.db.models import Allocation, Contact, Customer, Invoice, Payment
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import id_of, require_customer, require_invoice
from huikuan.store.read_models import (
    AllocationRow,
    Applied,
    Balance,
    ContactRow,
    CustomerExport,
    CustomerInfo,
    CustomerRow,
    ExportRow,
    InvoiceExport,
    InvoiceInfo,
    InvoiceRow,
    PaymentExport,
    PaymentRow,
)

STREAM = {"yield_per": 2000}  # big lists and exports are read in batches, not all at once


def _total(column: Any) -> Any:
    """``SUM(column)`` as a 64-bit integer on both engines (PostgreSQL sums to numeric)."""
    return sa.cast(sa.func.sum(column), sa.BigInteger)


def _customer_columns(*extra: str) -> list[Any]:
    return [col(getattr(Customer, name)) for name in (*CUSTOMER_COLUMNS, *extra)]


def customers(
    conn: Connection,
    segment: str | None = None,
    salesperson: str | None = None,
    blocked: bool | None = None,
) -> Iterator[CustomerRow]:
    """Customers ordered by code, with optional filters."""
    stmt = sa.select(*_customer_columns("blocked", "blocked_reason", "legal"))
    if segment is not None:
        stmt = stmt.where(col(Customer.segment) == segment)
    if salesperson is not None:
        stmt = stmt.where(col(Customer.salesperson) == salesperson)
    if blocked is not None:
        stmt = stmt.where(col(Customer.blocked) == blocked)
    result = sa_of(conn).execute(stmt.order_by(col(Customer.code)))
    return map(CustomerRow._make, result)


CUSTOMER = sa.select(
    *_customer_columns("dunning_policy", "blocked", "blocked_reason", "legal", "created_at")
).where(col(Customer.id) == sa.bindparam("cid"))


def customer(conn: Connection, code: str) -> CustomerInfo:
    """One customer's fields."""
    cid = require_customer(conn, code).id
    return CustomerInfo._make(sa_of(conn).execute(CUSTOMER, {"cid": cid}).one())


def contacts(conn: Connection, code: str | None = None) -> Iterator[ContactRow]:
    """Contacts, finance and decision makers first."""
    role_order = sa.case({"finance": 0, "decision_maker": 1}, value=col(Contact.role), else_=2)
    stmt = sa.select(
        col(Customer.code).label("customer"),
        *(col(getattr(Contact, c)) for c in ("name", "role", "title", "phone", "email")),
        col(Contact.wechat),
        col(Contact.note),
    ).join(Customer, col(Customer.id) == col(Contact.customer_id))
    stmt = stmt.where(col(Contact.removed_on).is_(None))  # removed ones stay in the audit log
    if code:
        require_customer(conn, code)
        stmt = stmt.where(col(Customer.code) == code)
    stmt = stmt.order_by(col(Customer.code), role_order, col(Contact.id))
    yield from map(ContactRow._make, sa_of(conn).execute(stmt))


def _balances() -> sa.Select[Any]:
    cid, day = sa.bindparam("c", type_=sa.Integer), sa.bindparam("d", type_=sa.Date)
    overdue = sa.case((col(Invoice.due_date) < day, col(Invoice.open_amount)), else_=0)
    inv = (
        sa.select(
            col(Invoice.currency).label("currency"),
            _total(col(Invoice.amount)).label("invoiced"),
            _total(col(Invoice.open_amount)).label("open"),
            _total(overdue).label("overdue"),
        )
        .where(col(Invoice.customer_id) == cid)
        .group_by(col(Invoice.currency))
        .cte("inv")
    )
    credit = (
        sa.select(
            col(Payment.currency).label("currency"),
            _total(col(Payment.unapplied)).label("unapplied"),
        )
        .where(col(Payment.customer_id) == cid)
        .group_by(col(Payment.currency))
        .having(sa.func.sum(col(Payment.unapplied)) > 0)
        .cte("credit")
    )
    cur = sa.union(sa.select(inv.c.currency), sa.select(credit.c.currency)).cte("cur")
    zero = sa.literal_column("0", sa.BigInteger)
    return (
        sa.select(
            cur.c.currency,
            sa.func.coalesce(inv.c.invoiced, zero).label("invoiced"),
            sa.func.coalesce(inv.c.open, zero).label("open"),
            sa.func.coalesce(inv.c.overdue, zero).label("overdue"),
            sa.func.coalesce(credit.c.unapplied, zero).label("unapplied"),
        )
        .select_from(cur)
        .outerjoin(inv, inv.c.currency == cur.c.currency)
        .outerjoin(credit, credit.c.currency == cur.c.currency)
        .order_by(cur.c.currency)
    )


BALANCES = _balances()


def balances(conn: Connection, code: str, as_of: date) -> list[Balance]:
    """Per currency: invoiced, open, overdue and unapplied credit now (as of ``as_of`` for overdue)."""
    cid = require_customer(conn, code).id
    result = sa_of(conn).execute(BALANCES, {"d": as_of, "c": cid})
    return [Balance._make(row) for row in result]


INVOICE_LIST: Any = sa.select(
    col(Invoice.number),
    col(Customer.code).label("customer"),
    col(Invoice.issue_date),
    col(Invoice.due_date),
    col(Invoice.amount),
    col(Invoice.open_amount).label("open"),
    col(Invoice.currency),
    col(Invoice.terms),
    col(Invoice.salesperson),
    col(Invoice.disputed),
    col(Invoice.dispute_reason),
).join(Customer, col(Customer.id) == col(Invoice.customer_id))


def _status(status: str, as_of: date) -> Any:
    return {
        "all": sa.true(),
        "open": col(Invoice.open_amount) > 0,
        "disputed": col(Invoice.disputed) == sa.true(),
        "overdue": sa.and_(col(Invoice.open_amount) > 0, col(Invoice.due_date) < as_of),
    }[status]


def invoices(conn: Connection, code: str | None, status: str, as_of: date) -> Iterator[InvoiceRow]:
    """Invoices (``status``: all, open, overdue, disputed), oldest due first."""
    stmt = INVOICE_LIST
    if code:
        stmt = stmt.where(col(Invoice.customer_id) == require_customer(conn, code).id)
    stmt = stmt.where(_status(status, as_of)).order_by(col(Invoice.due_date), col(Invoice.number))
    result = sa_of(conn).execute(stmt.execution_options(**STREAM))
    for row in result:
        late = max(0, (as_of - row.due_date).days) if row.open else 0
        yield InvoiceRow._make((*row, late))


INVOICE = INVOICE_LIST.add_columns(
    col(Invoice.contract), col(Invoice.description), col(Invoice.milestone)
).where(col(Invoice.id) == sa.bindparam("iid"))
VOIDED = sa.select(col(Invoice.voided_on), col(Invoice.void_reason)).where(
    col(Invoice.id) == sa.bindparam("iid")
)
ALLOCATIONS = (
    sa.select(
        col(Allocation.date),
        col(Payment.kind),
        col(Allocation.amount),
        col(Payment.reference),
        col(Payment.method),
    )
    .join(Payment, col(Payment.id) == col(Allocation.payment_id))
    .where(col(Allocation.invoice_id) == sa.bindparam("iid"))
    .order_by(col(Allocation.date), col(Allocation.id))
)


def invoice(conn: Connection, number: str) -> tuple[InvoiceInfo, list[AllocationRow]]:
    """One invoice and its allocations (payments, credit notes, write-offs)."""
    inv = require_invoice(conn, number)
    db = sa_of(conn)
    row = db.execute(INVOICE, {"iid": inv.id}).one()
    voided = db.execute(VOIDED, {"iid": inv.id}).one()
    allocs = db.execute(ALLOCATIONS, {"iid": inv.id})
    return InvoiceInfo._make((*row, *voided)), [AllocationRow._make(a) for a in allocs]


PAYMENT_LIST: Any = (
    sa.select(
        id_of(Payment).label("id"),
        col(Payment.date),
        col(Customer.code).label("customer"),
        col(Payment.kind),
        col(Payment.amount),
        col(Payment.currency),
        col(Invoice.number).label("invoice"),
        col(Payment.reference),
        col(Payment.method),
        col(Payment.unapplied),
        col(Payment.note),
        col(Payment.reversed_on),
    )
    .join(Customer, col(Customer.id) == col(Payment.customer_id))
    .outerjoin(Invoice, col(Invoice.id) == col(Payment.invoice_id))
)


def payments(
    conn: Connection,
    code: str | None,
    kind: str | None,
    since: date | None,
    until: date | None,
) -> Iterator[PaymentRow]:
    """Payments (and credit notes / write-offs when ``kind`` is None), by date."""
    stmt = PAYMENT_LIST
    if code:
        stmt = stmt.where(col(Payment.customer_id) == require_customer(conn, code).id)
    if kind is not None:
        stmt = stmt.where(col(Payment.kind) == kind)
    if since is not None:
        stmt = stmt.where(col(Payment.date) >= since)
    if until is not None:
        stmt = stmt.where(col(Payment.date) <= until)
    stmt = stmt.order_by(col(Payment.date), col(Payment.id)).execution_options(**STREAM)
    yield from map(PaymentRow._make, sa_of(conn).execute(stmt))


EXPORTS: dict[str, tuple[Any, type[ExportRow]]] = {
    "customers": (
        sa.select(*_customer_columns()).order_by(col(Customer.code)),
        CustomerExport,
    ),
    "invoices": (
        sa.select(
            col(Invoice.number),
            col(Customer.code).label("customer"),
            *(col(getattr(Invoice, c)) for c in ("issue_date", "amount", "due_date", "terms")),
            *(col(getattr(Invoice, c)) for c in ("currency", "contract", "salesperson")),
            col(Invoice.description),
            col(Invoice.milestone),
        )
        .join(Customer, col(Customer.id) == col(Invoice.customer_id))
        .where(col(Invoice.voided_on).is_(None))  # re-imported, a void would be owed again
        .order_by(col(Invoice.id)),
        InvoiceExport,
    ),
    "payments": (
        sa.select(
            col(Customer.code).label("customer"),
            col(Payment.date),
            col(Payment.amount),
            sa.case((col(Invoice.voided_on).is_(None), col(Invoice.number))).label("invoice"),
            col(Payment.currency),
            col(Payment.reference),
            col(Payment.method),
        )
        .join(Customer, col(Customer.id) == col(Payment.customer_id))
        .outerjoin(Invoice, col(Invoice.id) == col(Payment.invoice_id))
        .where(col(Payment.kind) == "payment", col(Payment.reversed_on).is_(None))
        .order_by(col(Payment.id)),
        PaymentExport,
    ),
}


def export(conn: Connection, kind: str) -> Iterator[ExportRow]:
    """Rows with the import columns, so an export can be imported again."""
    stmt, row = EXPORTS[kind if kind in ("customers", "invoices") else "payments"]
    yield from map(row._make, sa_of(conn).execute(stmt.execution_options(**STREAM)))


EXPORT_COLUMNS = {
    "customers": list(CUSTOMER_COLUMNS),
    "invoices": list(INVOICE_COLUMNS),
    "payments": list(PAYMENT_COLUMNS),
}

APPLIED: Any = (
    sa.select(
        col(Invoice.number).label("invoice"),
        col(Allocation.amount),
        col(Invoice.open_amount).label("open_after"),
    )
    .join(Invoice, col(Invoice.id) == col(Allocation.invoice_id))
    .where(col(Allocation.payment_id) == sa.bindparam("pid"))
    .order_by(col(Allocation.id))
)
UNAPPLIED = sa.select(col(Payment.unapplied)).where(col(Payment.id) == sa.bindparam("pid"))


def applied_to(conn: Connection, payment_id: int) -> list[Applied]:
    """Where one payment went: invoice, amount, the invoice's open amount after; and the rest."""
    db = sa_of(conn)
    rows = [Applied._make(row) for row in db.execute(APPLIED, {"pid": payment_id})]
    left = db.execute(UNAPPLIED, {"pid": payment_id}).scalar_one()
    if left:
        rows.append(Applied("(unapplied credit)", Fen(left), None))
    return rows


def applied(conn: Connection, payment_id: int) -> list[dict[str, Any]]:
    """:func:`applied_to` in its output form (for callers still taking dicts)."""
    return [plain(row) for row in applied_to(conn, payment_id)]
