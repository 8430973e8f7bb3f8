"""Writing to the ledger: customers, invoices, payments and their allocation, the audit log.

Every function here runs inside the caller's transaction (``Ledger.transaction``), as
SQLAlchemy statements over the models (:func:`huikuan.store.db.sa_of`). The SQLite bulk-import
helpers (``insert_invoice_rows``, ``drop_invoice_indexes``, ``create_indexes``) live in
:mod:`huikuan.store.bulk` and are re-exported here for the importer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.allocation import allocate
from huikuan.core.errors import Conflict, NotFound
from huikuan.core.money import format_fen
from huikuan.core.records import CUSTOMER_COLUMNS, InvoiceRef
from huikuan.db.models import Allocation, Audit, Contact, Customer, Invoice, Payment
from huikuan.store.bulk import BATCH as BATCH
from huikuan.store.bulk import INVOICE_FIELDS as INVOICE_FIELDS
from huikuan.store.bulk import create_indexes as create_indexes
from huikuan.store.bulk import drop_indexes as drop_indexes
from huikuan.store.bulk import drop_invoice_indexes as drop_invoice_indexes
from huikuan.store.bulk import insert_invoice_rows as insert_invoice_rows
from huikuan.store.bulk import insert_payment_rows as insert_payment_rows
from huikuan.store.bulk import repeated_references as repeated_references
from huikuan.store.bulk import write_allocations as write_allocations
from huikuan.store.db import Connection, sa_of
from huikuan.store.refs import CUSTOMER_REF as CUSTOMER_REF
from huikuan.store.refs import customer_ref as customer_ref
from huikuan.store.refs import require_customer as require_customer

Record = Mapping[str, Any]

PAYMENT_FIELDS = ("customer_id", "date", "amount", "currency", "invoice_id", "reference", "method")
CONTACT_FIELDS = ("name", "role", "title", "phone", "email", "wechat", "note")
INVOICE_DATES = ("issue_date", "due_date")


def id_of(model: Any) -> sa.ColumnElement[int]:
    """A model's ``id`` column, typed as what it holds in the database (never None)."""
    return cast("sa.ColumnElement[int]", col(model.id))


def day_of(value: date | str) -> date:
    """A date given as ``date`` or ISO text, as a ``date`` (what a Date column binds)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def audit(
    conn: Connection,
    user: str,
    action: str,
    entity: str,
    key: str | None,
    detail: Any = None,
) -> None:
    """Record one change in the audit log."""
    sa_of(conn).execute(
        sa.insert(Audit).values(
            at=_now(),
            username=user,
            action=action,
            entity=entity,
            key=key,
            detail=json.dumps(detail, ensure_ascii=False, default=str),
        )
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- lookups -------------------------------------------------------------------------------

INVOICE_REF = sa.select(id_of(Invoice), col(Invoice.customer_id), col(Invoice.currency)).where(
    col(Invoice.number) == sa.bindparam("number")
)
CUSTOMER_CURRENCIES = (
    sa.select(col(Invoice.currency))
    .distinct()
    .where(col(Invoice.customer_id) == sa.bindparam("cid"))
    .order_by(col(Invoice.currency))
)


def invoice_ref(conn: Connection, number: str) -> InvoiceRef | None:
    """The invoice with ``number``, or None."""
    row = sa_of(conn).execute(INVOICE_REF, {"number": number}).first()
    return InvoiceRef(*row) if row else None


def customer_currencies(conn: Connection, customer_id: int) -> list[str]:
    """The currencies the customer has been invoiced in, sorted."""
    return list(sa_of(conn).execute(CUSTOMER_CURRENCIES, {"cid": customer_id}).scalars())


def require_invoice(conn: Connection, number: str) -> InvoiceRef:
    """The invoice with ``number``; :class:`NotFound` otherwise."""
    ref = invoice_ref(conn, number)
    if ref is None:
        raise NotFound(f"unknown invoice {number!r} (see `huikuan invoice list`)")
    return ref


# --- inserts -------------------------------------------------------------------------------


def insert_customers(conn: Connection, records: Iterable[Record]) -> int:
    """Insert checked customer records; return how many."""
    now = _now()
    rows = [{**{c: r[c] for c in CUSTOMER_COLUMNS}, "created_at": now} for r in records]
    if rows:
        try:
            sa_of(conn).execute(sa.insert(Customer), rows)
        except sa.exc.IntegrityError as exc:  # a duplicate code: the importer finds which
            raise (exc.orig or exc) from None
    return len(rows)


def invoice_row(rec: Record) -> tuple[Any, ...]:
    """A checked invoice record as the tuple :func:`insert_invoice_rows` takes.

    The last four fields (contract … milestone) are left off when all are empty, which
    keeps bulk inserts narrow.
    """
    row = tuple(rec[c] for c in INVOICE_FIELDS)
    return row if any(row[7:]) else row[:7]


def insert_invoices(conn: Connection, records: Iterable[Record]) -> int:
    """Insert checked invoice records (open = amount) without applying credit; return count."""
    rows = [
        {
            **{c: rec[c] for c in INVOICE_FIELDS},
            **{c: day_of(rec[c]) for c in INVOICE_DATES},
            "open_amount": rec["amount"],
        }
        for rec in records
    ]
    if rows:
        sa_of(conn).execute(sa.insert(Invoice), rows)
    return len(rows)


def insert_payment(
    conn: Connection, rec: Record, kind: str = "payment", note: str | None = None
) -> int:
    """Insert one payment, credit note or write-off and allocate it; return its id."""
    values = {**{c: rec[c] for c in PAYMENT_FIELDS}, "date": day_of(rec["date"])}
    stmt = (
        sa.insert(Payment)
        .values(**values, kind=kind, note=note, unapplied=rec["amount"])
        .returning(id_of(Payment))
    )
    pid: int = sa_of(conn).execute(stmt).scalar_one()
    allocate_payment(conn, pid)
    return pid


# --- allocation ----------------------------------------------------------------------------

PAYMENT_TO_ALLOCATE = (
    sa.select(
        col(Payment.customer_id),
        col(Payment.currency),
        col(Payment.date),
        col(Payment.unapplied),
        col(Payment.invoice_id),
        col(Invoice.open_amount),
    )
    .outerjoin(Invoice, col(Invoice.id) == col(Payment.invoice_id))
    .where(col(Payment.id) == sa.bindparam("pid"))
)
ADD_ALLOCATION = sa.insert(Allocation)
OPEN_INVOICES = (
    sa.select(id_of(Invoice), col(Invoice.open_amount))
    .where(
        col(Invoice.open_amount) > 0,
        col(Invoice.customer_id) == sa.bindparam("cid"),
        col(Invoice.currency) == sa.bindparam("cur"),
    )
    .order_by(col(Invoice.due_date), col(Invoice.issue_date), col(Invoice.number))
)
UNAPPLIED_CREDITS = (
    sa.select(id_of(Payment), col(Payment.date), col(Payment.unapplied))
    .where(
        col(Payment.unapplied) > 0,
        col(Payment.customer_id) == sa.bindparam("cid"),
        col(Payment.currency) == sa.bindparam("cur"),
    )
    .order_by(col(Payment.date), col(Payment.id))
)
CREDIT_PAIRS = (
    sa.select(col(Payment.customer_id), col(Payment.currency))
    .distinct()
    .where(col(Payment.unapplied) > 0)
)
REDUCE_OPEN = (
    sa.update(Invoice)
    .where(col(Invoice.id) == sa.bindparam("inv"))
    .values(open_amount=col(Invoice.open_amount) - sa.bindparam("amt"))
)
SET_UNAPPLIED = (
    sa.update(Payment)
    .where(col(Payment.id) == sa.bindparam("pid"))
    .values(unapplied=sa.bindparam("left"))
)


def allocate_payment(conn: Connection, payment_id: int) -> int:
    """Apply a payment's unapplied amount by the fixed rule; return what stays unapplied.

    When the invoice the payment names takes all of it, the other open invoices are not read.
    """
    found = sa_of(conn).execute(PAYMENT_TO_ALLOCATE, {"pid": payment_id}).one()
    cust, currency, day, rest, named, named_open = found
    named_pair = None if named is None else (named, named_open)
    parts, left = allocate(rest, [], named_pair)
    if left:
        parts, left = allocate(rest, _open_invoices(conn, cust, currency), named_pair)
    _apply(conn, payment_id, day, parts, left, rest)
    return left


def apply_credit(conn: Connection, customer_id: int, currency: str, on: date | None = None) -> None:
    """Apply the customer's unapplied credit (oldest first) to its open invoices (oldest first).

    The allocations carry the payment's date; after a correction made on ``on`` they carry
    ``on`` when the payment is older, so reports as of an earlier date are unchanged.
    """
    params = {"cid": customer_id, "cur": currency}
    credits = sa_of(conn).execute(UNAPPLIED_CREDITS, params).all()
    for pid, day, rest in credits:
        invoices = _open_invoices(conn, customer_id, currency)
        if not invoices:
            return
        parts, left = allocate(rest, invoices)
        _apply(conn, pid, max(day, on) if on is not None else day, parts, left, rest)


def apply_all_credit(conn: Connection) -> None:
    """Apply unapplied credit wherever a customer now has open invoices of that currency."""
    for cust, currency in sa_of(conn).execute(CREDIT_PAIRS).all():
        apply_credit(conn, cust, currency)


def _open_invoices(conn: Connection, customer_id: int, currency: str) -> list[tuple[int, int]]:
    rows = sa_of(conn).execute(OPEN_INVOICES, {"cid": customer_id, "cur": currency})
    return [(iid, open_amount) for iid, open_amount in rows]


def _apply(
    conn: Connection,
    pid: int,
    day: date,
    parts: list[tuple[int, int]],
    left: int,
    before: int,
) -> None:
    """Write the allocations ``parts`` of payment ``pid``, whose unapplied goes from
    ``before`` to ``left``."""
    db = sa_of(conn)
    if parts:
        allocations = [
            {"payment_id": pid, "invoice_id": inv, "amount": amt, "date": day} for inv, amt in parts
        ]
        db.execute(ADD_ALLOCATION, allocations)
        db.execute(REDUCE_OPEN, [{"inv": inv, "amt": amt} for inv, amt in parts])
    if left != before:
        db.execute(SET_UNAPPLIED, {"pid": pid, "left": left})


INVOICE_TO_WRITE_OFF = sa.select(
    col(Invoice.customer_id),
    col(Invoice.currency),
    col(Invoice.open_amount),
    col(Invoice.issue_date),
).where(col(Invoice.id) == sa.bindparam("iid"))


def write_off(
    conn: Connection, invoice_id: int, amount: int | None, day: str, reason: str | None
) -> tuple[int, int]:
    """Write off (坏账核销) part or all of an invoice's open amount; return (payment id, amount)."""
    found = sa_of(conn).execute(INVOICE_TO_WRITE_OFF, {"iid": invoice_id}).one()
    cust, currency, open_amount, issue = found
    amount = open_amount if amount is None else amount
    if open_amount == 0:
        raise Conflict("the invoice has nothing open to write off")
    if amount > open_amount:
        raise Conflict(
            f"write-off {format_fen(amount)} exceeds the open amount {format_fen(open_amount)}"
        )
    if day_of(day) < issue:
        raise Conflict(f"write-off date {day} is before the invoice's issue date {issue}")
    rec = {
        "customer_id": cust,
        "date": day,
        "amount": amount,
        "currency": currency,
        "invoice_id": invoice_id,
        "reference": None,
        "method": None,
    }
    return insert_payment(conn, rec, "write_off", reason), amount


# --- changes to existing records -------------------------------------------------------------

CUSTOMER_EDITABLE = (*CUSTOMER_COLUMNS, "legal", "dunning_policy")


def update_customer(conn: Connection, user: str, code: str, changes: Record) -> None:
    """Set checked customer fields; audit old and new values."""
    cid = require_customer(conn, code).id
    cols = [c for c in changes if c in CUSTOMER_EDITABLE]
    db = sa_of(conn)
    found = db.execute(
        sa.select(*(col(getattr(Customer, c)) for c in cols)).where(col(Customer.id) == cid)
    ).one()
    old = {c: int(v) if isinstance(v, bool) else v for c, v in zip(cols, found)}
    db.execute(
        sa.update(Customer).where(col(Customer.id) == cid).values({c: changes[c] for c in cols})
    )
    audit(conn, user, "edit", "customer", code, {"old": old, "new": {c: changes[c] for c in cols}})


def set_blocked(conn: Connection, user: str, code: str, blocked: bool, reason: str | None) -> None:
    """Block (no new credit, no dunning changes) or unblock a customer."""
    cid = require_customer(conn, code).id
    sa_of(conn).execute(
        sa.update(Customer)
        .where(col(Customer.id) == cid)
        .values(blocked=bool(blocked), blocked_reason=reason if blocked else None)
    )
    audit(conn, user, "block" if blocked else "unblock", "customer", code, {"reason": reason})


def add_contact(conn: Connection, user: str, code: str, rec: Record) -> int:
    """Add a contact to a customer; return its id."""
    cid = require_customer(conn, code).id
    stmt = (
        sa.insert(Contact)
        .values(customer_id=cid, **{c: rec[c] for c in CONTACT_FIELDS})
        .returning(id_of(Contact))
    )
    contact_id: int = sa_of(conn).execute(stmt).scalar_one()
    audit(conn, user, "add", "contact", code, dict(rec))
    return contact_id


def set_disputed(
    conn: Connection, user: str, number: str, disputed: bool, reason: str | None
) -> None:
    """Mark an invoice disputed (no dunning while disputed) or clear the dispute."""
    inv = require_invoice(conn, number)
    sa_of(conn).execute(
        sa.update(Invoice)
        .where(col(Invoice.id) == inv.id)
        .values(disputed=bool(disputed), dispute_reason=reason if disputed else None)
    )
    audit(conn, user, "dispute" if disputed else "undispute", "invoice", number, {"reason": reason})
