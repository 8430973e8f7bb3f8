"""``aging`` and ``statement``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

import typer

from huikuan.cli.common import FormatOpt, emit, ledger, one_of, parse_day, state
from huikuan.core.aging import BASES, AgingRow, Buckets, parse_limits, summarize
from huikuan.core.errors import InvalidValue
from huikuan.core.money import format_fen
from huikuan.output import Result

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
    with ledger() as led:
        if detail:
            emit(_detail(led.conn, day, spec, overdue_only, top), fmt)
        else:
            emit(_summary(led.conn, day, spec, by, overdue_only, top), fmt)


def _limits(text: str) -> tuple[int, ...]:
    try:
        return parse_limits(text)
    except InvalidValue as exc:
        raise InvalidValue(f"--buckets: {exc}") from None


def _summary(
    conn: Any, day: date, spec: Buckets, by: str, overdue_only: bool, top: int | None
) -> Result:
    from huikuan.store.reports import aging_cells, unapplied_as_of

    labels = spec.labels
    cells = aging_cells(conn, day, spec, by, overdue_only)
    rows, totals = summarize(cells, unapplied_as_of(conn, day, by), len(labels))
    if overdue_only:  # rows without overdue amounts go, and so does their credit in the totals
        rows = [r for r in rows if r.total]
        for t in totals:
            t.unapplied = sum(r.unapplied for r in rows if r.currency == t.currency)
    shown = [_row(r, labels) for r in rows[:top]]
    total_rows = [_row(t, labels) for t in totals]
    doc = {
        "as_of": day.isoformat(),
        "basis": spec.basis,
        "by": by,
        "buckets": labels,
        "rows": shown,
        "totals": [{k: v for k, v in t.items() if k not in ("key", "name")} for t in total_rows],
    }
    cols = ["key", "name", "currency", *labels, "total", "unapplied"]
    table_totals = [{**t, "key": "Total", "name": ""} for t in total_rows]
    table_totals += [
        {"key": "%", "currency": t.currency, **_percentages(t, labels)} for t in totals
    ]
    bars = {
        f"{t.currency} by bucket": [(lab, format_fen(a)) for lab, a in zip(labels, t.amounts)]
        for t in totals
    }
    title = f"Aging as of {day} ({spec.basis} basis, by {by}" + (
        f", top {top} of {len(rows)})" if top else ")"
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


def _row(r: AgingRow, labels: list[str]) -> dict[str, Any]:
    amounts = {lab: format_fen(a) for lab, a in zip(labels, r.amounts)}
    return {
        "key": r.key,
        "name": r.name,
        "currency": r.currency,
        **amounts,
        "total": format_fen(r.total),
        "unapplied": format_fen(r.unapplied),
    }


def _percentages(t: AgingRow, labels: list[str]) -> dict[str, str]:
    total = t.total or 1
    return {lab: f"{a * 100 / total:.1f}%" for lab, a in zip(labels, t.amounts)} | {
        "total": "100.0%"
    }


def _detail(conn: Any, day: date, spec: Buckets, overdue_only: bool, top: int | None) -> Result:
    from huikuan.store.reports import aging_invoices

    labels = spec.labels

    def rows() -> Iterator[dict[str, Any]]:
        for n, (number, code, _name, issue, due, amount, currency) in enumerate(
            aging_invoices(conn, day, overdue_only)
        ):
            if top is not None and n >= top:
                return
            ref = date.fromisoformat(due if spec.basis == "due" else issue)
            overdue = (day - date.fromisoformat(due)).days
            yield {
                "number": number,
                "customer": code,
                "issue_date": issue,
                "due_date": due,
                "days_overdue": max(overdue, 0),
                "open": format_fen(amount),
                "bucket": labels[spec.index((day - ref).days)],
                "currency": currency,
            }

    doc_rows = rows()
    return Result(DETAIL_COLUMNS, doc_rows, title=f"Open invoices as of {day}", money={"open"})


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
    from huikuan.store.queries import customer as get_customer
    from huikuan.store.statement import statement as build

    day = parse_day(as_of, "--as-of")
    start = parse_day(since, "--from") if since is not None else None
    with ledger() as led:
        info = get_customer(led.conn, customer)
        lines, sums = build(led.conn, customer, day, start)
    cols = ["date", "type", "reference", "due_date", "currency", "debit", "credit", "balance"]
    doc = {
        "customer": customer,
        "name": info["name"],
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
            title=f"对账单 Statement {customer} {info['name']} to {day}",
            money=money,
            sections=[summary],
        ),
        fmt,
    )


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(aging)
    app.command()(statement)
