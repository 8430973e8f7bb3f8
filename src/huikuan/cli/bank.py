"""``bank import|list|match|claim|unclaim|ignore``: bank statements and the 认领 queue."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, one_of, parse_day
from huikuan.cli.context import service_context
from huikuan.core.text import required_line
from huikuan.output import Result

bank_app = App(
    help="Bank statements (银行流水核销): import, match to invoices, claim what is left.\n\n"
    "Example: huikuan bank import 招商银行流水.csv && huikuan bank list --status unmatched"
)
BANKS = ("cmb", "icbc", "ccb", "boc", "abc", "generic")
LINE_COLUMNS = [
    "line",
    "date",
    "amount",
    "currency",
    "direction",
    "counterparty",
    "counterparty_account",
    "memo",
    "serial",
    "status",
    "customer",
    "invoices",
    "reason",
    "score",
]
IMPORT_COLUMNS = ["file", "account", "lines", "new", "duplicates", "matched", "unmatched"]
Line = Annotated[int, typer.Argument(help="The line number `bank list` shows.", min=1)]


def _rows(lines: list[Any], fmt: str) -> list[dict[str, Any]]:
    rows = [line.row() for line in lines]
    if fmt in ("table", "csv"):
        return [{**r, "invoices": " ".join(r["invoices"])} for r in rows]
    return rows


def _emit_lines(
    lines: list[Any],
    fmt: str,
    document: dict[str, Any] | None = None,
    notes: list[str] | None = None,
    title: str | None = None,
) -> None:
    emit(
        Result(
            LINE_COLUMNS,
            _rows(lines, fmt),
            document=document,
            title=title,
            money={"amount"},
            notes=notes or [],
            optional=["counterparty_account", "serial", "direction", "currency", "reason"],
        ),
        fmt,
    )


@bank_app.command("import")
def import_(
    file: Annotated[
        str, typer.Argument(help="Statement: CSV (GBK or UTF-8), .xlsx or .xls; - for stdin.")
    ],
    bank: Annotated[
        str | None,
        typer.Option(
            help="Layout: cmb, icbc, ccb, boc, abc or generic [detected from the header]."
        ),
    ] = None,
    account: Annotated[
        str | None, typer.Option(help="The statement's account number [from the file].")
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="Headers of the fields: 'date=记账日,credit=收入金额,counterparty=对方名称' (keys: date, amount, credit, debit, currency, counterparty, counterparty_account, memo, serial).",
        ),
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Workbook sheet [the first].")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="CSV encoding [detected: UTF-8, else GB18030].")
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(help="The statement's currency when the file does not say [the ledger's]."),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Import a bank statement: store its new lines, match its credit lines to customers and
    invoices at once (those scoring [bank] auto_match_score or more become payments).

    Lines already imported (same serial, else same date, amount, counterparty and memo on the
    account) are skipped, so overlapping statements can be imported again. All or nothing:
    one bad line and nothing is stored.

    Example: huikuan bank import 招商银行流水.csv --account 755912345610801
    """
    from huikuan.services import bank as service

    req = service.ImportRequest(file, bank, account, mapping, sheet, encoding, currency)
    with service_context(parse_day(None)) as ctx:
        got = service.import_statement(ctx, req)
    done(
        f"Imported {got.new} new bank lines from {got.file} ({got.layout} layout, {got.duplicates} already there): {got.matched} matched, {got.unmatched} waiting"
    )
    emit(Result(IMPORT_COLUMNS, [got.row()], document=got.row()), fmt)


@bank_app.command("list")
def list_(
    status: Annotated[
        str | None,
        typer.Option(
            help="Only lines of this status: unmatched, matched or ignored.",
            callback=one_of("unmatched", "matched", "ignored"),
        ),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List bank lines by date: what matched, what waits to be claimed (认领), what was ignored.

    Example: huikuan bank list --status unmatched --format csv
    """
    from huikuan.services import bank

    with service_context(parse_day(None)) as ctx:
        _emit_lines(list(bank.list_lines(ctx, status)), fmt)


@bank_app.command("match")
def match(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would match and why; write nothing.")
    ] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Match the waiting credit lines again (after new invoices, customers or claims).

    Each line gets a customer (exact name, learnt alias, account seen before, normalised name,
    invoice numbers in the memo) and invoices (numbers in the memo, an equal open invoice,
    the whole open balance, else the allocation rule), with a reason and a score.

    Example: huikuan bank match --dry-run
    """
    from huikuan.services import bank

    with service_context(parse_day(None)) as ctx:
        got = bank.match(ctx, dry_run)
    would = "would match" if dry_run else "matched"
    note = f"{got.matched} {would}, {got.unmatched} left waiting"
    doc = {
        "dry_run": dry_run,
        "matched": got.matched,
        "unmatched": got.unmatched,
        "lines": _rows(got.lines, "json"),
    }
    done(note + (" (dry run: nothing written)" if dry_run else ""))
    _emit_lines(got.lines, fmt, document=doc)


@bank_app.command("claim")
def claim(
    line: Line,
    customer: Annotated[str, typer.Argument(help="Customer code.")],
    invoice: Annotated[
        list[str] | None,
        typer.Option("--invoice", help="Invoice to pay first (repeat for several)."),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Claim (认领) a waiting line for a customer: record the payment (these invoices first,
    then oldest due first) and learn the payer's name and account for next time.

    Example: huikuan bank claim 12 C001 --invoice INV-2026-101
    """
    from huikuan.services import bank

    with service_context(parse_day(None)) as ctx:
        got = bank.claim(ctx, line, customer, invoice or [])
    learnt = f"; learnt {', '.join(got.learnt)}" if got.learnt else ""
    done(f"Claimed bank line {line} for {customer}{learnt}")
    emit(
        Result(
            ["invoice", "amount", "open_after"],
            got.applied,
            title="Applied to",
            money={"amount", "open_after"},
        ),
        fmt,
    )


@bank_app.command("unclaim")
def unclaim(line: Line, fmt: FormatOpt = "table") -> None:
    """Undo a matched line: reverse its payment and put the line back in the queue.

    Example: huikuan bank unclaim 12
    """
    from huikuan.services import bank

    with service_context(parse_day(None)) as ctx:
        got = bank.unclaim(ctx, line)
    done(f"Unclaimed bank line {line}: its payment is reversed")
    _emit_lines([got], fmt)


@bank_app.command("ignore")
def ignore(
    line: Line,
    reason: Annotated[
        str, typer.Option(help="Why: a loan, a refund, a transfer between accounts …")
    ],
    fmt: FormatOpt = "table",
) -> None:
    """Take a line out of the 认领 queue, with a reason (kept in the audit log).

    Example: huikuan bank ignore 12 --reason "loan from the bank"
    """
    from huikuan.services import bank

    reason = required_line(reason, "--reason")
    with service_context(parse_day(None)) as ctx:
        got = bank.ignore(ctx, line, reason)
    done(f"Ignored bank line {line}")
    _emit_lines([got], fmt)


def register(app: typer.Typer) -> None:
    """Add the ``bank`` group to the root app."""
    app.add_typer(bank_app, name="bank")
