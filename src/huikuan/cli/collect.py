"""``log add|list``, ``promise add|list``, ``playbook [CODE]`` and ``limitation``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated, Any

import typer

from huikuan.cli.common import (
    App,
    FormatOpt,
    checked_by,
    done,
    emit,
    ledger,
    now,
    parse_day,
    state,
)
from huikuan.core.errors import InvalidValue
from huikuan.core.text import optional_line, optional_text
from huikuan.output import Result

log_app = App(
    help="The contact log: every call, visit, letter and what came of it.\n\nExample: huikuan log add C001 --channel phone --outcome promised"
)
promise_app = App(
    help="Promises to pay (付款承诺): kept or broken, checked against payments.\n\nExample: huikuan promise add C001 --amount 20000 --date 2026-11-30"
)
Code = Annotated[str, typer.Argument(help="Customer code, e.g. C001.")]


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    norm = value.strip().lower().replace("_", "-").replace(" ", "-")
    if norm not in allowed:
        raise InvalidValue(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return norm


def _choices(what: str, known: str | tuple[str, ...]) -> Any:
    """Callback for a choice option (case, ``_`` and spaces as ``-`` are forgiven): exit 2.

    ``known``: the allowed values, or the name of their tuple in :mod:`huikuan.store.collections`.
    """

    def check(value: str | None) -> str | None:
        from huikuan.store import collections as S

        allowed: tuple[str, ...] = getattr(S, known) if isinstance(known, str) else known
        try:
            return _choice(value, allowed, what)
        except InvalidValue:
            raise typer.BadParameter(
                f"must be one of {', '.join(allowed)}, not {value!r}"
            ) from None

    return check


def _excuse(code: str) -> Any:
    """The one place that knows excuse codes (core.playbook), as an option check."""
    from huikuan.core.playbook import excuse

    return excuse(code)


PROMISE_STATUS = ("open", "kept", "broken")


def _currency(text: str) -> str:
    from huikuan.core.money import parse_currency

    try:
        return parse_currency(text)
    except InvalidValue as exc:
        raise InvalidValue(f"--currency: {exc}") from None


@log_app.command("add")
def log_add(
    code: Code,
    channel: Annotated[
        str,
        typer.Option(
            help="phone, email, letter, visit, sms, wechat or legal.",
            callback=_choices("--channel", "LOG_CHANNELS"),
        ),
    ],
    invoice: Annotated[str | None, typer.Option(help="Invoice the contact was about.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="When [today].")] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            help="reached, no-answer, promised, disputed, paid-claimed or refused.",
            callback=_choices("--outcome", "OUTCOMES"),
        ),
    ] = None,
    excuse: Annotated[
        str | None,
        typer.Option(
            help="Excuse: a code, its Chinese wording or a short name like 已付款, 质量问题, "
            "没钱 (see `huikuan playbook`).",
            callback=checked_by(_excuse),
        ),
    ] = None,
    note: Annotated[str | None, typer.Option()] = None,
    evidence: Annotated[
        str | None, typer.Option(help="Proof: courier number, file, email id (restarts 诉讼时效).")
    ] = None,
    acknowledged: Annotated[
        bool, typer.Option("--acknowledged", help="The customer signed/confirmed the debt.")
    ] = False,
) -> None:
    """Log a contact; an excuse schedules its follow-up from the playbook.

    Example: huikuan log add C001 --channel phone --outcome reached --excuse paid-already
    """
    from huikuan.core.playbook import excuse as find_excuse
    from huikuan.store import collections as S

    when = parse_day(day, "--date")
    rec: dict[str, Any] = {
        "date": when.isoformat(),
        "channel": _choice(channel, S.LOG_CHANNELS, "--channel"),
        "outcome": _choice(outcome, S.OUTCOMES, "--outcome"),
        "invoice": optional_line(invoice, "--invoice"),
        "note": optional_text(note, "--note"),
        "evidence": optional_line(evidence, "--evidence"),
        "acknowledged": acknowledged,
    }
    if excuse is not None:
        found = find_excuse(excuse)
        rec["excuse"] = found.code
        rec["follow_up"] = (when + timedelta(days=found.follow_up_days)).isoformat()
    with ledger() as led, led.transaction() as conn:
        S.add_log(conn, led.user, code, rec, now())
    follow = f"; follow up on {rec['follow_up']}" if rec.get("follow_up") else ""
    hint = (
        " (mark the invoice with `huikuan invoice dispute` to pause dunning)"
        if rec["outcome"] == "disputed"
        else ""
    )
    done(f"Logged {rec['channel']} contact with {code} on {when}{follow}{hint}")


@log_app.command("list")
def log_list(
    code: Annotated[str | None, typer.Argument(help="Only this customer.")] = None,
    since: Annotated[str | None, typer.Option("--from", help="From this date.")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Up to this date.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List logged contacts, oldest first.

    Example: huikuan log list C001 --from 2026-11-01 --format csv
    """
    from huikuan.store import collections as S

    start = parse_day(since, "--from") if since is not None else None
    end = parse_day(until, "--to") if until is not None else None
    cols = [
        "id",
        "date",
        "customer",
        "invoice",
        "channel",
        "outcome",
        "excuse",
        "follow_up",
        "acknowledged",
        "evidence",
        "reference",
        "note",
        "user",
    ]
    with ledger() as led:
        rows = list(S.logs(led.conn, code, start, end))
    emit(Result(cols, rows, title="Contact log"), fmt)


@promise_app.command("add")
def promise_add(
    code: Code,
    amount: Annotated[str, typer.Option(help="Amount promised, e.g. 20,000.")],
    day: Annotated[str, typer.Option("--date", help="Date by which it will be paid.")],
    invoice: Annotated[str | None, typer.Option(help="Invoice it is for [any].")] = None,
    made: Annotated[str | None, typer.Option(help="When the promise was made [today].")] = None,
    currency: Annotated[str | None, typer.Option(help="[the ledger's currency]")] = None,
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a promise to pay; dunning of the customer pauses until the date + grace.

    Example: huikuan promise add C001 --amount 20000 --date 2026-11-30 --invoice INV-2026-101
    """
    from huikuan.core.money import parse_fen
    from huikuan.store import collections as S

    try:
        fen = parse_fen(amount)
    except InvalidValue as exc:
        raise InvalidValue(f"--amount: {exc}") from None
    promised, made_on = parse_day(day, "--date"), parse_day(made, "--made")
    if promised < made_on:
        raise InvalidValue(f"--date {promised} is before the promise was made ({made_on})")
    rec = {
        "amount": fen,
        "promised_date": promised.isoformat(),
        "made_on": made_on.isoformat(),
        "invoice": optional_line(invoice, "--invoice"),
        "note": optional_text(note, "--note"),
        "currency": _currency(currency) if currency is not None else state().config.currency,
    }
    with ledger() as led, led.transaction() as conn:
        S.add_promise(conn, led.user, code, rec, now())
    done(f"Promise recorded: {code} to pay {amount} by {promised}")


@promise_app.command("list")
def promise_list(
    code: Annotated[str | None, typer.Argument(help="Only this customer.")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="open, kept or broken.", callback=_choices("--status", PROMISE_STATUS)),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Status as of [today].")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Promises with their status: kept when payments reached the amount by the date.

    Example: huikuan promise list --status broken
    """
    from huikuan.store import collections as S

    wanted = _choice(status, PROMISE_STATUS, "--status")
    day = parse_day(as_of, "--as-of")
    with ledger() as led:
        rows = [p for p in S.promises(led.conn, day, code) if wanted in (None, p["status"])]
    cols = [
        "id",
        "customer",
        "invoice",
        "made_on",
        "promised_date",
        "currency",
        "amount",
        "paid",
        "status",
        "note",
    ]
    emit(Result(cols, rows, title=f"Promises as of {day}", money={"amount", "paid"}), fmt)


def _lang(value: str | None) -> str | None:
    if value is not None and value not in ("zh", "en"):
        raise typer.BadParameter(f"must be zh or en, not {value!r}")
    return value


LangOpt = Annotated[
    str | None,
    typer.Option(help="zh or en [the UI language: [ui] language, HUIKUAN_LANG, the locale].",
                 callback=_lang),
]  # fmt: skip


def playbook(
    code: Annotated[
        str | None,
        typer.Argument(
            help="Excuse code or Chinese name, e.g. paid-already, 已付款.",
            callback=checked_by(_excuse),
        ),
    ] = None,
    lang: LangOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """The ten common excuses (拖延借口) with the answer, what to verify and the follow-up.

    Examples: huikuan playbook;  huikuan playbook will-pay --lang en;  huikuan playbook 没钱
    """
    from huikuan.core.playbook import EXCUSES, excuse

    lang = lang or state().language
    chosen = [excuse(code)] if code else list(EXCUSES)
    rows = [e.text(lang) for e in chosen]
    cols = ["code", "says", "response", "verify", "follow_up_days"]
    if code and fmt == "table":
        emit(
            Result(
                ["field", "value"],
                [{"field": k, "value": v} for k, v in rows[0].items()],
                document=rows[0],
                title=f"Playbook: {chosen[0].code}",
            ),
            fmt,
        )
        return
    emit(Result(cols, rows, document=rows[0] if code else None, title="Playbook"), fmt)


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
    from huikuan.store.collections import limitation_sorted

    day = parse_day(as_of, "--as-of")
    lang = lang or state().language
    cal = state().config.make_calendar()  # years ahead lack holiday data: noted, not warned
    with ledger() as led:
        found = limitation_sorted(led.conn, day, cal, within)  # compact tuples, soonest first
    rows = _limitation_rows(found, day, lang)  # dicts made as they are written
    notes = []
    if cal.missing_years:
        years = ", ".join(str(y) for y in sorted(cal.missing_years))
        notes.append(
            f"No CN holiday data for {years}: end dates in those years count weekends only."
        )
    cols = [
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
    shown = (
        {**r, "restarted_by": _restart_text(r["restarted_by"])}
        for r in _limitation_rows(found, day, lang)
    )
    emit(
        Result(
            cols,
            shown if fmt in ("table", "csv") else rows,
            title=f"诉讼时效 as of {day}",
            notes=notes,
            money={"open"},
            optional=["due_date"],  # a narrow terminal: the end date is what matters
            document={"as_of": day.isoformat(), "rows": rows},
        ),
        fmt,
    )


def _limitation_rows(found: list[Any], day: date, lang: str) -> Iterator[dict[str, Any]]:
    from huikuan.core.limitation import advice
    from huikuan.store.collections import limitation_row

    for record in found:
        row = limitation_row(record, day)
        row["action"] = advice(row["days_left"], lang)
        yield row


def _restart_text(r: dict[str, str] | None) -> str | None:
    return f"{r['kind']} {r['date']}" if r else None


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.add_typer(log_app, name="log")
    app.add_typer(promise_app, name="promise")
    app.command("playbook")(playbook)
    app.command("limitation")(limitation)
