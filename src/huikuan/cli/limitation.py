"""``limitation``: 诉讼时效, when each open invoice's limitation period ends."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Annotated, Any

import typer

from huikuan.cli.common import FormatOpt, LangOpt, emit, parse_day
from huikuan.cli.context import service_context
from huikuan.output import JsonText, Result, json_text
from huikuan.runtime import collector_paused
from huikuan.services import collect

if TYPE_CHECKING:
    from huikuan.core.limitation import Restart
    from huikuan.services.collect import LimitationLine


def limitation(
    within: Annotated[
        int | None, typer.Option(min=0, help="Only periods ending within DAYS (or already ended).")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="As of this date [today].")] = None,
    lang: LangOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """诉讼时效: when each open invoice's 3-year limitation period ends, and what to do.

    Example: huikuan limitation --within 180 --format json
    """
    day = parse_day(as_of, "--as-of")
    with collector_paused(), service_context(day) as ctx:  # rows are read as written
        _emit_limitation(collect.limitation(ctx, within, lang), fmt)


LIMITATION_COLUMNS = [
    "invoice",
    "customer",
    "due_date",
    "currency",
    "open",
    "expires",
    "days_left",
    "restarted_by",
    "action",
]


def _emit_limitation(found: collect.Limitation, fmt: str) -> None:
    """The report; a table (the only form with notes) gets its notes once its rows have
    been read (the years without holiday data are known only then)."""
    day = found.as_of
    rows = map(_limitation_row, found.lines)  # streamed: rows of a big ledger are not held
    shown = ({**r, "restarted_by": _restart_text(r["restarted_by"])} for r in rows)
    notes: list[str] = []
    listed: Iterable[dict[str, Any]] = []
    if fmt in ("table", "csv"):
        listed = _then_notes(shown, found, notes) if fmt == "table" else shown
    emit(
        Result(
            LIMITATION_COLUMNS,
            listed,
            title=f"诉讼时效 as of {day}",
            notes=notes,
            money={"open"},
            optional=["due_date"],  # a narrow terminal: the end date is what matters
            document={"as_of": day.isoformat(), "rows": map(limitation_json(), found.lines)},
        ),
        fmt,
    )


def _then_notes(
    rows: Iterator[dict[str, Any]], found: collect.Limitation, notes: list[str]
) -> Iterator[dict[str, Any]]:
    """``rows``, then the report's notes added to ``notes``."""
    yield from rows
    if found.missing_years:
        years = ", ".join(str(y) for y in found.missing_years)
        notes.append(
            f"No CN holiday data for {years}: end dates in those years count weekends only."
        )


def _limitation_row(line: LimitationLine) -> dict[str, Any]:
    """A line as the report's row (``open`` has two places: ``str`` is ``"1234.50"``)."""
    number, code, name, due, open_, currency, expires, left, by, action = line
    return {
        "invoice": number, "customer": code, "name": name, "due_date": due.isoformat(),
        "open": str(open_), "currency": currency, "expires": expires.isoformat(),
        "days_left": left, "restarted_by": by.as_json() if by else None, "action": action,
    }  # fmt: skip


def limitation_json() -> Callable[[LimitationLine], JsonText]:
    """:func:`_limitation_row`'s JSON text, spelt directly: a whole ledger's rows are
    written without a dict each and the general encoder (a third of the report's time).
    What repeats is spelt once per report, a few keys at a time: the customer, the due
    date, and the rest after the amount when nothing restarted the period."""
    whos: dict[tuple[str, str], str] = {}
    dues: dict[date, str] = {}
    tails: dict[tuple[str, date, int, str], str] = {}

    def row(line: LimitationLine) -> JsonText:
        number, code, name, due, open_, currency, expires, left, by, action = line
        who = whos.get(key := (code, name))
        if who is None:
            who = whos[key] = f'"customer": {json_text(code)}, "name": {json_text(name)}'
        day = dues.get(due)
        if day is None:
            day = dues[due] = f'"due_date": "{due.isoformat()}"'
        ends = (currency, expires, left, action)
        tail = _json_tail(*ends, by) if by is not None else tails.get(ends)
        if tail is None:
            tail = tails[ends] = _json_tail(*ends, None)
        return JsonText(
            f'{{"invoice": {encode_basestring(number)}, {who}, {day}, "open": "{open_!s}", {tail}}}'
        )

    return row


def _json_tail(currency: str, expires: date, left: int, action: str, by: Restart | None) -> str:
    """A row's keys after ``open``, as :func:`limitation_json` spells them."""
    restart = json_text(by.as_json()) if by else "null"
    return (
        f'"currency": {json_text(currency)}, "expires": "{expires.isoformat()}", '
        f'"days_left": {left}, "restarted_by": {restart}, "action": {json_text(action)}'
    )


def _restart_text(r: dict[str, str] | None) -> str | None:
    return f"{r['kind']} {r['date']}" if r else None


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("limitation")(limitation)
