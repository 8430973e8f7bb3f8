"""The ``huikuan`` command line. Only this package imports typer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huikuan import __version__
from huikuan.cli import (
    collect,
    common,
    credit,
    customers,
    invoices,
    payments,
    remind,
    reports,
    setup,
    transfer,
)

app = common.App(
    name="huikuan",
    help="回款 huikuan: receivables ledger, aging and collections from the command line.\n\n"
    "Example: huikuan init --demo && huikuan aging",
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"huikuan {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[
        Path | None,
        typer.Option(envvar="HUIKUAN_DB", help="Ledger file [default: <app dir>/ledger.db]."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(envvar="HUIKUAN_CONFIG", help="huikuan.toml to use.")
    ] = None,
    user: Annotated[
        str | None, typer.Option(envvar="HUIKUAN_USER", help="Who is making changes (audit log).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Global options."""
    common.reset(db, config, user)


for module in (setup, customers, invoices, payments, transfer, reports, credit, remind, collect):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
