"""Payments (回款), credit notes and write-offs: record, list.

The reversal of a payment (退票) is in :mod:`huikuan.services.corrections`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huikuan.services.context import Context
    from huikuan.store.read_models import Applied, PaymentRow


@dataclass(frozen=True)
class Recorded:
    """A payment or credit note recorded: its id and where it was applied."""

    kind: str
    customer: str
    payment_id: int
    applied: list[Applied]


@dataclass(frozen=True)
class WrittenOff:
    """A write-off (坏账核销) recorded against an invoice."""

    invoice: str
    payment_id: int
    amount: int


def record_payment(
    ctx: Context,
    kind: str,
    row: Mapping[str, str | None],
    note: str | None = None,
    to_credit: bool = False,
) -> Recorded:
    """Check and record a payment or credit note (dated the context's day unless given),
    allocate it by the ledger's rule and say where it went."""
    from huikuan.core.records import Context as Checks
    from huikuan.core.records import check_payment, raise_problems
    from huikuan.store import guards as G
    from huikuan.store import ledger as L
    from huikuan.store import queries as Q

    day = row.get("date")
    given = {**row, "date": ctx.as_of.isoformat() if day is None else day}
    with ctx.ledger.transaction() as conn:
        checks = Checks(
            ctx.config.currency,
            ctx.calendar,
            lambda c: L.customer_ref(conn, c),
            lambda n: L.invoice_ref(conn, n),
            lambda cid: L.customer_currencies(conn, cid),
        )
        rec, problems = check_payment(given, checks)
        raise_problems(problems)
        G.refuse_duplicate_reference(conn, rec, kind)
        if kind == "credit_note" and not to_credit:
            G.refuse_credit_excess(conn, rec)
        pid = L.insert_payment(conn, rec, kind, note)
        L.audit(conn, ctx.user, "add", kind, str(row["customer"]), {**rec, "id": pid})
        return Recorded(kind, str(row["customer"]), pid, Q.applied_to(conn, pid))


def list_payments(
    ctx: Context,
    customer: str | None,
    all_kinds: bool,
    since: date | None,
    until: date | None,
) -> Iterator[PaymentRow]:
    """Payments by date (with credit notes, write-offs and voids when ``all_kinds``)."""
    from huikuan.store import queries as Q

    kind = None if all_kinds else "payment"
    yield from Q.payments(ctx.ledger.conn, customer, kind, since, until)


def write_off(ctx: Context, invoice: str, amount: int | None, day: date, reason: str) -> WrittenOff:
    """Write off (坏账核销) part or all of an invoice's open amount on ``day``."""
    from huikuan.store import ledger as L

    with ctx.ledger.transaction() as conn:
        inv = L.require_invoice(conn, invoice)
        pid, written = L.write_off(conn, inv.id, amount, day.isoformat(), reason)
        detail = {"amount": written, "date": day.isoformat(), "id": pid}
        L.audit(conn, ctx.user, "add", "write_off", invoice, detail)
    return WrittenOff(invoice, pid, written)
