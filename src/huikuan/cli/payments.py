"""``payment add|list|reverse``, ``credit-note add``, ``write-off add``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, parse_day
from huikuan.cli.context import service_context
from huikuan.core.errors import InvalidValue
from huikuan.core.rows import plain, plain_all
from huikuan.core.text import optional_line, required_line
from huikuan.output import Result

payment_app = App(
    help="Payments (回款): add, list, reverse (退票). Allocation: named invoice, then oldest due"
    " first.\n\nExample: huikuan payment list --customer C001"
)
credit_app = App(
    help="Credit notes and discounts: reduce open invoices like payments do.\n\nExample: huikuan credit-note add C001 500 --invoice INV-2026-101"
)
writeoff_app = App(
    help='Write-offs (坏账核销) of uncollectable invoices.\n\nExample: huikuan write-off add INV-2022-003 --reason "court ruling"'
)
Customer = Annotated[str, typer.Argument(help="Customer code.")]
Amount = Annotated[str, typer.Argument(help="Amount, e.g. 5,000.00.")]
Opt = Annotated[str | None, typer.Option()]
DateOpt = Annotated[str | None, typer.Option("--date", help="Date [today].")]
InvoiceOpt = Annotated[str | None, typer.Option("--invoice", help="Invoice number to pay first.")]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        help="Currency [the invoice's; else the one the customer is invoiced in (required when"
        " several); else the ledger's default]."
    ),
]
LIST_COLUMNS = [
    "id",
    "date",
    "customer",
    "kind",
    "amount",
    "currency",
    "invoice",
    "reference",
    "method",
    "unapplied",
    "reversed_on",
]


def _record(
    kind: str,
    customer: str,
    amount: str,
    day: str | None,
    invoice: str | None,
    currency: str | None,
    reference: str | None,
    method: str | None,
    note: str | None,
    to_credit: bool = False,
) -> list[dict[str, Any]]:
    from huikuan.services.payments import record_payment

    row = {
        "customer": customer,
        "amount": amount,
        "date": day,
        "invoice": invoice,
        "currency": currency,
        "reference": reference,
        "method": method,
    }
    with service_context(parse_day(None)) as ctx:
        return [plain(a) for a in record_payment(ctx, kind, row, note, to_credit).applied]


def _report(kind: str, customer: str, allocs: list[dict[str, Any]], fmt: str) -> None:
    done(f"Recorded {kind.replace('_', ' ')} for {customer}")
    emit(
        Result(
            ["invoice", "amount", "open_after"],
            allocs,
            title="Applied to",
            money={"amount", "open_after"},
        ),
        fmt,
    )


@payment_app.command("add")
def add(
    customer: Customer,
    amount: Amount,
    date: DateOpt = None,
    invoice: InvoiceOpt = None,
    currency: CurrencyOpt = None,
    reference: Annotated[str | None, typer.Option(help="Bank serial (银行流水号).")] = None,
    method: Opt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Record a payment and show where it was applied; any rest stays as unapplied credit.

    Example: huikuan payment add C001 8,000 --date 2026-11-20 --invoice INV-2026-101 --reference 2026112000017
    """
    _report(
        "payment",
        customer,
        _record("payment", customer, amount, date, invoice, currency, reference, method, None),
        fmt,
    )


@payment_app.command("list")
def list_(
    customer: Annotated[str | None, typer.Option(help="Only this customer.")] = None,
    since: Annotated[str | None, typer.Option("--from", help="From this date.")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Up to this date.")] = None,
    all_kinds: Annotated[
        bool, typer.Option("--all", help="Include credit notes and write-offs.")
    ] = False,
    fmt: FormatOpt = "table",
) -> None:
    """List payments by date.

    Example: huikuan payment list --customer C001 --from 2026-01-01 --format csv
    """
    from huikuan.services.payments import list_payments

    start = parse_day(since, "--from") if since is not None else None
    end = parse_day(until, "--to") if until is not None else None
    with service_context(parse_day(None)) as ctx:
        rows = list_payments(ctx, customer, all_kinds, start, end)
        emit(Result(LIST_COLUMNS, plain_all(rows), money={"amount", "unapplied"}), fmt)


@credit_app.command("add")
def credit_add(
    customer: Customer,
    amount: Amount,
    date: DateOpt = None,
    invoice: InvoiceOpt = None,
    currency: CurrencyOpt = None,
    number: Annotated[
        str | None, typer.Option(help="Credit note number (recorded once per customer).")
    ] = None,
    reason: Opt = None,
    to_credit: Annotated[
        bool,
        typer.Option(
            "--to-credit",
            help="Allow more than the invoice's open amount (without --invoice: the customer's"
            " open balance); the excess becomes the customer's credit.",
        ),
    ] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Record a credit note or discount (applied like a payment, kept apart from cash).

    A credit note larger than the invoice's open amount is refused unless --to-credit: the
    excess then becomes the customer's credit, applied to its other open invoices of the
    currency (oldest due first) and, for any rest, to invoices it gets later.

    Example: huikuan credit-note add C001 500 --invoice INV-2026-101 --reason "price adjustment"
    """
    reason = optional_line(reason, "--reason")
    allocs = _record(
        "credit_note", customer, amount, date, invoice, currency, number, None, reason, to_credit
    )
    _report("credit_note", customer, allocs, fmt)


@writeoff_app.command("add")
def writeoff_add(
    invoice: Annotated[str, typer.Argument(help="Invoice number.")],
    reason: Annotated[
        str, typer.Option(help="Why it cannot be collected (kept for the auditors).")
    ],
    amount: Annotated[str | None, typer.Option(help="Amount [the whole open amount].")] = None,
    date: DateOpt = None,
) -> None:
    """Write off (坏账核销) an invoice's open amount.

    Example: huikuan write-off add INV-2022-003 --reason "debtor deregistered, court ruling 2026-10"
    """
    from huikuan.core.money import format_fen, parse_fen
    from huikuan.services.payments import write_off

    reason = required_line(reason, "--reason")
    try:
        cents = parse_fen(amount) if amount is not None else None
    except InvalidValue as exc:
        raise InvalidValue(f"--amount: {exc}") from None
    with service_context(parse_day(None)) as ctx:
        written = write_off(ctx, invoice, cents, parse_day(date, "--date"), reason)
    done(f"Wrote off {format_fen(written.amount)} of invoice {invoice}")


@payment_app.command("reverse")
def reverse(
    payment: Annotated[
        str, typer.Argument(help="Payment id (see `payment list`) or reference (bank serial).")
    ],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log; required).")],
    date: Annotated[
        str | None, typer.Option("--date", help="Date of the reversal [today].")
    ] = None,
) -> None:
    """Reverse a payment (退票, a bounced or returned payment): nothing is deleted.

    From the reversal date its invoices are open again and the customer's waiting credit is
    re-applied to them (oldest due first); reports as of an earlier date are unchanged.

    Example: huikuan payment reverse 2026112000017 --reason "退票: 账户冻结" --date 2026-11-25
    """
    from huikuan.core.money import format_fen
    from huikuan.services.corrections import reverse_payment

    why = required_line(reason, "--reason")
    with service_context(parse_day(date, "--date")) as ctx:
        result = reverse_payment(ctx, payment, why)
    done(
        f"Reversed payment {result.payment_id} of {result.customer}"
        f" ({result.currency} {format_fen(result.amount)})"
    )
    for a in result.freed:
        done(f"Invoice {a.invoice} open again by {format_fen(a.amount)}")
    for a in result.reapplied:
        done(f"Applied {format_fen(a.amount)} of payment {a.payment_id} to invoice {a.invoice}")


def register(app: typer.Typer) -> None:
    """Add these command groups to the root app."""
    app.add_typer(payment_app, name="payment")
    app.add_typer(credit_app, name="credit-note")
    app.add_typer(writeoff_app, name="write-off")
