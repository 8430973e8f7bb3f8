"""Checks before a payment or credit note is recorded: no document twice, no credit note
larger than what it credits (unless the user says so).

Each runs inside the caller's transaction and raises :class:`Conflict`; nothing is written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from huikuan.core.errors import Conflict
from huikuan.core.money import format_fen

Record = Mapping[str, Any]


def refuse_duplicate_reference(
    conn: sqlite3.Connection, rec: Record, kind: str = "payment"
) -> None:
    """Raise :class:`Conflict` when the customer already has a payment with this bank reference
    (``kind`` credit_note: a credit note with this number).

    The same rule as imports: a bank serial (银行流水号) is recorded once, so a statement line
    entered twice does not pay twice; nor does a credit note entered twice credit twice.
    """
    if not rec.get("reference"):
        return
    found = conn.execute(
        "SELECT date, amount, currency FROM payment"
        " WHERE customer_id = ? AND reference = ? AND kind = ?",
        (rec["customer_id"], rec["reference"], kind),
    ).fetchone()
    if found:
        what = "a credit note with number" if kind == "credit_note" else "a payment with reference"
        raise Conflict(
            f"{what} {rec['reference']!r} is already recorded for this customer"
            f" ({found[0]}, {found[2]} {format_fen(found[1])})"
        )


def refuse_credit_excess(conn: sqlite3.Connection, rec: Record) -> None:
    """Raise :class:`Conflict` when a credit note is larger than what it credits.

    That is the named invoice's open amount, or without an invoice the customer's open
    balance in the note's currency. The caller lets it through with ``--to-credit``: the
    excess then becomes the customer's credit, applied by the allocation rule.
    """
    if rec["invoice_id"] is not None:
        number, open_amount = conn.execute(
            "SELECT number, open_amount FROM invoice WHERE id = ?", (rec["invoice_id"],)
        ).fetchone()
        what = f"invoice {number}'s open amount"
    else:
        (open_amount,) = conn.execute(
            "SELECT COALESCE(SUM(open_amount), 0) FROM invoice"
            " WHERE customer_id = ? AND currency = ? AND open_amount > 0",
            (rec["customer_id"], rec["currency"]),
        ).fetchone()
        what = "the customer's open balance"
    excess = rec["amount"] - open_amount
    if excess > 0:
        cur = rec["currency"]
        raise Conflict(
            f"the credit note ({cur} {format_fen(rec['amount'])}) exceeds {what}"
            f" ({cur} {format_fen(open_amount)}); pass --to-credit to keep the excess"
            f" ({cur} {format_fen(excess)}) as the customer's credit"
        )
