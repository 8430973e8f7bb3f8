"""Checks before a payment or credit note is recorded: no document twice, no credit note
larger than what it credits (unless the user says so).

Each runs inside the caller's transaction and raises :class:`Conflict`; nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.errors import Conflict
from huikuan.core.money import format_fen
from huikuan.db.models import Invoice, Payment
from huikuan.store.db import Connection, sa_of

Record = Mapping[str, Any]

SAME_REFERENCE = sa.select(col(Payment.date), col(Payment.amount), col(Payment.currency)).where(
    col(Payment.customer_id) == sa.bindparam("cid"),
    col(Payment.reference) == sa.bindparam("ref"),
    col(Payment.kind) == sa.bindparam("kind"),
)
INVOICE_OPEN = sa.select(col(Invoice.number), col(Invoice.open_amount)).where(
    col(Invoice.id) == sa.bindparam("iid")
)
# SUM of a bigint is numeric on PostgreSQL (a Decimal): cast back to 分 as an int
CUSTOMER_OPEN = sa.select(
    sa.func.coalesce(sa.cast(sa.func.sum(col(Invoice.open_amount)), sa.BigInteger), 0)
).where(
    col(Invoice.customer_id) == sa.bindparam("cid"),
    col(Invoice.currency) == sa.bindparam("cur"),
    col(Invoice.open_amount) > 0,
)


def refuse_duplicate_reference(conn: Connection, rec: Record, kind: str = "payment") -> None:
    """Raise :class:`Conflict` when the customer already has a payment with this bank reference
    (``kind`` credit_note: a credit note with this number).

    The same rule as imports: a bank serial (银行流水号) is recorded once, so a statement line
    entered twice does not pay twice; nor does a credit note entered twice credit twice.
    """
    if not rec.get("reference"):
        return
    params = {"cid": rec["customer_id"], "ref": rec["reference"], "kind": kind}
    found = sa_of(conn).execute(SAME_REFERENCE, params).first()
    if found:
        what = "a credit note with number" if kind == "credit_note" else "a payment with reference"
        day, amount, currency = found
        raise Conflict(
            f"{what} {rec['reference']!r} is already recorded for this customer"
            f" ({day.isoformat()}, {currency} {format_fen(amount)})"
        )


def refuse_credit_excess(conn: Connection, rec: Record) -> None:
    """Raise :class:`Conflict` when a credit note is larger than what it credits.

    That is the named invoice's open amount, or without an invoice the customer's open
    balance in the note's currency. The caller lets it through with ``--to-credit``: the
    excess then becomes the customer's credit, applied by the allocation rule.
    """
    db = sa_of(conn)
    if rec["invoice_id"] is not None:
        number, open_amount = db.execute(INVOICE_OPEN, {"iid": rec["invoice_id"]}).one()
        what = f"invoice {number}'s open amount"
    else:
        params = {"cid": rec["customer_id"], "cur": rec["currency"]}
        open_amount = db.execute(CUSTOMER_OPEN, params).scalar_one()
        what = "the customer's open balance"
    excess = rec["amount"] - open_amount
    if excess > 0:
        cur = rec["currency"]
        raise Conflict(
            f"the credit note ({cur} {format_fen(rec['amount'])}) exceeds {what}"
            f" ({cur} {format_fen(open_amount)}); pass --to-credit to keep the excess"
            f" ({cur} {format_fen(excess)}) as the customer's credit"
        )
