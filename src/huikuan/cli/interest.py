"""``interest``: late interest / 违约金 per invoice, as of a date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

import typer

from huikuan.cli.common import FormatOpt, emit, ledger, parse_day, state
from huikuan.core.money import format_fen, from_decimal
from huikuan.output import Result

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
    from huikuan.store.interest import invoice_interest
    from huikuan.store.ledger import require_customer

    day = parse_day(as_of, "--as-of")
    with ledger() as led:
        if customer is not None:
            require_customer(led.conn, customer)
        found = invoice_interest(
            led.conn, state().config.interest, day, customer, include_paid=include_paid
        )
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
    found: Iterable[Any], totals: list[dict[str, str]], shown: list[dict[str, str]]
) -> Iterator[dict[str, Any]]:
    """Each invoice's row; at the end one line per currency in ``totals`` and ``shown``."""
    sums: dict[str, list[int]] = {}
    for i in found:
        s = sums.setdefault(i.currency, [0, 0])
        s[0] += from_decimal(i.open)
        s[1] += from_decimal(i.interest)
        yield _row(i)
    for c, (o, f) in sorted(sums.items()):
        totals.append({"currency": c, "open": format_fen(o), "interest": format_fen(f)})
        shown.append({"customer": "Total", **totals[-1]})


def _row(i: Any) -> dict[str, Any]:
    return {
        "customer": i.customer,
        "number": i.number,
        "currency": i.currency,
        "contract": i.contract,
        "due_date": i.due_date.isoformat(),
        "principal": str(i.principal),
        "open": str(i.open),
        "days": i.days,
        "rate": i.rate,
        "interest": str(i.interest),
        "disputed": i.disputed,
    }


def register(app: typer.Typer) -> None:
    """Add ``interest`` to the root app."""
    app.command()(interest)
