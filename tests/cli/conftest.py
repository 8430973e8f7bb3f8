"""CLI tests: run ``huikuan`` in-process with Typer's CliRunner (stdout and stderr kept apart).

Fixtures:

- ``cli``: ``cli(*args, input=None, code=0)`` runs one command and checks the exit code, that
  no exception escaped and that no traceback was printed; ``cli.error(...)`` runs a command that
  must fail and returns its ``Error:`` lines; ``cli.snapshot()`` is the ledger as text, for
  "nothing changed" checks.
- ``ledger``: an empty, initialised ledger.
- ``small``: the hand-built ledger below (built once per session with ``huikuan`` itself,
  saved with ``huikuan backup`` and copied into each test's ledger path).

The small ledger, as of 2026-11-22 (due dates given explicitly, so no calendar is involved):

===========  ======  ==========  ==========  ========  ===============================
invoice      cust.   issue       due         amount    after payments etc.
===========  ======  ==========  ==========  ========  ===============================
INV-101      C001    2026-10-01  2026-12-01   4400.00  open 4400 (current)
INV-102      C001    2026-09-01  2026-10-01   1200.00  open 1200 (52 days: 31-60)
INV-103      C001    2025-06-01  2025-07-01   2000.00  paid 500 on 2025-08-01; 365+
INV-201 USD  C002    2026-06-01  2026-07-01    300.00  paid 50 on 2026-08-01; 91-180
INV-202 USD  C002    2026-11-01  2026-11-21   1000.00  1 day late: 1-30
INV-401      C004    2026-08-01  2026-08-31    900.00  credit note 100 on 2026-09-10; 61-90
INV-501      C005    2026-03-01  2026-03-31    800.00  disputed; 181-365
INV-502      C005    2026-05-01  2026-05-31    600.00  written off on 2026-11-01
===========  ======  ==========  ==========  ========  ===============================

C003 has no invoices, only an unapplied payment of 100.00 (2026-09-15).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner, Result

from huikuan.cli import app

sys.path.insert(0, str(Path(__file__).parent / "helpers"))  # mail_helpers

from pg_server import PgServer

AS_OF = "2026-11-22"

SMALL_LEDGER = """
init
customer add C001 上海明达机械有限公司 --terms NET30 --salesperson 王丽 --segment 制造 --region 华东
customer add C002 "Acme Inc" --terms NET30 --language en --salesperson Bob --segment 贸易 --region 海外
customer add C003 苏州小厂 --salesperson 王丽 --segment 制造 --region 华东
customer add C005 Epsilon --salesperson 李娜 --segment 科技 --region 华南
customer add C004 Delta --salesperson 李娜 --segment 科技 --region 华南
invoice add INV-101 C001 4,400 --issue-date 2026-10-01 --due-date 2026-12-01
invoice add INV-102 C001 1200 --issue-date 2026-09-01 --due-date 2026-10-01
invoice add INV-103 C001 2000.00 --issue-date 2025-06-01 --due-date 2025-07-01
payment add C001 500 --date 2025-08-01 --invoice INV-103 --reference B2025080100001 --method bank
invoice add INV-201 C002 300 --currency USD --issue-date 2026-06-01 --due-date 2026-07-01
invoice add INV-202 C002 1000 --currency USD --issue-date 2026-11-01 --due-date 2026-11-21
payment add C002 50 --date 2026-08-01 --invoice INV-201 --currency USD --reference W-77
payment add C003 100 --date 2026-09-15
invoice add INV-401 C004 900 --issue-date 2026-08-01 --due-date 2026-08-31
credit-note add C004 100 --invoice INV-401 --date 2026-09-10 --number CN-1 --reason price
invoice add INV-501 C005 800 --issue-date 2026-03-01 --due-date 2026-03-31
invoice add INV-502 C005 600 --issue-date 2026-05-01 --due-date 2026-05-31
write-off add INV-502 --reason bankrupt --date 2026-11-01
invoice dispute INV-501 --reason quality
"""  # C005 is added before C004: equal totals must still come out sorted by key


def _check(result: Result, args: tuple[str, ...] | list[str], code: int | None) -> Result:
    where = f"huikuan {' '.join(args)}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.output, where
    # CliRunner turns an uncaught exception into exit code 1: make sure it was a clean exit
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{result.exception!r} escaped\n{where}"
    )
    if code is not None:
        assert result.exit_code == code, f"exit {result.exit_code}, expected {code}\n{where}"
    return result


class Cli:
    """Runs huikuan commands in-process."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(
        self, *args: str, input: str | bytes | None = None, code: int | None = 0, **kw: Any
    ) -> Result:
        return _check(self.runner.invoke(app, list(args), input=input, **kw), args, code)

    def error(self, *args: str, input: str | bytes | None = None, code: int = 1) -> list[str]:
        """Run a command that must fail with ``code``; return its ``Error:`` lines.

        Nothing may go to stdout, and every line on stderr must be an ``Error:`` line, a usage
        hint (exit 2) or the one-line import summary.
        """
        result = self(*args, input=input, code=code)
        assert result.stdout == "", f"stdout not empty: {result.stdout!r}"
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert errors, f"no Error: line on stderr: {result.stderr!r}"
        if code == 1:
            others = [
                line
                for line in result.stderr.splitlines()
                if line and not line.startswith(("Error: ", "Nothing imported", "Warning: "))
            ]
            assert not others, f"unexpected stderr lines: {others}"
        return errors

    def snapshot(self) -> str:
        """Everything a change could touch, as text."""
        parts = [
            self("export", "customers", "--format", "csv").stdout,
            self("export", "invoices", "--format", "csv").stdout,
            self("export", "payments", "--format", "csv").stdout,
            self("payment", "list", "--all", "--format", "csv").stdout,
            self("invoice", "list", "--status", "all", "--as-of", AS_OF, "-f", "csv").stdout,
            self("contact", "list", "--format", "csv").stdout,
            self("customer", "list", "--format", "csv").stdout,
        ]
        return "\n---\n".join(parts)


@pytest.fixture(scope="session", autouse=True)
def _one_click_command() -> Iterator[None]:
    """Build the Click command tree once: Typer's runner rebuilds it on every invoke (~30 ms)."""
    command, build = typer.main.get_command(app), typer.testing._get_command
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.testing, "_get_command", lambda a: command if a is app else build(a))
        yield


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def ledger(cli: Cli, db_path: Path) -> Path:
    """An empty, initialised ledger."""
    cli("init")
    return db_path


@pytest.fixture(scope="session")
def small_template(
    tmp_path_factory: pytest.TempPathFactory, pg_server: PgServer | None
) -> Path | str:
    """The small ledger, built once through the CLI: saved with ``huikuan backup`` (SQLite),
    or on PostgreSQL a template database each test's database is cloned from (its name)."""
    base = tmp_path_factory.mktemp("small")
    name = pg_server.create() if pg_server else None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(
            "HUIKUAN_DB", pg_server.url(name) if pg_server and name else str(base / "build.db")
        )
        mp.setenv("XDG_CONFIG_HOME", str(base / "config"))
        mp.setenv("HUIKUAN_USER", "tester")
        mp.delenv("HUIKUAN_CONFIG", raising=False)
        mp.setenv("NO_COLOR", "1")
        run = Cli()
        for line in SMALL_LEDGER.strip().splitlines():
            run(*shlex.split(line))
        if name:
            return name
        run("backup", str(base / "small.db"))
    return base / "small.db"


@pytest.fixture
def small(small_template: Path | str, db_path: Path) -> Iterator[Path]:
    """A private copy of the small ledger at this test's HUIKUAN_DB (on PostgreSQL the test's
    database is already the clone: see ``isolated``)."""
    if isinstance(small_template, Path):
        shutil.copy2(small_template, db_path)
        os.chmod(db_path, 0o600)
    yield db_path


LETTERHEAD_CONFIG = (
    '[company]\nname = "回款科技"\nbank = "工商银行"\naccount = "1202"\n'
    '[dunning]\nescalation = "jump"\nrun_on_holidays = true\n'
)


@pytest.fixture
def company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with a letterhead, dunning by jumps on any day (letters are not sent without one)."""
    config = tmp_path / "huikuan.toml"
    config.write_text(LETTERHEAD_CONFIG, "utf-8")
    monkeypatch.setenv("HUIKUAN_CONFIG", str(config))
    return config
