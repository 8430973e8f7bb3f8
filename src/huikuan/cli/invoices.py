"""``invoice add|list|show|dispute|undispute``."""

from __future__ import annotations

from typing import Annotated

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, ledger, one_of, parse_day, state
from huikuan.core.text import required_line
from huikuan.output import Result

invoice_app = App(
    help="Invoices (应收单): add, list, show, dispute, undispute.\n\nExample: huikuan invoice list --status overdue"
)
Number = Annotated[str, typer.Argument(help="Invoice number.")]
Opt = Annotated[str | None, typer.Option()]
STATUSES = ("all", "open", "overdue", "disputed")
LIST_COLUMNS = [
    "number",
    "customer",
    "issue_date",
    "due_date",
    "amount",
    "open",
    "currency",
    "days_overdue",
    "disputed",
]


@invoice_app.command("add")
def add(
    number: Number,
    customer: Annotated[str, typer.Argument(help="Customer code.")],
    amount: Annotated[str, typer.Argument(help="Amount, e.g. 12,000.00.")],
    issue_date: Annotated[
        str | None, typer.Option("--issue-date", "--date", help="Issue date [today].")
    ] = None,
    due_date: Annotated[
        str | None, typer.Option(help="Due date (else from --terms or the customer's terms).")
    ] = None,
    terms: Opt = None,
    currency: Opt = None,
    contract: Opt = None,
    salesperson: Opt = None,
    description: Opt = None,
    milestone: Opt = None,
) -> None:
    """Add an invoice; the customer's unapplied credit is applied to it.

    Example: huikuan invoice add INV-2026-101 C001 12000 --issue-date 2026-11-01 --terms NET30
    """
    from huikuan.core.errors import Conflict
    from huikuan.core.records import Context, check_invoice, raise_problems
    from huikuan.store import ledger as L

    st = state()
    row = {
        "number": number,
        "customer": customer,
        "amount": amount,
        "due_date": due_date,
        "terms": terms,
        "issue_date": parse_day(None).isoformat() if issue_date is None else issue_date,
        "currency": currency,
        "contract": contract,
        "salesperson": salesperson,
        "description": description,
        "milestone": milestone,
    }
    with ledger() as led, led.transaction() as conn:
        ctx = Context(st.config.currency, st.calendar, lambda code: L.customer_ref(conn, code))
        rec, problems = check_invoice(row, ctx)
        raise_problems(problems)
        if L.invoice_ref(conn, number):
            raise Conflict(f"invoice {number} already exists")
        L.insert_invoices(conn, [rec])
        L.apply_credit(conn, rec["customer_id"], rec["currency"])
        L.audit(conn, led.user, "add", "invoice", number, rec)
    done(f"Added invoice {number}, due {rec['due_date']}")


@invoice_app.command("list")
def list_(
    customer: Annotated[str | None, typer.Option(help="Only this customer.")] = None,
    status: Annotated[
        str, typer.Option(help="all, open, overdue or disputed.", callback=one_of(*STATUSES))
    ] = "open",
    as_of: Annotated[str | None, typer.Option(help="Overdue as of [today].")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List invoices, oldest due first.

    Example: huikuan invoice list --customer C001 --status overdue
    """
    from huikuan.store import queries as Q

    day = parse_day(as_of, "--as-of")
    with ledger() as led:
        emit(
            Result(
                LIST_COLUMNS, Q.invoices(led.conn, customer, status, day), money={"amount", "open"}
            ),
            fmt,
        )


@invoice_app.command("show")
def show(number: Number, fmt: FormatOpt = "table") -> None:
    """Show an invoice and what was applied to it.

    Example: huikuan invoice show INV-2026-101
    """
    from huikuan.store import queries as Q

    with ledger() as led:
        info, allocs = Q.invoice(led.conn, number)
    fields = [{"field": k, "value": v} for k, v in info.items()]
    emit(
        Result(
            ["field", "value"],
            fields,
            document={**info, "allocations": allocs},
            title=f"Invoice {number}",
            sections=[
                Result(
                    ["date", "kind", "amount", "reference", "method"],
                    allocs,
                    title="Applied",
                    money={"amount"},
                )
            ],
        ),
        fmt,
    )


@invoice_app.command("dispute")
def dispute(
    number: Number, reason: Annotated[str, typer.Option(help="What the customer disputes.")]
) -> None:
    """Mark an invoice disputed (no dunning while disputed).

    Example: huikuan invoice dispute INV-2026-017 --reason "质量问题: 3 units returned"
    """
    _set(number, True, required_line(reason, "--reason"))


@invoice_app.command("undispute")
def undispute(number: Number) -> None:
    """Clear a dispute.

    Example: huikuan invoice undispute INV-2026-017
    """
    _set(number, False, None)


def _set(number: str, disputed: bool, reason: str | None) -> None:
    from huikuan.store import ledger as L

    with ledger() as led, led.transaction() as conn:
        L.set_disputed(conn, led.user, number, disputed, reason)
    done(f"Invoice {number} {'disputed' if disputed else 'no longer disputed'}")


def register(app: typer.Typer) -> None:
    """Add this command group to the root app."""
    app.add_typer(invoice_app, name="invoice")
