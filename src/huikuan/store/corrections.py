"""Corrections, never deletions: reversing a payment (退票) and voiding an invoice.

A correction is a dated ledger entry, so a report as of a date before it still shows what
the ledger said then (``open(D) = open_now + allocations dated after D``):

- a reversal writes, for each invoice the payment was applied to, a negative allocation of
  the same payment dated the reversal day; the invoices reopen, the payment keeps its row
  (``reversed_on``, ``reversal_reason``) with nothing left unapplied;
- a void closes the invoice's whole amount with an adjustment of kind ``void`` (not cash),
  allocated on the void day; with ``reverse_allocations`` what was applied to it first gets
  negative allocations on that day and becomes its payments' credit again.

Credit freed or waiting is then re-applied by the ledger's rule (oldest due first), dated the
correction day (or the payment's, when later), never back-dated. Each function runs inside
the caller's transaction and writes one audit row with the state before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.errors import Conflict, NotFound
from huikuan.core.money import format_fen
from huikuan.db.models import Allocation, Invoice, Payment
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import apply_credit, audit, id_of


@dataclass(frozen=True)
class Applied:
    """An amount (分) of a payment applied to, or taken back from, an invoice."""

    payment_id: int
    invoice: str
    amount: int


@dataclass(frozen=True)
class Reversal:
    """A reversed payment: what was taken back from invoices and what credit went where."""

    payment_id: int
    customer: str
    currency: str
    amount: int
    reversed_on: date
    freed: tuple[Applied, ...]
    reapplied: tuple[Applied, ...]


@dataclass(frozen=True)
class Void:
    """A voided invoice: its open amount closed, and the allocations it had given back."""

    number: str
    customer: str
    currency: str
    amount: int
    voided_on: date
    freed: tuple[Applied, ...]
    reapplied: tuple[Applied, ...]


PAYMENT_ROW = sa.select(
    col(Payment.kind),
    col(Payment.customer_id),
    col(Payment.currency),
    col(Payment.date),
    col(Payment.amount),
    col(Payment.unapplied),
    col(Payment.reversed_on),
    col(Payment.reference),
).where(col(Payment.id) == sa.bindparam("pid"))
NET = sa.func.sum(col(Allocation.amount))
APPLIED_BY_PAYMENT = (
    sa.select(col(Allocation.invoice_id), col(Invoice.number), NET)
    .join(Invoice, col(Invoice.id) == col(Allocation.invoice_id))
    .where(col(Allocation.payment_id) == sa.bindparam("pid"))
    .group_by(col(Allocation.invoice_id), col(Invoice.number))
    .having(NET > 0)
    .order_by(col(Invoice.number))
)
APPLIED_TO_INVOICE = (
    sa.select(col(Allocation.payment_id), col(Payment.kind), NET)
    .join(Payment, col(Payment.id) == col(Allocation.payment_id))
    .where(col(Allocation.invoice_id) == sa.bindparam("iid"))
    .group_by(col(Allocation.payment_id), col(Payment.kind))
    .having(NET > 0)
    .order_by(col(Allocation.payment_id))
)


def customer_code(conn: Connection, customer_id: int) -> str:
    """The code of the customer with ``customer_id``."""
    from huikuan.db.models import Customer

    stmt = sa.select(col(Customer.code)).where(col(Customer.id) == customer_id)
    return str(sa_of(conn).execute(stmt).scalar_one())


# --- finding the payment -----------------------------------------------------------------


def find_payment(conn: Connection, key: str) -> int:
    """The id of the payment named by ``key``: its id, else its reference (bank serial)."""
    db = sa_of(conn)
    if key.isdigit():
        found = db.execute(sa.select(id_of(Payment)).where(id_of(Payment) == int(key))).first()
        if found:
            return int(found[0])
    stmt = sa.select(id_of(Payment)).where(
        col(Payment.reference) == key, col(Payment.kind) == "payment"
    )
    ids = list(db.execute(stmt.order_by(id_of(Payment))).scalars())
    if not ids:
        raise NotFound(f"unknown payment {key!r} (see `huikuan payment list`)")
    if len(ids) > 1:
        listed = ", ".join(str(i) for i in ids)
        raise Conflict(f"several payments have reference {key} (ids {listed}): give the id")
    return ids[0]


# --- payment reverse ---------------------------------------------------------------------


def reverse_payment(
    conn: Connection, payment_id: int, *, on: date, reason: str, user: str
) -> Reversal:
    """Reverse a payment (退票) on ``on``: take back its allocations, re-apply waiting credit."""
    row = sa_of(conn).execute(PAYMENT_ROW, {"pid": payment_id}).first()
    if row is None:
        raise NotFound(f"unknown payment {payment_id} (see `huikuan payment list`)")
    kind, cid, currency, day, amount, unapplied, reversed_on, reference = row
    _check_reversible(payment_id, kind, day, reversed_on, on)
    freed = _applied_by(conn, payment_id)
    mark = _last_allocation(conn)
    _take_back(conn, [(payment_id, a.invoice, a.amount) for a in freed], on)
    sa_of(conn).execute(
        sa.update(Payment)
        .where(id_of(Payment) == payment_id)
        .values(unapplied=0, reversed_on=on, reversal_reason=reason)
    )
    apply_credit(conn, cid, currency, on)
    reapplied = _allocations_since(conn, mark, positive=True)
    result = Reversal(
        payment_id, customer_code(conn, cid), currency, amount, on, tuple(freed), reapplied
    )
    before = {"unapplied": unapplied, "applied": _plain(freed), "reversed_on": None}
    after = {"unapplied": 0, "reapplied": _plain(reapplied), "reversed_on": on.isoformat()}
    detail = {"reason": reason, "reference": reference, "amount": amount, "currency": currency}
    audit(
        conn,
        user,
        "reverse",
        "payment",
        str(payment_id),
        {**detail, "before": before, "after": after},
    )
    return result


def _check_reversible(
    payment_id: int, kind: str, day: date, reversed_on: date | None, on: date
) -> None:
    if kind != "payment":
        raise Conflict(
            f"payment {payment_id} is a {kind.replace('_', ' ')}, not money received;"
            " only payments are reversed"
        )
    if reversed_on is not None:
        raise Conflict(f"payment {payment_id} was already reversed on {reversed_on.isoformat()}")
    if on < day:
        raise Conflict(
            f"the reversal date {on.isoformat()} is before the payment's date {day.isoformat()}"
        )


# --- invoice void ------------------------------------------------------------------------

INVOICE_ROW = sa.select(
    id_of(Invoice),
    col(Invoice.customer_id),
    col(Invoice.currency),
    col(Invoice.amount),
    col(Invoice.open_amount),
    col(Invoice.issue_date),
    col(Invoice.voided_on),
).where(col(Invoice.number) == sa.bindparam("number"))


def void_invoice(
    conn: Connection,
    number: str,
    *,
    on: date,
    reason: str,
    user: str,
    reverse_allocations: bool = False,
) -> Void:
    """Void an invoice on ``on``: an adjustment (kind ``void``) closes its whole amount."""
    row = sa_of(conn).execute(INVOICE_ROW, {"number": number}).first()
    if row is None:
        raise NotFound(f"unknown invoice {number!r} (see `huikuan invoice list`)")
    iid, cid, currency, amount, open_amount, issue, voided_on = row
    _check_voidable(number, issue, voided_on, on)
    kinds, given = _applied_to(conn, iid, number)
    _refuse_applied(number, kinds, amount - open_amount, currency, reverse_allocations)
    mark = _last_allocation(conn)
    _take_back(conn, [(g.payment_id, iid, g.amount) for g in given], on)
    _close_with_void(conn, iid, cid, currency, amount, on, reason)
    apply_credit(conn, cid, currency, on)
    reapplied = _allocations_since(conn, mark, positive=True, skip_invoice=iid)
    result = Void(number, customer_code(conn, cid), currency, amount, on, tuple(given), reapplied)
    before = {"open": open_amount, "applied": _plain(given), "voided_on": None}
    after = {"open": 0, "reapplied": _plain(reapplied), "voided_on": on.isoformat()}
    detail = {"reason": reason, "amount": amount, "currency": currency}
    audit(conn, user, "void", "invoice", number, {**detail, "before": before, "after": after})
    return result


def _check_voidable(number: str, issue: date, voided_on: date | None, on: date) -> None:
    if voided_on is not None:
        raise Conflict(f"invoice {number} is already void (since {voided_on.isoformat()})")
    if on < issue:
        raise Conflict(
            f"the void date {on.isoformat()} is before the invoice's issue date {issue.isoformat()}"
        )


def _refuse_applied(
    number: str, kinds: set[str], applied: int, currency: str, reverse: bool
) -> None:
    if "write_off" in kinds:
        raise Conflict(f"invoice {number} has a write-off; a written-off invoice is not voided")
    if applied and not reverse:
        raise Conflict(
            f"invoice {number} has {currency} {format_fen(applied)} applied to it; pass"
            " --reverse-allocations to free it as credit (re-applied by the allocation rule)"
        )


def _applied_to(conn: Connection, invoice_id: int, number: str) -> tuple[set[str], list[Applied]]:
    """The kinds of what is applied to the invoice, and each payment's net amount on it."""
    rows = sa_of(conn).execute(APPLIED_TO_INVOICE, {"iid": invoice_id}).all()
    return {kind for _, kind, _ in rows}, [Applied(pid, number, int(net)) for pid, _, net in rows]


def _close_with_void(
    conn: Connection,
    iid: int,
    cid: int,
    currency: str,
    amount: int,
    on: date,
    reason: str,
) -> None:
    """The ``void`` adjustment: its allocation closes the (now whole) open amount."""
    db = sa_of(conn)
    values = {"customer_id": cid, "date": on, "amount": amount, "currency": currency}
    stmt = sa.insert(Payment).values(
        **values, kind="void", invoice_id=iid, note=reason, unapplied=0
    )
    pid = db.execute(stmt.returning(id_of(Payment))).scalar_one()
    db.execute(sa.insert(Allocation).values(payment_id=pid, invoice_id=iid, amount=amount, date=on))
    db.execute(
        sa.update(Invoice)
        .where(id_of(Invoice) == iid)
        .values(open_amount=0, voided_on=on, void_reason=reason)
    )


# --- shared steps ------------------------------------------------------------------------


def _applied_by(conn: Connection, payment_id: int) -> list[Applied]:
    rows = sa_of(conn).execute(APPLIED_BY_PAYMENT, {"pid": payment_id})
    return [Applied(payment_id, number, int(net)) for _, number, net in rows]


def _take_back(conn: Connection, parts: list[tuple[int, Any, int]], on: date) -> None:
    """Negative allocations ``(payment, invoice, amount)`` dated ``on``: the invoices reopen
    and the payments get the amounts back as credit."""
    if not parts:
        return
    db = sa_of(conn)
    ids = _invoice_ids(conn, [inv for _, inv, _ in parts])
    triples = [(pid, ids[inv], amt) for pid, inv, amt in parts]
    rows = [{"payment_id": p, "invoice_id": i, "amount": -a, "date": on} for p, i, a in triples]
    db.execute(sa.insert(Allocation), rows)
    reopen = (
        sa.update(Invoice)
        .where(id_of(Invoice) == sa.bindparam("iid"))
        .values(open_amount=col(Invoice.open_amount) + sa.bindparam("amt"))
    )
    db.execute(reopen, [{"iid": i, "amt": a} for _, i, a in triples])
    credit = (
        sa.update(Payment)
        .where(id_of(Payment) == sa.bindparam("pid"))
        .values(unapplied=col(Payment.unapplied) + sa.bindparam("amt"))
    )
    db.execute(credit, [{"pid": p, "amt": a} for p, _, a in triples])


def _invoice_ids(conn: Connection, keys: list[Any]) -> dict[Any, int]:
    """Invoice ids by number (ids given as ints map to themselves)."""
    numbers = [k for k in keys if isinstance(k, str)]
    out: dict[Any, int] = {k: k for k in keys if isinstance(k, int)}
    if numbers:
        stmt = sa.select(col(Invoice.number), id_of(Invoice)).where(
            col(Invoice.number).in_(numbers)
        )
        out |= {n: i for n, i in sa_of(conn).execute(stmt)}
    return out


def _last_allocation(conn: Connection) -> int:
    stmt = sa.select(sa.func.coalesce(sa.func.max(id_of(Allocation)), 0))
    return int(sa_of(conn).execute(stmt).scalar_one())


def _allocations_since(
    conn: Connection, mark: int, *, positive: bool, skip_invoice: int | None = None
) -> tuple[Applied, ...]:
    """The allocations written after ``mark`` (the re-applied credit), oldest first."""
    stmt = (
        sa.select(col(Allocation.payment_id), col(Invoice.number), col(Allocation.amount))
        .join(Invoice, id_of(Invoice) == col(Allocation.invoice_id))
        .join(Payment, id_of(Payment) == col(Allocation.payment_id))
        .where(id_of(Allocation) > mark, col(Payment.kind) != "void")
        .order_by(id_of(Allocation))
    )
    if positive:
        stmt = stmt.where(col(Allocation.amount) > 0)
    if skip_invoice is not None:
        stmt = stmt.where(col(Allocation.invoice_id) != skip_invoice)
    return tuple(Applied(p, n, int(a)) for p, n, a in sa_of(conn).execute(stmt))


def _plain(parts: Any) -> list[dict[str, Any]]:
    return [{"payment": a.payment_id, "invoice": a.invoice, "amount": a.amount} for a in parts]
