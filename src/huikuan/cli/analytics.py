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
    one_of,
    parse_day,
    state,
    warn,
    with_output,
)
from huikuan.cli.context import service_context
from huikuan.core.errors import InvalidValue
from huikuan.core.money import parse_fen, to_decimal
from huikuan.output import Result, grouped

if TYPE_CHECKING:
    from huikuan.services.provision import Earlier, Provision, ProvisionLine, ProvisionTotal

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
    from huikuan.services.provision import provision as compute

    before = parse_day(since, "--since") if since is not None else None
    with service_context(parse_day(as_of, "--as-of")) as sctx:
        found = compute(sctx, by, before)
    emit(_provision_result(found), fmt)


provision_app.callback(invoke_without_command=True)(with_output(guard(provision)))


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
    from huikuan.services.provision import book

    if replace and not (reason or "").strip():
        raise typer.BadParameter("--replace needs --reason (why the date is booked again)")
    day = parse_day(as_of, "--as-of")
    if day > parse_day(None):
        warn(f"booking as of {day}, after today: entries made until then are not in it")
    with service_context(day) as ctx:
        booked = book(ctx, replace, reason)
    result = _provision_result(booked.provision)
    assert result.document is not None
    result.document |= {
        "run": booked.run,
        "booked_at": booked.booked_at,
        "booked_by": booked.booked_by,
    }
    emit(result, fmt)
    totals = _amounts(result.document["totals"])
    done(f"Booked the provision as of {day} (run {booked.run}): {totals}")


def _amounts(totals: list[dict[str, str]]) -> str:
    return ", ".join(f"{t['currency']} {grouped(t['provision'])}" for t in totals) or "nothing open"


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _provision_result(found: Provision) -> Result:
    labels, earlier = found.labels, found.earlier
    out = [_row(line, labels) for line in found.lines]
    totals = [_total(t) for t in found.totals]
    dated = _earlier_document(earlier) if earlier is not None else {}
    doc: dict[str, Any] = {"as_of": found.as_of.isoformat(), **dated, "rows": out, "totals": totals}
    extra = ["previous_provision", "change"] if earlier is not None else []
    cols = ["key", "name", "currency", *labels, "open", "provision", *extra, "rate_source"]
    notes = earlier.notes + _booking_notes(totals) if earlier is not None else []
    return Result(
        cols,
        out,
        document=doc | ({"notes": notes} if earlier is not None else {}),
        title=f"Bad-debt provision (坏账准备) as of {found.as_of}",
        money={*labels, "open", "provision", *extra},
        totals=[{"key": "Total", **t} for t in totals],
        notes=notes,
    )


def _earlier_document(earlier: Earlier) -> dict[str, Any]:
    """``since``, ``since_source`` and ``compared_with`` for the JSON document."""
    run = earlier.run
    compared = None
    if run is not None:
        compared = {"run": run.id, "as_of": run.as_of.isoformat(), "booked_at": run.booked_at,
                    "booked_by": run.booked_by}  # fmt: skip
    return {
        "since": earlier.since.isoformat(),
        "since_source": "rebuilt" if run is None else "booked",
        "compared_with": compared,
    }


def _row(line: ProvisionLine, labels: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"key": line.key, "name": line.name, "currency": line.currency}
    row |= {lab: _money(v) for lab, v in zip(labels, line.bands)}
    row |= {"open": _money(line.open), "provision": _money(line.provision)}
    if line.previous is not None and line.change is not None:
        row |= {"previous_provision": _money(line.previous), "change": _money(line.change)}
    return row | {"rate_source": line.source}


def _total(t: ProvisionTotal) -> dict[str, str]:
    out = {"currency": t.currency, "open": _money(t.open), "provision": _money(t.provision)}
    if t.previous is not None and t.change is not None:
        out |= {"previous_provision": _money(t.previous), "change": _money(t.change)}
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
    from huikuan.services.cost import bad_debt

    first = parse_day(start, "--from") if start is not None else None
    with service_context(day) as ctx:
        found = bad_debt(ctx, m, first)
    out = [
        {"source": b.source, "currency": b.currency, **bad_debt_row(b.amount, b.margin)}
        for b in found
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
