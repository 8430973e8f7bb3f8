"""``log add|list``, ``promise add|list`` and ``playbook [CODE]``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from huikuan.cli.common import (
    App,
    FormatOpt,
    LangOpt,
    checked_by,
    done,
    emit,
    parse_day,
    state,
)
from huikuan.cli.context import service_context
from huikuan.core.errors import InvalidValue
from huikuan.core.text import optional_line, optional_text
from huikuan.output import Result
from huikuan.services import collect

if TYPE_CHECKING:
    from huikuan.services.collect import LogEntry, PromiseLine

log_app = App(
    help="The contact log: every call, visit, letter and what came of it.\n\nExample: huikuan log add C001 --channel phone --outcome promised"
)
promise_app = App(
    help="Promises to pay (付款承诺): kept or broken, checked against payments.\n\nExample: huikuan promise add C001 --amount 20000 --date 2026-11-30"
)
Code = Annotated[str, typer.Argument(help="Customer code, e.g. C001.")]


def _choices(what: str, known: tuple[str, ...] | Callable[[], tuple[str, ...]]) -> Any:
    """Callback for a choice option (case, ``_`` and spaces as ``-`` are forgiven): exit 2.

    ``known``: the allowed values, or the service function that gives them.
    """

    def check(value: str | None) -> str | None:
        allowed = known if isinstance(known, tuple) else known()
        try:
            return collect.choice(value, allowed, what)
        except InvalidValue:
            raise typer.BadParameter(
                f"must be one of {', '.join(allowed)}, not {value!r}"
            ) from None

    return check


def _excuse(code: str) -> Any:
    """The one place that knows excuse codes (core.playbook), as an option check."""
    from huikuan.core.playbook import excuse

    return excuse(code)


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
            callback=_choices("--channel", collect.channels),
        ),
    ],
    invoice: Annotated[str | None, typer.Option(help="Invoice the contact was about.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="When [today].")] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            help="reached, no-answer, promised, disputed, paid-claimed or refused.",
            callback=_choices("--outcome", collect.outcomes),
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
    when = parse_day(day, "--date")
    new = collect.NewContact(
        when, channel, outcome, optional_line(invoice, "--invoice"), excuse,
        optional_text(note, "--note"), optional_line(evidence, "--evidence"), acknowledged,
    )  # fmt: skip
    with service_context(parse_day(None)) as ctx:
        logged = collect.log_contact(ctx, code, new)
    follow = f"; follow up on {logged.follow_up}" if logged.follow_up else ""
    hint = (
        " (mark the invoice with `huikuan invoice dispute` to pause dunning)"
        if logged.outcome == "disputed"
        else ""
    )
    done(f"Logged {logged.channel} contact with {code} on {when}{follow}{hint}")


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
    with service_context(parse_day(None)) as ctx:
        entries = collect.contact_log(ctx, code, start, end)
    emit(Result(cols, [_log_row(e) for e in entries], title="Contact log"), fmt)


def _log_row(e: LogEntry) -> dict[str, Any]:
    return {
        "id": e.id, "date": e.day.isoformat(), "customer": e.customer, "invoice": e.invoice,
        "channel": e.channel, "outcome": e.outcome, "excuse": e.excuse,
        "follow_up": _iso(e.follow_up), "acknowledged": e.acknowledged, "evidence": e.evidence,
        "reference": e.reference, "note": e.note, "user": e.user,
    }  # fmt: skip


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


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
    from huikuan.core.money import parse_fen, to_decimal

    try:
        fen = parse_fen(amount)
    except InvalidValue as exc:
        raise InvalidValue(f"--amount: {exc}") from None
    promised, made_on = parse_day(day, "--date"), parse_day(made, "--made")
    new = collect.NewPromise(
        to_decimal(fen), promised, made_on, optional_line(invoice, "--invoice"),
        _currency(currency) if currency is not None else None, optional_text(note, "--note"),
    )  # fmt: skip
    with service_context(parse_day(None)) as ctx:
        collect.add_promise(ctx, code, new)
    done(f"Promise recorded: {code} to pay {amount} by {promised}")


@promise_app.command("list")
def promise_list(
    code: Annotated[str | None, typer.Argument(help="Only this customer.")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="open, kept or broken.", callback=_choices("--status", collect.PROMISE_STATUS)
        ),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Status as of [today].")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Promises with their status: kept when payments reached the amount by the date.

    Example: huikuan promise list --status broken
    """
    with service_context(parse_day(as_of, "--as-of")) as ctx:
        day, found = ctx.as_of, collect.promises(ctx, code, status)
    rows = [_promise_row(p) for p in found]
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


def _promise_row(p: PromiseLine) -> dict[str, Any]:
    return {
        "id": p.id, "customer": p.customer, "invoice": p.invoice,
        "made_on": p.made_on.isoformat(), "promised_date": p.promised_date.isoformat(),
        "currency": p.currency, "amount": f"{p.amount:.2f}", "paid": f"{p.paid:.2f}",
        "status": p.status, "note": p.note,
    }  # fmt: skip


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
    lang = lang or state().language
    chosen = collect.playbook(code)
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


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.add_typer(log_app, name="log")
    app.add_typer(promise_app, name="promise")
    app.command("playbook")(playbook)
