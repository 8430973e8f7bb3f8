"""``kpi`` (回款率, DSO, CEI, …) and ``target set|list`` (回款任务 per salesperson)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import typer

from huikuan.cli.common import (
    App,
    FormatOpt,
    done,
    emit,
    one_of,
    parse_day,
    state,
)
from huikuan.cli.context import service_context
from huikuan.core.errors import InvalidValue
from huikuan.core.kpi import UNITS
from huikuan.core.money import format_grouped, from_decimal, parse_currency, parse_fen, to_decimal
from huikuan.output import JsonText, Result, json_text
from huikuan.runtime import collector_paused
from huikuan.services import kpi as kpis
from huikuan.services.kpi import KpiReport, KpiText

T = TypeVar("T")
BY = ("salesperson", "segment", "customer")
COLUMNS = [
    "key",
    "currency",
    "credit_sales",
    "collections",
    "opening",
    "closing",
    "collection_rate",
    "dso",
    "cei",
    "overdue_ratio",
    "avg_days_to_pay",
    "target",
    "target_met",
]
MONEY = {"credit_sales", "collections", "opening", "closing", "target"}
target_app = App(
    help="Collection targets (回款任务) per salesperson and period.\n\n"
    "Example: huikuan target set 王丽 --period 2026-Q4 --amount 500,000"
)


def kpi(
    start: Annotated[
        str | None, typer.Option("--from", help="First day [1 January of --to's year].")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day [today].")] = None,
    by: Annotated[
        str | None,
        typer.Option(help="Rows per salesperson, segment or customer [all].", callback=one_of(*BY)),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="Split into month or quarter periods (a trend).", callback=one_of(*UNITS)
        ),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Collections KPIs: credit sales, collections, 回款率, DSO, CEI, overdue ratio, days to pay.

    Rates are percentages, DSO and days to pay in days; a blank means no figure (nothing to
    divide by). With --by salesperson each row shows its target for the period and whether
    it was met. Definitions: README, "Collections KPIs".

    Example: huikuan kpi --from 2026-07-01 --to 2026-12-31 --by salesperson --period quarter
    """
    last = parse_day(end, "--to")
    first = parse_day(start, "--from") if start is not None else date(last.year, 1, 1)
    with collector_paused():  # a report by customer and month: many small objects, no cycles
        with service_context(last) as ctx:
            report = kpis.kpi(ctx, first, by, period)
        emit(_kpi_result(report, fmt == "table"), fmt)


def _kpi_row(r: KpiText) -> dict[str, Any]:
    """The line as a row (one per group and period: many, so made in one step)."""
    return dict(zip(KpiText._fields, r)) if r.period is not None else dict(zip(COLUMNS, r[1:]))


def _kpi_result(report: KpiReport, table: bool) -> Result:
    """The report (made while written: one line of text at a time); bars only in a table."""
    first, last, period = report.first, report.last, report.period
    rows = (_kpi_row(r) for r in report.texts())
    doc_rows = map(kpi_json(), report.texts())
    bars = {
        f"{cur} collections by {period}": [(p, str(f)) for p, f in per]
        for cur, per in (report.collections_by_period() if table else {}).items()
    }
    cols = (["period"] if period else []) + COLUMNS
    return Result(
        cols,
        rows,
        document={"from": first.isoformat(), "to": last.isoformat(), "rows": doc_rows},
        title=f"Collections KPIs {first} .. {last}",
        money=MONEY,
        bars=bars,
        notes=["Rates in %, DSO and days to pay in days; blank: nothing to divide by."],
    )


def kpi_json() -> Callable[[KpiText], JsonText]:
    """:func:`_kpi_row`'s JSON text, spelt directly (a report by customer and month writes
    hundreds of thousands of rows: no dict each, no general encoder). Figures are digits,
    a point and a sign, written in quotes as they are; labels, keys and currencies are
    spelt once per report."""
    spelt: dict[str, str] = {}

    def once(value: str) -> str:
        text = spelt.get(value)
        if text is None:
            text = spelt[value] = json_text(value)
        return text

    def row(r: KpiText) -> JsonText:
        period, key, cur, sold, got, was, now, rate, dso, cei, late, days, goal, met = r
        head = "{" if period is None else f'{{"period": {once(period)}, '
        return JsonText(
            f'{head}"key": {once(key)}, "currency": {once(cur)}, "credit_sales": "{sold}", '
            f'"collections": "{got}", "opening": "{was}", "closing": "{now}", '
            f'"collection_rate": {_q(rate)}, "dso": {_q(dso)}, "cei": {_q(cei)}, '
            f'"overdue_ratio": {_q(late)}, "avg_days_to_pay": {_q(days)}, '
            f'"target": {_q(goal)}, "target_met": {_BOOL[met]}}}'
        )

    return row


_BOOL = {None: "null", True: "true", False: "false"}


def _q(figure: str | None) -> str:
    """A figure's JSON: ``null`` or the text in quotes (digits, point, sign: nothing to escape)."""
    return "null" if figure is None else f'"{figure}"'


@target_app.command("set")
def target_set(
    salesperson: Annotated[str, typer.Argument(help="The salesperson, as on customers/invoices.")],
    period: Annotated[str, typer.Option(help="2026-Q4, 2026-11 or 2026.")],
    amount: Annotated[str, typer.Option(help="Collections to reach in the period.")],
    currency: Annotated[str | None, typer.Option(help="Currency [the ledger's].")] = None,
) -> None:
    """Set a salesperson's collection target (回款任务) for a period; replaces an earlier one.

    Example: huikuan target set 王丽 --period 2026-Q4 --amount 500,000
    """
    from huikuan.core.kpi import normal_period

    label = _named("--period", normal_period, period)
    fen = _named("--amount", parse_fen, amount)
    default = state().config.currency
    cur = _named("--currency", parse_currency, currency) if currency is not None else default
    with service_context(parse_day(None)) as ctx:
        made = kpis.set_target(ctx, salesperson, label, to_decimal(fen), cur)
    old = made.replaced
    was = f" (was {format_grouped(from_decimal(old))})" if old is not None else ""
    done(f"Target for {salesperson} in {label}: {cur} {format_grouped(fen)}{was}")


@target_app.command("list")
def target_list(
    period: Annotated[str | None, typer.Option(help="Only this period.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Collection targets, by period and salesperson.

    Example: huikuan target list --period 2026-Q4 --format csv
    """
    from huikuan.core.kpi import normal_period

    label = _named("--period", normal_period, period) if period is not None else None
    with service_context(parse_day(None)) as ctx:
        found = kpis.targets(ctx, label)
    cols = ["salesperson", "period", "currency", "amount", "set_by", "set_at"]
    rows = [{k: getattr(t, k) for k in cols} | {"amount": str(t.amount)} for t in found]
    emit(Result(cols, rows, title="Collection targets (回款任务)", money={"amount"}), fmt)


def _named(what: str, parse: Callable[[str], T], text: str) -> T:
    """``parse(text)``, its error naming the option."""
    try:
        return parse(text)
    except InvalidValue as exc:
        raise InvalidValue(f"{what}: {exc}") from None


def register(app: typer.Typer) -> None:
    """Add ``kpi`` and the ``target`` group to the root app."""
    app.command()(kpi)
    app.add_typer(target_app, name="target")
