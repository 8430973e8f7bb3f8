"""``invoice add|list|show|dispute|undispute|void|edit``."""

from __future__ import annotations

from typing import Annotated

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, one_of, parse_day
from huikuan.cli.context import service_context
from huikuan.core.money import format_fen
from huikuan.core.rows import plain, plain_all
from huikuan.core.text import required_line
from huikuan.output import Result

invoice_app = App(
    help="Invoices (应收单): add, list, show, dispute, undispute, void, edit.\n\nExample: huikuan invoice list --status overdue"
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
    from huikuan.services.invoices import add_invoice

    row = {
        "number": number,
        "customer": customer,
        "amount": amount,
        "due_date": due_date,
        "terms": terms,
        "issue_date": issue_date,
        "currency": currency,
        "contract": contract,
        "salesperson": salesperson,
        "description": description,
        "milestone": milestone,
    }
    with service_context(parse_day(None)) as ctx:
        added = add_invoice(ctx, row)
    done(f"Added invoice {number}, due {added.due_date}")


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
    from huikuan.services.invoices import list_invoices

    with service_context(parse_day(as_of, "--as-of")) as ctx:
        rows = list_invoices(ctx, customer, status)
        emit(Result(LIST_COLUMNS, plain_all(rows), money={"amount", "open"}), fmt)


@invoice_app.command("show")
def show(number: Number, fmt: FormatOpt = "table") -> None:
    """Show an invoice and what was applied to it.

    Example: huikuan invoice show INV-2026-101
    """
    from huikuan.services.invoices import show_invoice

    with service_context(parse_day(None)) as ctx:
        detail = show_invoice(ctx, number)
    info, allocs = plain(detail.info), [plain(a) for a in detail.allocations]
    if detail.info.voided_on is None:  # only a voided invoice shows these two fields
        del info["voided_on"], info["void_reason"]
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
    from huikuan.services.invoices import set_dispute

    with service_context(parse_day(None)) as ctx:
        set_dispute(ctx, number, disputed, reason)
    done(f"Invoice {number} {'disputed' if disputed else 'no longer disputed'}")


Reason = Annotated[
    str, typer.Option(help="Why (kept in the audit log; required).", show_default=False)
]
OnDate = Annotated[str | None, typer.Option("--date", help="Date of the correction [today].")]


@invoice_app.command("void")
def void(
    number: Number,
    reason: Reason,
    reverse_allocations: Annotated[
        bool,
        typer.Option(
            "--reverse-allocations",
            help="Free what was applied to it as credit, re-applied to the customer's other"
            " open invoices (oldest due first), else kept as unapplied credit.",
        ),
    ] = False,
    date: OnDate = None,
) -> None:
    """Void an invoice (作废): nothing is deleted; from the void date on it is no longer open.

    Refused while payments or credit notes are applied to it, unless --reverse-allocations.
    Reports as of an earlier date still show it as it was.

    Example: huikuan invoice void INV-2026-101 --reason "issued to the wrong customer" --reverse-allocations
    """
    from huikuan.services.corrections import void_invoice

    why = required_line(reason, "--reason")
    with service_context(parse_day(date, "--date")) as ctx:
        result = void_invoice(ctx, number, why, reverse_allocations)
    done(f"Voided invoice {number} ({result.currency} {format_fen(result.amount)})")
    for a in result.freed:
        done(f"Freed {format_fen(a.amount)} of payment {a.payment_id} as credit")
    for a in result.reapplied:
        done(f"Applied {format_fen(a.amount)} of payment {a.payment_id} to invoice {a.invoice}")


@invoice_app.command("edit")
def edit(
    number: Number,
    reason: Reason,
    due_date: Annotated[str | None, typer.Option(help="New due date.")] = None,
    salesperson: Opt = None,
    contract: Opt = None,
    description: Opt = None,
    amount: Annotated[
        str | None, typer.Option(help="New amount (only while nothing is applied to it).")
    ] = None,
) -> None:
    """Correct an invoice's fields (only those given; "" clears a text field).

    Example: huikuan invoice edit INV-2026-101 --due-date 2026-12-31 --reason "per contract §4"
    """
    from huikuan.services.corrections import edit_invoice

    why = required_line(reason, "--reason")
    fields = {
        "due_date": due_date,
        "salesperson": salesperson,
        "contract": contract,
        "description": description,
        "amount": amount,
    }
    given = {k: v for k, v in fields.items() if v is not None}
    with service_context(parse_day(None)) as ctx:
        edited = edit_invoice(ctx, number, given, why)
    done(f"Updated invoice {number}: {', '.join(edited.after)}")


def register(app: typer.Typer) -> None:
    """Add this command group to the root app."""
    app.add_typer(invoice_app, name="invoice")
