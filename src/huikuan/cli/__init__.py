"""The ``huikuan`` command line. Only this package imports typer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huikuan import __version__
from huikuan.cli import (
    analytics,
    collect,
    common,
    credit,
    customers,
    interest,
    invoices,
    kpi,
    letter,
    payments,
    remind,
    reports,
    setup,
    transfer,
)

MODULES = (
    setup,
    customers,
    invoices,
    payments,
    transfer,
    reports,
    credit,
    remind,
    collect,
    analytics,
    kpi,
    interest,
    letter,
)
GLOBAL_WITH_VALUE = ("--db", "--config", "--user")


def _new_app() -> common.App:
    return common.App(
        name="huikuan",
        help="回款 huikuan: receivables ledger, aging and collections from the command line.\n\n"
        "Example: huikuan init --demo && huikuan aging",
        rich_markup_mode=None,
    )


app = _new_app()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"huikuan {__version__}")
        raise typer.Exit()


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


app.callback()(root)
for module in MODULES:
    module.register(app)


def _names(target: typer.Typer) -> set[str]:
    """Top-level command and group names registered on ``target``."""
    groups = {str(g.name) for g in target.registered_groups}
    commands = {c.name or c.callback.__name__.replace("_", "-") for c in target.registered_commands}  # type: ignore[union-attr]
    return groups | commands


def command_name(argv: list[str]) -> str | None:
    """The command this invocation names (after the global options), or None."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def lean_app(argv: list[str]) -> typer.Typer:
    """Only what this invocation needs, so start-up stays quick.

    Typer builds every command's options before running one; with one module registered
    (or, for the top-level help, stubs carrying each command's help) that work is small.
    """
    name = command_name(argv)
    lean = _new_app()
    lean.callback()(root)
    if name is None:
        _stubs(lean)
        return lean
    for module in MODULES:
        probe = _new_app()
        module.register(probe)
        if name in _names(probe):
            module.register(lean)
            return lean
    return app  # unknown command: let the full app say so


def _noop() -> None:
    """Placeholder."""


def _stubs(lean: common.App) -> None:
    for group in app.registered_groups:
        lean.add_typer(common.App(help=group.typer_instance.info.help), name=group.name)  # type: ignore[union-attr]
    for cmd in app.registered_commands:
        name = cmd.name or cmd.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        lean.command(name, help=cmd.callback.__doc__)(_noop)


def main() -> None:
    """Console-script entry point."""
    import sys

    lean_app(sys.argv[1:])()
