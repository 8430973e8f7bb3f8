"""``provision`` (坏账准备) and ``cost delay|bad-debt`` (what delay and bad debt cost)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from huikuan.cli.common import (
    App,
    FormatOpt,
    done,
    emit,
    guard,
    ledger,
    now,
    one_of,
    parse_day,
    state,
    warn,
)
from huikuan.core.errors import InvalidValue
from huikuan.core.money import format_fen, parse_fen, to_decimal
from huikuan.output import Result, grouped
from huikuan.services.booking import Earlier, earlier_figures

if TYPE_CHECKING:
    from huikuan.core.provision import ProvisionRow

cost_app = App(
    help="What delay and bad debt cost: months of delay that eat the profit, sales to earn "
    "back a bad debt.\n\nExample: huikuan cost delay --margin 10% --rate 5%"
)
Day = Annotated[str | None, typer.Option(help="As of this date [today].")]


provision_app = App(
    no_args_is_help=False,
    help="""Bad-debt provision (坏账准备) by age band × rate, with individual assessments.

    Bands and rates come from [provision] in huikuan.toml (default: within 1 year 5%, 1–2
    years 20%, 2–3 years 50%, over 3 years 100%; age from the issue date).

    --since D shows the change to book: compared with the provision booked as of D (`provision
    book`), or the last one booked before D; without any, D's figures are rebuilt from the
    ledger with the litigation flags as they stood on D (audit log) and the current rates.
    JSON adds "since", "since_source" ("booked" or "rebuilt"), "compared_with" ({"run",
    "as_of", "booked_at", "booked_by"}, or null when rebuilt) and "notes".

    Example: huikuan provision --as-of 2026-12-31 --since 2025-12-31 --by segment
    """,
)


def provision(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Provision as the ledger stood on this date.")
    ] = None,
    by: Annotated[
        str,
        typer.Option(help="Rows per customer or segment.", callback=one_of("customer", "segment")),
    ] = "customer",
    since: Annotated[
        str | None,
        typer.Option(help="Also show the change since this date (the adjustment to book)."),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Bad-debt provision (坏账准备); see `huikuan provision --help`."""
    if ctx.invoked_subcommand is not None:
        if (as_of, by, since, fmt) != (None, "customer", None, "table"):
            raise typer.BadParameter(
                f"give the options after the subcommand: huikuan provision {ctx.invoked_subcommand} …"
            )
        return
    day = parse_day(as_of, "--as-of")
    before = parse_day(since, "--since") if since is not None else None
    if before is not None and before > day:
        raise InvalidValue(f"--since {before} is after --as-of {day}")
    with ledger() as led:
        rows = _rows(led.conn, day, by)
        earlier = (
            earlier_figures(led.conn, state().config.provision, before, by)
            if before is not None
            else None
        )
    emit(_provision_result(day, rows, earlier), fmt)


provision_app.callback(invoke_without_command=True)(guard(provision))


@provision_app.command("book")
def provision_book(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Book the provision as of this date [today].")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Book a date already booked again (needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why (kept with the run).")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Book the provision as of a date: its figures and policy are recorded, audited.

    What is recorded is what `provision --as-of D` shows: per customer, currency and age
    band the open amount, the rate and the provision, and the [provision] policy used.

    A date is booked once; --replace --reason R books it again and keeps the earlier run
    (superseded). `provision --since D` compares with the run booked as of D, or the last
    one before it. JSON: the `provision` document plus "run", "booked_at", "booked_by".

    Example: huikuan provision book --as-of 2026-12-31
    """
    if replace and not (reason or "").strip():
        raise typer.BadParameter("--replace needs --reason (why the date is booked again)")
    day = parse_day(as_of, "--as-of")
    if day > parse_day(None):
        warn(f"booking as of {day}, after today: entries made until then are not in it")
    rows, booked = _book(day, (replace, reason))
    result = _provision_result(day, rows, None)
    assert result.document is not None
    result.document |= booked
    emit(result, fmt)
    totals = _amounts(result.document["totals"])
    done(f"Booked the provision as of {day} (run {booked['run']}): {totals}")


def _book(day: date, replace: tuple[bool, str | None]) -> tuple[list[ProvisionRow], dict[str, Any]]:
    """Compute and record the provision as of ``day`` in one transaction."""
    from huikuan.store.analytics import provision_rows
    from huikuan.store.provision import book

    policy, at = state().config.provision, now()
    with ledger() as led, led.transaction() as conn:
        rows = provision_rows(conn, policy, day)
        run = book(conn, led.user, (day, at), policy, rows, replace)
        return rows, {"run": run, "booked_at": at, "booked_by": led.user}


def _amounts(totals: list[dict[str, str]]) -> str:
    return ", ".join(f"{t['currency']} {grouped(t['provision'])}" for t in totals) or "nothing open"


def _rows(conn: Any, day: date, by: str) -> list[ProvisionRow]:
    from huikuan.core.provision import merge
    from huikuan.store.analytics import provision_rows, segments

    rows = provision_rows(conn, state().config.provision, day)
    return merge(rows, segments(conn)) if by == "segment" else rows


def _provision_result(day: date, rows: list[ProvisionRow], earlier: Earlier | None) -> Result:
    from huikuan.core.provision import with_reversals

    labels = state().config.provision.labels
    old = earlier.rows if earlier is not None else None
    prior = None if old is None else {(r.key, r.currency): r.provision for r in old}
    if old is not None:
        rows = with_reversals(rows, old, len(labels))
    rows.sort(key=lambda r: (-r.provision, -r.open, r.key, r.currency))
    out = [_row(r, labels, prior) for r in rows]
    totals = _totals(rows, prior)
    dated = earlier.document() if earlier is not None else {}
    doc: dict[str, Any] = {"as_of": day.isoformat(), **dated, "rows": out, "totals": totals}
    extra = ["previous_provision", "change"] if prior is not None else []
    cols = ["key", "name", "currency", *labels, "open", "provision", *extra, "rate_source"]
    notes = earlier.notes + _booking_notes(totals) if earlier is not None else []
    return Result(
        cols,
        out,
        document=doc | ({"notes": notes} if earlier is not None else {}),
        title=f"Bad-debt provision (坏账准备) as of {day}",
        money={*labels, "open", "provision", *extra},
        totals=[{"key": "Total", **t} for t in totals],
        notes=notes,
    )


def _row(r: ProvisionRow, labels: list[str], before: dict[Any, int] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"key": r.key, "name": r.name, "currency": r.currency}
    row |= {lab: format_fen(f) for lab, f in zip(labels, r.bands)}
    row |= {"open": format_fen(r.open), "provision": format_fen(r.provision)}
    if before is not None:
        prev = before.get((r.key, r.currency), 0)
        row |= {"previous_provision": format_fen(prev), "change": format_fen(r.provision - prev)}
    return row | {"rate_source": r.source}


def _totals(rows: list[ProvisionRow], before: dict[Any, int] | None) -> list[dict[str, str]]:
    sums: dict[str, list[int]] = {}
    for r in rows:
        s = sums.setdefault(r.currency, [0, 0, 0])
        s[0] += r.open
        s[1] += r.provision
        s[2] += before.get((r.key, r.currency), 0) if before is not None else 0
    out = []
    for cur in sorted(sums):
        opened, provided, prev = sums[cur]
        t = {"currency": cur, "open": format_fen(opened), "provision": format_fen(provided)}
        if before is not None:
            t |= {"previous_provision": format_fen(prev), "change": format_fen(provided - prev)}
        out.append(t)
    return out


def _booking_notes(totals: list[dict[str, str]]) -> list[str]:
    notes = []
    for t in totals:
        change = Decimal(t["change"])
        what = "计提 provide" if change > 0 else "转回 reverse" if change < 0 else "no change"
        notes.append(f"{t['currency']}: {what} {abs(change):,.2f} (was {t['previous_provision']})")
    return notes


# --- cost ------------------------------------------------------------------------------------


def _percents(values: list[str] | None, what: str) -> list[Decimal]:
    from huikuan.core.percent import parse_percent

    return [parse_percent(p, what) for v in values or [] for p in v.split(",") if p.strip()]


def _one(values: list[Decimal], default: Decimal | None, what: str, example: str) -> Decimal:
    if len(values) > 1:
        raise InvalidValue(f"{what}: give one value, or use --table for a grid")
    if values:
        return values[0]
    if default is None:
        raise InvalidValue(f"give {what} (e.g. {what} {example}) or set it under [cost]")
    return default


Percents = Annotated[list[str] | None, typer.Option(help="10% or 0.10; with --table, a list.")]
TableOpt = Annotated[bool, typer.Option("--table", help="A grid of values instead of one.")]


@cost_app.command("delay")
def cost_delay(
    margin: Annotated[list[str] | None, typer.Option(help="Net margin: 10% or 0.10.")] = None,
    rate: Annotated[
        list[str] | None, typer.Option(help="Annual borrowing rate: 5% or 0.05.")
    ] = None,
    table: TableOpt = False,
    fmt: FormatOpt = "table",
) -> None:
    """Months of payment delay that wipe out a sale's net profit: (margin ÷ rate) × 12.

    Example: huikuan cost delay --margin 10% --rate 5%   (→ 24.0 months);
    huikuan cost delay --table --margin 5%,10% --rate 4%,6%
    """
    from huikuan.core.cost import DEFAULT_MARGINS, DEFAULT_RATES, delay_row

    margins, rates = _percents(margin, "--margin"), _percents(rate, "--rate")
    policy = state().config.cost
    if not table:
        row = delay_row(
            _one(margins, policy.margin, "--margin", "10%"),
            _one(rates, policy.rate, "--rate", "5%"),
        )
        emit(Result(["margin", "rate", "months"], [row], document=row), fmt)
        return
    margins = margins or _percents(list(DEFAULT_MARGINS), "--margin")
    rates = rates or _percents(list(DEFAULT_RATES), "--rate")
    rows = [delay_row(m, r) for m in margins for r in rates]
    emit(_grid(rows, "margin", "rate", "months", "Months of delay that eat the profit", fmt), fmt)


@cost_app.command("bad-debt")
def cost_bad_debt(
    amount: Annotated[
        list[str] | None, typer.Option(help="The bad debt; with --table, a list.")
    ] = None,
    margin: Percents = None,
    table: TableOpt = False,
    as_of: Day = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Write-offs from this date (ledger mode).")
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Extra sales needed to earn back a bad debt: amount ÷ margin.

    Without --amount: the ledger's write-offs (坏账核销) and current provision, per currency.

    Example: huikuan cost bad-debt --amount 500 --margin 2%   (→ 25,000.00);
    huikuan cost bad-debt --margin 8%
    """
    from huikuan.core.cost import DEFAULT_AMOUNTS, DEFAULT_MARGINS, bad_debt_row

    margins = _percents(margin, "--margin")
    amounts = [to_decimal(_fen(a)) for v in amount or [] for a in _split_amounts(v)]
    if table:
        amounts = amounts or [Decimal(a) for a in DEFAULT_AMOUNTS]
        margins = margins or _percents(list(DEFAULT_MARGINS), "--margin")
        rows = [bad_debt_row(a, m) for a in amounts for m in margins]
        emit(_grid(rows, "amount", "margin", "extra_sales", "Extra sales to earn back", fmt), fmt)
        return
    m = _margin_or_default(margins)
    if amounts:
        row = bad_debt_row(_one(amounts, None, "--amount", "500"), m)
        cols = ["amount", "margin", "extra_sales"]
        emit(Result(cols, [row], document=row, money={"amount", "extra_sales"}), fmt)
        return
    emit(_ledger_bad_debt(m, parse_day(as_of, "--as-of"), start), fmt)


def _fen(text: str) -> int:
    try:
        return parse_fen(text)
    except InvalidValue as exc:
        raise InvalidValue(f"--amount: {exc}") from None


def _split_amounts(value: str) -> list[str]:
    """``1000;5000`` or one amount (commas are thousands separators in amounts)."""
    return [a for a in value.split(";") if a.strip()]


def _margin_or_default(margins: list[Decimal]) -> Decimal:
    default = state().config.cost.margin
    if not margins and default is None:
        warn("no --margin and no [cost] margin: assuming a 10% net margin")
        default = Decimal("0.10")
    return _one(margins, default, "--margin", "10%")


def _ledger_bad_debt(m: Decimal, day: date, start: str | None) -> Result:
    from huikuan.core.cost import bad_debt_row
    from huikuan.store.analytics import written_off

    first = parse_day(start, "--from") if start is not None else None
    with ledger() as led:
        offs = written_off(led.conn, first, day)
        prov = _rows(led.conn, day, "customer")
    provided: dict[str, int] = {}
    for r in prov:
        provided[r.currency] = provided.get(r.currency, 0) + r.provision
    found = [("written_off", c, f) for c, f in offs]
    found += [("provision", c, f) for c, f in sorted(provided.items())]
    out = [
        {"source": src, "currency": cur, **bad_debt_row(to_decimal(fen), m)}
        for src, cur, fen in found
        if fen > 0
    ]
    cols = ["source", "currency", "amount", "margin", "extra_sales"]
    note = [] if out else ["No write-offs and no provision in the ledger."]
    title = f"Bad debt as of {day} at a {m * 100:.2f}% margin"
    return Result(
        cols, out, document={"rows": out}, title=title, money={"amount", "extra_sales"}, notes=note
    )


def _grid(
    rows: list[dict[str, str]], down: str, across: str, value: str, title: str, fmt: str
) -> Result:
    """JSON/JSONL/CSV: the rows; the table: ``down`` values down, ``across`` values across."""
    if fmt != "table":
        return Result([down, across, value], rows, document={"rows": rows})
    mark = "" if across == "amount" else "%"
    lines: dict[str, dict[str, str]] = {}
    for r in rows:
        lines.setdefault(r[down], {down: r[down] + ("" if down == "amount" else "%")})[
            r[across] + mark
        ] = r[value]
    heads = [h + mark for h in dict.fromkeys(r[across] for r in rows)]
    money = set(heads) if value == "extra_sales" else set()
    return Result(
        [down, *heads],
        list(lines.values()),
        title=f"{title} ({down} down, {across} across)",
        money=money | ({"amount"} if down == "amount" else set()),
    )


def register(app: typer.Typer) -> None:
    """Add the ``provision`` and ``cost`` groups to the root app."""
    app.add_typer(provision_app, name="provision")
    app.add_typer(cost_app, name="cost")
