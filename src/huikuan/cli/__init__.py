"""The ``huikuan`` command line. Only this package imports typer."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Annotated, Any

import typer

from huikuan import __version__
from huikuan.cli import common
from huikuan.cli.index import INDEX
from huikuan.core.text import check_line

# The command modules, in the order their commands are registered (and listed in --help).
MODULES = (
    "setup",
    "customers",
    "invoices",
    "payments",
    "transfer",
    "reports",
    "credit",
    "remind",
    "collect",
    "limitation",
    "analytics",
    "kpi",
    "interest",
    "letter",
    "contracts",
    "audit",
    "bank",
)
GLOBAL_WITH_VALUE = ("--db", "--config", "--user")


def _new_app() -> common.App:
    return common.App(
        name="huikuan",
        help="回款 huikuan: receivables ledger, aging and collections from the command line.\n\n"
        "Example: huikuan init --demo && huikuan aging",
        rich_markup_mode=None,
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"huikuan {__version__}")
        raise typer.Exit()


def root(
    db: Annotated[
        str | None,
        typer.Option(
            envvar="HUIKUAN_DB",
            help="Ledger file, or postgresql://user@host/db [default: <app dir>/ledger.db].",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(envvar="HUIKUAN_CONFIG", help="huikuan.toml to use.")
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            envvar="HUIKUAN_USER",
            help="Who is making changes (audit log).",
            callback=common.checked_by(check_line),
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Global options."""
    common.reset(db, config, user)


def _module(name: str) -> Any:
    return importlib.import_module(f"huikuan.cli.{name}")


def full_app() -> common.App:
    """Every command of every module (tests, the index check, unknown commands)."""
    global _FULL
    if _FULL is None:
        _FULL = _new_app()
        _FULL.callback()(root)
        for name in MODULES:
            _module(name).register(_FULL)
    return _FULL


_FULL: common.App | None = None


def __getattr__(name: str) -> Any:
    """``huikuan.cli.app``: the full app, built on first use."""
    if name == "app":
        return full_app()
    raise AttributeError(name)


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

    The command's module (found in :data:`INDEX`) is the only one imported; the top-level
    help is built from the index alone, without importing any command module.
    """
    name = command_name(argv)
    lean = _new_app()
    lean.callback()(root)
    if name is None:
        _stubs(lean)
        return lean
    if name in INDEX:
        _module(INDEX[name][0]).register(lean)
        _only_subcommand(lean, name, argv)
        return lean
    return full_app()  # unknown command: let the full app say so


def _only_subcommand(lean: typer.Typer, group: str, argv: list[str]) -> None:
    """In ``group``, keep only the subcommand ``argv`` names (Click builds every command of a
    group, options and all, before it runs one). A name the group lacks keeps them all, so
    the usage error can list them; ``huikuan credit --help`` names none and lists them all."""
    rest = argv[argv.index(group) + 1 :] if group in argv else []
    sub = next((arg for arg in rest if not arg.startswith("-")), None)
    for n, info in enumerate(lean.registered_groups):
        if info.name != group or sub is None:
            continue
        app = info.typer_instance
        commands = [c for c in app.registered_commands if _command_name(c) == sub]  # type: ignore[union-attr]
        groups = [g for g in app.registered_groups if g.name == sub]  # type: ignore[union-attr]
        if commands or groups:
            narrow = copy.copy(app)
            narrow.registered_commands, narrow.registered_groups = commands, groups  # type: ignore[union-attr]
            lean.registered_groups[n] = copy.copy(info)
            lean.registered_groups[n].typer_instance = narrow


def _command_name(info: Any) -> str:
    return str(info.name or info.callback.__name__.replace("_", "-"))


def _noop() -> None:
    """Placeholder."""


def _stubs(lean: common.App) -> None:
    for name, (_, kind, text) in INDEX.items():
        if kind == "group":
            lean.add_typer(common.App(help=text), name=name)
        else:
            lean.command(name, help=text)(_noop)


def index_entries() -> dict[str, tuple[str, str, str]]:
    """:data:`INDEX` as the full app has it: name -> (module, "group"|"command", help)."""
    out: dict[str, tuple[str, str, str]] = {}
    for module in MODULES:
        probe = _new_app()
        _module(module).register(probe)
        for g in probe.registered_groups:
            out[str(g.name)] = (module, "group", _first(g.typer_instance.info.help))  # type: ignore[union-attr]
        for c in probe.registered_commands:
            name = c.name or c.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
            out[name] = (module, "command", _first(c.help or c.callback.__doc__))
    return dict(sorted(out.items(), key=lambda kv: kv[1][1] != "group"))


def _first(text: Any) -> str:
    """The first paragraph of a help text (what the top-level --help shows)."""
    return str(text or "").strip().split("\n\n")[0].replace("\n", " ")


def write_index() -> None:
    """Regenerate ``cli/index.py`` from the commands (after adding or renaming one)."""
    lines = [f"    {name!r}: {entry!r}," for name, entry in index_entries().items()]
    path = Path(__file__).with_name("index.py")
    head = path.read_text("utf-8").split("\nINDEX")[0] + "\n"
    path.write_text(
        head + "INDEX: dict[str, tuple[str, str, str]] = {\n" + "\n".join(lines) + "\n}\n", "utf-8"
    )


def main() -> None:
    """Console-script entry point."""
    import os
    import sys

    # Pydantic looks through every installed package for plugins when the first model class
    # is made (the ledger's tables): a sizeable part of a short command's start-up, for
    # plugins huikuan does not use. Setting the variable yourself still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    lean_app(sys.argv[1:])()
