"""``kpi`` (回款率, DSO, CEI, …) and ``target set|list`` (回款任务 per salesperson)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, ledger, now, one_of, parse_day, state
from huikuan.core.errors import InvalidValue, NotFound
from huikuan.core.kpi import UNITS
from huikuan.core.money import format_fen, format_grouped, parse_currency, parse_fen
from huikuan.output import Result

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
    from huikuan.core.kpi import split
    from huikuan.store.kpi import kpi_sums, targets

    last = parse_day(end, "--to")
    first = parse_day(start, "--from") if start is not None else date(last.year, 1, 1)
    periods = split(first, last, period)
    with ledger() as led:
        sums = kpi_sums(led.conn, by or "all", periods)
        goals = {(t[0], t[1], t[2]): t[3] for t in targets(led.conn)} if by == "salesperson" else {}
    rows = _kpi_rows(sums, goals, periods, bool(period))
    emit(_kpi_result(first, last, rows, period, _bars(sums, period)), fmt)


def _kpi_rows(
    sums: dict[tuple[str, str, str], Any], goals: dict[Any, int], periods: Any, split_up: bool
) -> Iterator[dict[str, Any]]:
    """The rows in key order, made as they are written (a month by customer is many rows)."""
    from huikuan.core.kpi import label_of, measures

    bounds = {label: (a, b) for label, a, b in periods}
    for (key, cur, label), s in sorted(sums.items(), key=lambda kv: kv[0]):
        a, b = bounds[label]
        goal = goals.get((key, label_of(a, b) or "", cur))
        row: dict[str, Any] = {"period": label} if split_up else {}
        row |= {"key": key, "currency": cur}
        row |= {
            f: format_fen(getattr(s, f))
            for f in ("credit_sales", "collections", "opening", "closing")
        }
        row |= {k: _text(v) for k, v in measures(s, (b - a).days + 1).items()}
        row |= {
            "target": format_fen(goal) if goal is not None else None,
            "target_met": (s.collections >= goal) if goal is not None else None,
        }
        yield row


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _bars(sums: dict[tuple[str, str, str], Any], period: str | None) -> dict[str, Any]:
    """With ``--period``: collections per period, one chart per currency."""
    if not period:
        return {}
    per: dict[str, dict[str, int]] = {}
    for (_, cur, label), s in sums.items():
        per.setdefault(cur, {})[label] = per.get(cur, {}).get(label, 0) + s.collections
    return {
        f"{cur} collections by {period}": [(p, format_fen(f)) for p, f in sorted(v.items())]
        for cur, v in sorted(per.items())
    }


def _kpi_result(
    first: date,
    last: date,
    rows: Iterator[dict[str, Any]],
    period: str | None,
    bars: dict[str, Any],
) -> Result:
    cols = (["period"] if period else []) + COLUMNS
    return Result(
        cols,
        rows,
        document={"from": first.isoformat(), "to": last.isoformat(), "rows": rows},
        title=f"Collections KPIs {first} .. {last}",
        money=MONEY,
        bars=bars,
        notes=["Rates in %, DSO and days to pay in days; blank: nothing to divide by."],
    )


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
    from huikuan.store import kpi as S
    from huikuan.store.ledger import audit

    label = _named("--period", normal_period, period)
    fen = _named("--amount", parse_fen, amount)
    default = state().config.currency
    cur = _named("--currency", parse_currency, currency) if currency is not None else default
    with ledger() as led, led.transaction() as conn:
        if not S.salesperson_known(conn, salesperson):
            raise NotFound(f"no customer or invoice has salesperson {salesperson!r}")
        old = S.set_target(conn, salesperson, label, cur, fen, led.user, now())
        audit(
            conn,
            led.user,
            "set",
            "target",
            salesperson,
            {"period": label, "currency": cur, "amount": fen, "replaced": old},
        )
    was = f" (was {format_grouped(old)})" if old is not None else ""
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
    from huikuan.store.kpi import targets

    label = _named("--period", normal_period, period) if period is not None else None
    with ledger() as led:
        found = targets(led.conn, label)
    cols = ["salesperson", "period", "currency", "amount", "set_by", "set_at"]
    rows = [dict(zip(cols, (*t[:3], format_fen(t[3]), *t[4:]))) for t in found]
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
