"""The lean entry point: only the invoked command's module is built (fast start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from huikuan.cli import _names, app, command_name, lean_app


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        ([], None),
        (["--help"], None),
        (["--db", "x.db", "aging"], "aging"),
        (["--db=x.db", "--user", "bob", "credit", "check"], "credit"),
        (["--version"], None),
    ],
)
def test_command_name(argv: list[str], name: str | None) -> None:
    assert command_name(argv) == name


@pytest.mark.parametrize("name", sorted(_names(app)))
def test_every_command_has_a_lean_app(name: str) -> None:
    lean = lean_app([name])
    assert lean is not app
    assert name in _names(lean)


def test_top_level_help_lists_every_command() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['huikuan','--help']; from huikuan.cli import main; main()",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in _names(app):
        assert f"  {name} " in out


def test_unknown_command_is_a_usage_error() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['huikuan','nope']; from huikuan.cli import main; main()",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "No such command" in proc.stderr


def test_a_database_url_is_kept_whole(cli: Any, tmp_path: Path) -> None:
    """A PostgreSQL URL reaches the database layer unmangled (never a file 'postgresql:')."""
    errors = cli.error("--db", "postgresql://me@db.invalid/ledger", "aging")
    assert len(errors) == 1
    assert errors[0].startswith("Error: cannot open ledger postgresql://me@db.invalid/ledger: ")
    assert not Path("postgresql:").exists()


def test_the_index_matches_the_commands() -> None:
    """cli/index.py (what --help lists, which module owns a command) is in sync.

    If this fails after adding or changing a command, regenerate the index:
    python -c "from huikuan.cli import write_index; write_index()"
    """
    from huikuan.cli import index_entries
    from huikuan.cli.index import INDEX

    assert index_entries() == INDEX
    assert set(INDEX) == _names(app)


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys; sys.argv=['huikuan','--help']; from huikuan.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('huikuan.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['huikuan.cli.common', 'huikuan.cli.index']"
