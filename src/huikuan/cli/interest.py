"""``interest``: late interest / 违约金 per invoice, as of a date."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import typer

from huikuan.cli.common import FormatOpt, emit, parse_day
from huikuan.cli.context import service_context
from huikuan.core.interest import InvoiceInterest
from huikuan.core.money import format_fen
from huikuan.output import Result
from huikuan.services.interest import InterestReport, late_interest

COLUMNS = [
    "customer",
    "number",
    "currency",
    "contract",
    "due_date",
    "principal",
    "open",
    "days",
    "rate",
    "interest",
    "disputed",
]


def interest(
    customer: Annotated[str | None, typer.Argument(help="Only this customer.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Interest up to this day [today].")
    ] = None,
    include_paid: Annotated[
        bool,
        typer.Option("--include-paid", help="Also invoices paid late (interest is still owed)."),
    ] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Late interest (违约金 / 逾期利息) per overdue invoice, following partial payments.

    The rule comes from [interest] in huikuan.toml (default 0.05% a day, 每日万分之五);
    customers and contracts can have their own. Lists invoices that accrued interest.

    Example: huikuan interest C001 --as-of 2026-11-30 --format json
    """
    day = parse_day(as_of, "--as-of")
    with service_context(day) as ctx:
        found = late_interest(ctx, customer, include_paid=include_paid)
        totals: list[dict[str, str]] = []  # both filled once the rows have streamed out
        shown: list[dict[str, str]] = []
        rows = _rows(found, totals, shown)
        doc = {"as_of": day.isoformat(), "rows": rows, "totals": totals}
        title = f"Late interest as of {day}" + (f" — {customer}" if customer else "")
        result = Result(COLUMNS, rows, document=doc, title=title,
                        money={"principal", "open", "interest"}, totals=shown,
                        optional=["contract", "disputed", "rate"])  # fmt: skip
        emit(result, fmt)


def _rows(
    found: InterestReport, totals: list[dict[str, str]], shown: list[dict[str, str]]
) -> Iterator[dict[str, Any]]:
    """Each invoice's row; at the end one line per currency in ``totals`` and ``shown``."""
    yield from map(_row, found)
    for t in found.totals():
        totals.append({"currency": t.currency, "open": str(t.open), "interest": str(t.interest)})
        shown.append({"customer": "Total", **totals[-1]})


def _row(i: InvoiceInterest) -> dict[str, Any]:
    return {
        "customer": i.customer,
        "number": i.number,
        "currency": i.currency,
        "contract": i.contract,
        "due_date": i.due_date.isoformat(),
        "principal": format_fen(i.principal_fen),
        "open": format_fen(i.open_fen),
        "days": i.days,
        "rate": i.rate,
        "interest": format_fen(i.interest_fen),
        "disputed": i.disputed,
    }


def register(app: typer.Typer) -> None:
    """Add ``interest`` to the root app."""
    app.command()(interest)
