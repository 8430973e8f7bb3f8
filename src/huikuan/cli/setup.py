"""``init``, ``backup``, ``doctor``, ``db copy`` and ``terms due``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, parse_day, state
from huikuan.cli.context import service_context
from huikuan.core.money import format_grouped, from_decimal
from huikuan.output import Result
from huikuan.services import admin

db_app = App(help="The ledger's database: copy it to another file or PostgreSQL database.")
terms_app = App(
    help="Payment terms: NET<n>/账期<n>天, EOM<n>/月结<n>天, PREPAID/款到发货, COD/货到付款."
)


def init(
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo ledger from examples/.")
    ] = False,
) -> None:
    """Create the ledger (or bring an existing one up to date).

    Example: huikuan init --demo && huikuan aging
    """
    with service_context(parse_day(None), create=True) as ctx:
        if demo:
            counts = admin.load_demo(ctx)
            done("Demo loaded: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    done(f"Ledger ready: {state().db_name()}")


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Copy the ledger safely while it may be in use, into a SQLite ledger file.

    The copy is owner-only (0600). With --force an existing FILE is replaced, never written
    through: a symbolic link at FILE is replaced by the copy, what it points to is untouched.
    A SQLite ledger is copied with SQLite's backup API; a PostgreSQL ledger is copied table
    by table and checked like `huikuan db copy` (the file opens with --db FILE).

    Example: huikuan backup ~/backups/ledger-$(date +%F).db
    """
    with service_context(parse_day(None)) as ctx:
        size = admin.backup(ctx, file, force)
    done(f"Backed up {size:,} bytes to {file}")


def doctor(
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="SQLite: the complete integrity_check (every index against its table; slow on "
            "a big ledger) instead of quick_check.",
        ),
    ] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Check the ledger: integrity, invariants, permissions, calendar data for this and next year.

    Exit 1 when a check fails: SQLite integrity, foreign keys, migrations, the ledger's
    invariants (open amounts, unapplied credit, currencies), or ledger files readable or
    writable by group/others (fix: chmod 600). Missing holiday data for this or next year is
    a warning only (exit 0): huikuan falls back to weekends and says so. On PostgreSQL the
    server enforces foreign keys and keeps the files: doctor checks the schema revision and
    the invariants.

    On SQLite the integrity line says which check ran: by default PRAGMA quick_check (every
    page, record and constraint, in one pass); --full runs PRAGMA integrity_check, which also
    checks that every index holds exactly its table's rows (several times slower).

    Example: huikuan doctor || echo "ledger needs attention"

    Example: huikuan doctor --full   # e.g. after a disk or power failure
    """
    with service_context(parse_day(None)) as ctx:
        report = admin.doctor(ctx, full)
    rows = [{"check": c.check, "status": c.status, "detail": c.detail} for c in report.checks]
    emit(Result(["check", "status", "detail"], rows, title="huikuan doctor"), fmt)
    if report.failed:
        raise typer.Exit(1)


@db_app.command("copy")
def db_copy(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="TARGET",
            help="The new ledger: a file path, or postgresql://user@host/db (an empty database).",
        ),
    ],
) -> None:
    """Copy the ledger (--db) into a new file or an empty PostgreSQL database, then check it.

    Every table is copied in one transaction, ids kept. A target that already holds data (or
    is the ledger itself) is refused and left as it was; a new file is removed when the copy
    fails. The copy is checked before it is reported done: the same rows per table and the
    same aging totals per currency (as of today) on both sides. A new file is created
    owner-only (0600); the password of a PostgreSQL target comes only from PGPASSWORD or
    ~/.pgpass.

    Example: huikuan db copy --to postgresql://ar@db.example.cn/ledger
    """
    with service_context(parse_day(None)) as ctx:
        result = admin.copy_ledger(ctx, to)
    totals = "; ".join(
        f"{t.currency} open {format_grouped(from_decimal(t.open))}, "
        f"unapplied {format_grouped(from_decimal(t.unapplied))}"
        for t in result.totals
    )
    done(
        f"Copied {len(result.rows)} tables, {result.total_rows:,} rows to {result.target}; "
        f"checked: rows per table and aging totals ({totals or 'none'}) equal"
    )


@terms_app.command("due")
def terms_due(
    code: Annotated[str, typer.Argument(help="Terms code, e.g. NET30, EOM60, 月结30天, PREPAID.")],
    issue: Annotated[str, typer.Argument(metavar="DATE", help="Issue date.")],
    delivery: Annotated[str | None, typer.Option(help="Delivery date (COD).")] = None,
) -> None:
    """Print the due date (ISO), rolled to the next working day.

    Example: huikuan terms due NET30 2026-09-01   # -> 2026-10-08 (国庆)
    """
    when = parse_day(issue, "DATE")
    deliver = parse_day(delivery, "--delivery") if delivery is not None else None
    typer.echo(admin.due_date(state().calendar, code, when, deliver).isoformat())


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command()(init)
    app.command()(backup)
    app.command()(doctor)
    app.add_typer(db_app, name="db")
    app.add_typer(terms_app, name="terms")
