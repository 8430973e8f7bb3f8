"""``letter KIND CUSTOMER``: 催款函, 对账函, final demand, reminder, instalment agreement.

The letter is composed and numbered by :func:`huikuan.services.letters.issue_letter`.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer

from huikuan.cli.common import done, one_of, parse_day, state, warn
from huikuan.cli.context import service_context
from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.text import shorten
from huikuan.letters.letter import Letter
from huikuan.services.letters import LetterRequest, issue_letter, missing_letterhead

FORMATS = ("html", "txt", "pdf")


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
    missing = missing_letterhead(state().config.company)
    if missing:
        warn(f"no [company] {', '.join(missing)} in huikuan.toml: the letterhead or bank details are empty")  # fmt: skip
    req = LetterRequest(kind, customer, lang, pdf=fmt == "pdf", draft=draft, options=options)
    with service_context(day) as ctx:  # a failed write gives the number back
        made = issue_letter(ctx, req, partial(_write, fmt=fmt, output=output))
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
