"""``aging`` and ``statement``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

import typer

from huikuan.cli.common import FormatOpt, emit, one_of, parse_day, state
from huikuan.cli.context import service_context
from huikuan.core.aging import BASES, Buckets, parse_limits
from huikuan.core.errors import InvalidValue
from huikuan.core.money import from_decimal
from huikuan.output import Result
from huikuan.services import reports
from huikuan.services.reports import (
    AgingLine,
    AgingQuery,
    AgingReport,
    OpenInvoice,
    StatementBalance,
    StatementLine,
)

BY = ("customer", "salesperson", "segment", "region")
DETAIL_COLUMNS = [
    "number",
    "customer",
    "issue_date",
    "due_date",
    "days_overdue",
    "open",
    "bucket",
    "currency",
]


def aging(
    as_of: Annotated[
        str | None, typer.Option(help="Report as the ledger stood on this date [today].")
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            help="Group by customer, salesperson, segment or region.", callback=one_of(*BY)
        ),
    ] = "customer",
    basis: Annotated[
        str,
        typer.Option(
            help="Count days from the due date or the issue date.", callback=one_of(*BASES)
        ),
    ] = "due",
    buckets: Annotated[
        str | None, typer.Option(help="Bucket limits in days [30,60,90,180,365].")
    ] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="List open invoices instead of groups.")
    ] = False,
    overdue_only: Annotated[
        bool, typer.Option("--overdue-only", help="Only amounts past due.")
    ] = False,
    top: Annotated[
        int | None, typer.Option(min=1, help="Only the N largest rows (totals still cover all).")
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Aged receivables (账龄分析) by customer, salesperson, segment or region.

    Examples: huikuan aging;  huikuan aging --as-of 2026-06-30 --by salesperson --format json | jq .totals
    """
    day = parse_day(as_of, "--as-of")
    spec = Buckets(_limits(buckets) if buckets is not None else state().config.buckets, basis)
    query = AgingQuery(spec, by, overdue_only, top)
    with service_context(day) as ctx:
        if detail:
            emit(_detail(day, reports.open_invoices(ctx, query)), fmt)
        else:
            emit(_summary(reports.aging(ctx, query)), fmt)


def _limits(text: str) -> tuple[int, ...]:
    try:
        return parse_limits(text)
    except InvalidValue as exc:
        raise InvalidValue(f"--buckets: {exc}") from None


def _summary(report: AgingReport) -> Result:
    labels, q, day = report.labels, report.query, report.as_of
    shown = [_row(r, labels) for r in report.rows]
    total_rows = [_row(t, labels) for t in report.totals]
    doc = {
        "as_of": day.isoformat(),
        "basis": q.buckets.basis,
        "by": q.by,
        "buckets": labels,
        "rows": shown,
        "totals": [{k: v for k, v in t.items() if k not in ("key", "name")} for t in total_rows],
    }
    cols = ["key", "name", "currency", *labels, "total", "unapplied"]
    table_totals = [{**t, "key": "Total", "name": ""} for t in total_rows]
    table_totals += [
        {"key": "%", "currency": t.currency, **_percentages(t, labels)} for t in report.totals
    ]
    bars = {
        f"{t.currency} by bucket": [(lab, str(a)) for lab, a in zip(labels, t.amounts)]
        for t in report.totals
    }
    title = f"Aging as of {day} ({q.buckets.basis} basis, by {q.by}" + (
        f", top {q.top} of {report.count})" if q.top else ")"
    )
    return Result(
        cols,
        shown,
        document=doc,
        title=title,
        money={*labels, "total", "unapplied"},
        totals=table_totals,
        bars=bars,
        optional=[*labels[:-1], "unapplied", labels[-1]],  # narrow: the oldest buckets stay
    )


def _row(r: AgingLine, labels: list[str]) -> dict[str, Any]:
    amounts = {lab: str(a) for lab, a in zip(labels, r.amounts)}
    return {
        "key": r.key,
        "name": r.name,
        "currency": r.currency,
        **amounts,
        "total": str(r.total),
        "unapplied": str(r.unapplied),
    }


def _percentages(t: AgingLine, labels: list[str]) -> dict[str, str]:
    total = from_decimal(t.total) or 1
    return {lab: f"{from_decimal(a) * 100 / total:.1f}%" for lab, a in zip(labels, t.amounts)} | {
        "total": "100.0%"
    }


def _detail(day: date, found: Iterator[OpenInvoice]) -> Result:
    rows = (
        {
            "number": i.number,
            "customer": i.customer,
            "issue_date": i.issue_date.isoformat(),
            "due_date": i.due_date.isoformat(),
            "days_overdue": i.days_overdue,
            "open": str(i.open),
            "bucket": i.bucket,
            "currency": i.currency,
        }
        for i in found
    )
    return Result(DETAIL_COLUMNS, rows, title=f"Open invoices as of {day}", money={"open"})


def statement(
    customer: Annotated[str, typer.Argument(help="Customer code.")],
    as_of: Annotated[str | None, typer.Option(help="Up to this date [today].")] = None,
    since: Annotated[
        str | None, typer.Option("--from", help="Start here, with an opening balance.")
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Statement of account (对账单): invoices, payments and the running balance.

    Example: huikuan statement C001 --from 2026-01-01 --format csv > C001.csv
    """
    day = parse_day(as_of, "--as-of")
    start = parse_day(since, "--from") if since is not None else None
    with service_context(day) as ctx:
        found = reports.statement(ctx, customer, start)
    lines = [_line(x) for x in found.lines]
    sums = [_sum(b) for b in found.balances]
    cols = ["date", "type", "reference", "due_date", "currency", "debit", "credit", "balance"]
    doc = {
        "customer": customer,
        "name": found.name,
        "as_of": day.isoformat(),
        "from": start.isoformat() if start else None,
        "lines": lines,
        "balances": sums,
    }
    money = {"debit", "credit", "balance", "opening", "invoiced", "paid", "credited", "written_off"}
    summary = Result(
        ["currency", "opening", "invoiced", "paid", "credited", "written_off", "balance"],
        sums,
        title="Balance",
        money=money,
    )
    emit(
        Result(
            cols,
            lines,
            document=doc,
            title=f"对账单 Statement {customer} {found.name} to {day}",
            money=money,
            sections=[summary],
        ),
        fmt,
    )


def _line(x: StatementLine) -> dict[str, Any]:
    return {
        "date": x.day.isoformat(),
        "type": x.type,
        "reference": x.reference,
        "due_date": x.due_date.isoformat() if x.due_date else None,
        "currency": x.currency,
        "debit": str(x.debit),
        "credit": str(x.credit),
        "balance": str(x.balance),
    }


def _sum(b: StatementBalance) -> dict[str, str]:
    keys = ("opening", "invoiced", "paid", "credited", "written_off", "balance")
    return {"currency": b.currency} | {k: str(getattr(b, k)) for k in keys}


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(aging)
    app.command()(statement)
