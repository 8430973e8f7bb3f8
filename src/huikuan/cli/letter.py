"""``letter KIND CUSTOMER``: 催款函, 对账函, final demand, reminder, instalment agreement.

:func:`make_letter` is also what ``remind run`` uses to render the letters it delivers.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from huikuan.cli.common import done, ledger, now, one_of, parse_day, state, warn
from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.text import shorten
from huikuan.letters.letter import Letter

if TYPE_CHECKING:
    from huikuan.config import Config

FORMATS = ("html", "txt", "pdf")


def make_letter(
    conn: Any,
    cfg: Config,
    kind: str,
    code: str,
    as_of: date,
    *,
    lang: str | None = None,
    user: str,
    now: str,
    pdf: bool = False,
    draft: bool = False,
    reference: str | None = None,
    **options: Any,
) -> Letter:
    """Gather, number (stored, unique), render and return one letter.

    ``reference``: render again under a reference issued earlier (a retried delivery).
    ``options``: ``since`` (statement), ``instalments``/``first``/``every`` (plan).
    """
    from huikuan.letters import compose
    from huikuan.letters.compose import KINDS
    from huikuan.letters.render import render_letter
    from huikuan.store import letters as S

    if kind not in KINDS:
        raise InvalidValue(f"letter kind must be one of {', '.join(KINDS)}, not {kind!r}")
    customer, addressee = S.customer_facts(conn, code)
    lang = lang or customer["language"] or "zh"
    invoices = _invoices(conn, kind, code, as_of)
    interest, rate = _interest(conn, cfg, kind, code, as_of, lang)
    extra = _extra(conn, kind, code, as_of, invoices, options)
    deadline = cfg.make_calendar().add_workdays(as_of, cfg.letters.deadline_days)
    due = compose.totals(compose.with_interest(invoices, interest))
    totals = {t["currency"]: t["due"] for t in due}
    if reference is None:
        reference = "DRAFT" if draft else S.new_reference(
            conn, cfg.letters.reference_prefix, kind, lang, code, as_of, totals, user, now)  # fmt: skip
    ctx = compose.context(
        kind=kind, lang=lang, reference=reference, as_of=as_of, deadline=deadline,
        company=cfg.company, customer=customer, addressee=addressee, invoices=invoices,
        interest=interest, rate=rate, extra=extra,
        contacts=S.prior_contacts(conn, code, as_of, reference),
    )  # fmt: skip
    letter = render_letter(ctx, cfg.letters.templates)
    if pdf:
        from dataclasses import replace

        from huikuan.letters.pdf import html_to_pdf

        letter = replace(letter, pdf=html_to_pdf(letter.html, lang))
    return letter


def _invoices(conn: Any, kind: str, code: str, as_of: date) -> list[dict[str, Any]]:
    from huikuan.store.letters import open_invoices

    rows = [r for r in open_invoices(conn, code, as_of) if not r["disputed"]]
    if kind in ("demand", "final"):
        rows = [r for r in rows if r["days_overdue"] > 0]
        if not rows:
            raise HuikuanError(f"{code} has nothing overdue as of {as_of}: no {kind} letter")
    return rows


def _interest(
    conn: Any, cfg: Config, kind: str, code: str, as_of: date, lang: str
) -> tuple[dict[str, Decimal] | None, str]:
    if kind not in ("demand", "final") or not cfg.interest.in_letters:
        return None, ""
    from huikuan.store.interest import invoice_interest

    found = list(invoice_interest(conn, cfg.interest, as_of, code))
    rates = sorted({i.rate_zh if lang == "zh" else i.rate for i in found})
    return {i.number: i.interest for i in found}, "；".join(rates) if lang == "zh" else "; ".join(
        rates
    )


def _extra(
    conn: Any, kind: str, code: str, as_of: date, invoices: list[dict[str, Any]], options: Any
) -> dict[str, Any]:
    from huikuan.letters.compose import schedule
    from huikuan.store.statement import statement

    if kind == "statement":
        since = options.get("since")
        lines, _ = statement(conn, code, as_of, since)
        return {"statement": {"since": since, "lines": lines}}
    if kind != "plan":
        return {}
    currencies = sorted({i["currency"] for i in invoices})
    if len(currencies) != 1:
        raise HuikuanError(f"{code}: an instalment plan needs open invoices in one currency, not {currencies or 'none'}")  # fmt: skip
    total = sum((i["open"] for i in invoices), Decimal("0.00"))
    first = options.get("first") or as_of
    count = options.get("instalments")
    plan = schedule(total, 3 if count is None else count, first, options.get("every") or "month")
    return {"plan": {"instalments": plan, "currency": currencies[0]}}


def _every(text: str) -> str:
    """``month`` or a number of days between instalments (at most a year)."""
    days = text.lstrip("0")
    if text == "month":
        return text
    if text.isascii() and text.isdigit() and 1 <= len(days) <= 3 and int(days) <= 366:
        return text
    raise InvalidValue(
        f"--every must be month or a number of days from 1 to 366, not {shorten(text)!r}"
    )


def _kind(value: str) -> str:
    from huikuan.letters.compose import KINDS

    return str(one_of(*KINDS)(value))


def letter(
    kind: Annotated[
        str,
        typer.Argument(help="reminder, demand, final, statement or plan.", callback=_kind),
    ],
    customer: Annotated[str, typer.Argument(help="Customer code, e.g. C001.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Letter date [today].")] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="zh or en [the customer's language].", callback=one_of("zh", "en")),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="html, txt or pdf.", callback=one_of(*FORMATS))
    ] = "html",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    since: Annotated[str | None, typer.Option("--from", help="Statement: from this date.")] = None,
    instalments: Annotated[
        int | None, typer.Option(min=1, max=120, help="Plan: number of instalments [3].")
    ] = None,
    first: Annotated[
        str | None, typer.Option(help="Plan: first instalment date [--as-of].")
    ] = None,
    every: Annotated[str, typer.Option(help="Plan: month, or a number of days.")] = "month",
    draft: Annotated[
        bool, typer.Option("--draft", help="Preview: no reference number is used up.")
    ] = False,
) -> None:
    """Render a letter (HTML for print, text for email, or PDF) with a stored reference number.

    Delivering it is up to you (`remind run` delivers and logs its own letters): once it has
    provably arrived, log it with `huikuan log add C001 --channel letter --evidence …`, which
    restarts the 诉讼时效; a signed 对账函 with `--acknowledged`.

    Example: huikuan letter demand C001 -o 催款函-C001.html;  huikuan letter statement C002 --lang en -f txt
    """
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise InvalidValue("a PDF goes to a file: add -o letter.pdf (or pipe the output)")
    day = parse_day(as_of, "--as-of")
    options: dict[str, Any] = {"since": parse_day(since, "--from") if since is not None else None,
               "instalments": instalments, "every": _every(every),
               "first": parse_day(first, "--first") if first is not None else None}  # fmt: skip
    st = state()
    missing = [k for k in ("name", "bank", "account") if not st.config.company.get(k, "").strip()]
    if missing:
        warn(f"no [company] {', '.join(missing)} in huikuan.toml: the letterhead or bank details are empty")  # fmt: skip
    with ledger() as led, led.transaction() as conn:  # a failed write gives the number back
        made = make_letter(conn, st.config, kind, customer, day, lang=lang, user=led.user,
                           now=now(), pdf=fmt == "pdf", draft=draft, **options)  # fmt: skip
        _write(made, fmt, output)
    done(
        f"Letter {made.reference} ({made.kind}, {made.lang}) for {customer}"
        + (f" -> {output}" if output else "")
    )


def _write(made: Letter, fmt: str, output: Path | None) -> None:
    data = made.pdf if fmt == "pdf" else (made.html if fmt == "html" else made.text).encode()
    assert data is not None
    if output is None:
        sys.stdout.buffer.write(data) if fmt == "pdf" else sys.stdout.write(data.decode())
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise HuikuanError(f"cannot write {output}: {exc.strerror}") from None


def register(app: typer.Typer) -> None:
    """Add ``letter`` to the root app."""
    app.command()(letter)
