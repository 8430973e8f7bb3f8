"""``interest``: late interest / 违约金 per invoice, as of a date."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, TypeVar

import typer

from huikuan.cli.common import FormatOpt, emit, parse_day
from huikuan.cli.context import service_context
from huikuan.core.interest import ROW_KEYS, InvoiceInterest, interest_row
from huikuan.output import JsonText, Result
from huikuan.services.interest import (
    InterestReport,
    InterestTexts,
    late_interest,
    late_interest_json,
)

COLUMNS = list(ROW_KEYS)


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
        texts = None  # JSON: the rows spelt by the ledger where it can (a long report)
        if fmt == "json":
            texts = late_interest_json(ctx, customer, include_paid=include_paid)
        totals: list[dict[str, str]] = []  # both filled once the rows have streamed out
        shown: list[dict[str, str]] = []
        rows: Iterator[dict[str, Any]]
        listed: Iterator[dict[str, Any] | JsonText]
        if texts is None:
            found = late_interest(ctx, customer, include_paid=include_paid)
            rows = _totalled(map(interest_row, found), found, totals, shown)
            listed = rows
        else:  # JSON is written from the document alone
            rows = iter([])
            listed = _totalled(map(_item, texts), texts, totals, shown)
        doc = {"as_of": day.isoformat(), "rows": listed, "totals": totals}
        title = f"Late interest as of {day}" + (f" — {customer}" if customer else "")
        result = Result(COLUMNS, rows, document=doc, title=title,
                        money={"principal", "open", "interest"}, totals=shown,
                        optional=["contract", "disputed", "rate"])  # fmt: skip
        emit(result, fmt)


Item = TypeVar("Item")


def _totalled(
    items: Iterator[Item],
    found: InterestReport | InterestTexts,
    totals: list[dict[str, str]],
    shown: list[dict[str, str]],
) -> Iterator[Item]:
    """The rows; at the end one line per currency in ``totals`` and ``shown``."""
    yield from items
    for t in found.totals():
        totals.append({"currency": t.currency, "open": str(t.open), "interest": str(t.interest)})
        shown.append({"customer": "Total", **totals[-1]})


def _item(item: InvoiceInterest | str) -> dict[str, Any] | JsonText:
    """A row, or rows already spelt as JSON (written as they are)."""
    return JsonText(item) if isinstance(item, str) else interest_row(item)


def register(app: typer.Typer) -> None:
    """Add ``interest`` to the root app."""
    app.command()(interest)
