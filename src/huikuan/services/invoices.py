"""Invoices (应收单): add, list, show, dispute and undispute.

Corrections of an invoice (void, edit) are in :mod:`huikuan.services.corrections`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huikuan.services.context import Context
    from huikuan.store.read_models import AllocationRow, InvoiceInfo, InvoiceRow


@dataclass(frozen=True)
class InvoiceAdded:
    """The invoice recorded: its number and due date (ISO)."""

    number: str
    due_date: str


@dataclass(frozen=True)
class InvoiceDetail:
    """One invoice's fields and what was applied to it."""

    info: InvoiceInfo
    allocations: list[AllocationRow]


def add_invoice(ctx: Context, row: Mapping[str, str | None]) -> InvoiceAdded:
    """Check and add one invoice (issue date defaults to the context's day) and apply the
    customer's unapplied credit to it."""
    from huikuan.core.errors import Conflict
    from huikuan.core.records import Context as Checks
    from huikuan.core.records import check_invoice, raise_problems
    from huikuan.store import ledger as L

    issue = row.get("issue_date")
    given = {**row, "issue_date": ctx.as_of.isoformat() if issue is None else issue}
    with ctx.ledger.transaction() as conn:
        checks = Checks(ctx.config.currency, ctx.calendar, lambda code: L.customer_ref(conn, code))
        rec, problems = check_invoice(given, checks)
        raise_problems(problems)
        if L.invoice_ref(conn, rec["number"]):
            raise Conflict(f"invoice {rec['number']} already exists")
        L.insert_invoices(conn, [rec])
        L.apply_credit(conn, rec["customer_id"], rec["currency"])
        L.audit(conn, ctx.user, "add", "invoice", rec["number"], rec)
    return InvoiceAdded(rec["number"], str(rec["due_date"]))


def list_invoices(ctx: Context, customer: str | None, status: str) -> Iterator[InvoiceRow]:
    """Invoices (all, open, overdue as of the context's day, disputed), oldest due first."""
    from huikuan.store import queries as Q

    yield from Q.invoices(ctx.ledger.conn, customer, status, ctx.as_of)


def show_invoice(ctx: Context, number: str) -> InvoiceDetail:
    """One invoice and its allocations."""
    from huikuan.store import queries as Q

    info, allocs = Q.invoice(ctx.ledger.conn, number)
    return InvoiceDetail(info, allocs)


def set_dispute(ctx: Context, number: str, disputed: bool, reason: str | None) -> None:
    """Mark an invoice disputed (no dunning while disputed) or clear the dispute."""
    from huikuan.store import ledger as L

    with ctx.ledger.transaction() as conn:
        L.set_disputed(conn, ctx.user, number, disputed, reason)
