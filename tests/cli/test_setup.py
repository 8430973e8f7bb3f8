"""``--version``, ``--help``, ``init [--demo]``, ``terms due``, ``backup``, ``doctor``, ``--db``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer.main
from ledger_sql import ledger_exists

from huikuan.cli import app
from huikuan.resources import resource_dir

# Every command the contract (DESIGN.md §5) names and this version implements.
COMMANDS = [
    ["init"],
    ["backup"],
    ["doctor"],
    ["aging"],
    ["statement"],
    ["terms", "due"],
    ["customer", "add"],
    ["customer", "list"],
    ["customer", "show"],
    ["customer", "edit"],
    ["customer", "block"],
    ["customer", "unblock"],
    ["contact", "add"],
    ["contact", "list"],
    ["invoice", "add"],
    ["invoice", "list"],
    ["invoice", "show"],
    ["invoice", "dispute"],
    ["invoice", "undispute"],
    ["payment", "add"],
    ["payment", "list"],
    ["credit-note", "add"],
    ["write-off", "add"],
    ["import", "customers"],
    ["import", "invoices"],
    ["import", "payments"],
    ["export", "customers"],
    ["export", "invoices"],
    ["export", "payments"],
]


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


# --- version and help -----------------------------------------------------------------------


def test_version(cli):
    result = cli("--version")
    assert result.stdout == f"huikuan {version('huikuan')}\n"


def test_version_as_a_module():
    proc = subprocess.run(
        [sys.executable, "-m", "huikuan", "--version"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"huikuan {version('huikuan')}\n"
    assert "Traceback" not in proc.stderr


def test_root_help_lists_the_commands_and_an_example(cli):
    out = cli("--help").stdout
    assert "Example" in out
    for group in {c[0] for c in COMMANDS}:
        assert group in out


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(cli, command):
    result = cli(*command, "--help")
    assert "Usage:" in result.stdout
    assert "Example" in result.stdout


def _leaf_commands(command, path=()):
    subs = getattr(command, "commands", None)
    if not subs:
        yield list(path)
    for name, sub in (subs or {}).items():
        yield from _leaf_commands(sub, (*path, name))


def test_every_registered_command_has_an_example(cli):
    """Also the commands added after the list above."""
    leaves = list(_leaf_commands(typer.main.get_command(app)))
    assert all(c in leaves for c in COMMANDS)
    missing = [c for c in leaves if "Example" not in cli(*c, "--help").stdout]
    assert not missing


def test_a_group_without_a_subcommand_shows_its_commands(cli):
    result = cli("customer", code=None)
    assert result.exit_code in (0, 2)
    for sub in ("add", "list", "show", "edit", "block", "unblock"):
        assert sub in result.output


# --- init -----------------------------------------------------------------------------------


def test_init_creates_an_empty_ledger(cli, db_path):
    assert not ledger_exists()
    result = cli("init")
    assert ledger_exists()
    assert result.stdout == ""
    assert str(db_path) in result.stderr
    assert cli("customer", "list", "--format", "json").stdout.strip() in ("[\n]", "[]")
    assert cli("export", "invoices").stdout == (
        "number,customer,issue_date,amount,due_date,terms,currency,contract,salesperson,"
        "description,milestone\n"
    )


def test_init_is_safe_to_run_again(cli, small):
    before = cli.snapshot()
    cli("init")
    assert cli.snapshot() == before


def test_init_honours_the_db_option_over_the_environment(cli, tmp_path, db_path):
    other = tmp_path / "other" / "books.db"
    cli("--db", str(other), "init")
    assert other.exists()
    assert not ledger_exists()
    cli("--db", str(other), "customer", "add", "C001", "甲")
    assert "C001" in cli("--db", str(other), "export", "customers").stdout
    cli.error("customer", "list")  # HUIKUAN_DB still names a ledger that does not exist


def test_commands_need_a_ledger(cli, db_path):
    [error] = cli.error("aging")
    assert "no ledger" in error and "huikuan init" in error
    assert not ledger_exists()
    cli.error("customer", "add", "C001", "x")
    assert not ledger_exists()


def test_init_demo_loads_the_examples(cli, db_path):
    result = cli("init", "--demo")
    assert "Demo loaded" in result.stderr
    assert result.stdout == ""
    examples = resource_dir("examples")
    exported = {
        kind: list(csv.DictReader(cli("export", kind).stdout.splitlines()))
        for kind in ("customers", "invoices", "payments")
    }
    assert len(exported["customers"]) == _csv_rows(examples / "customers.csv")
    assert len(exported["invoices"]) == _csv_rows(examples / "invoices.csv")
    assert len(exported["payments"]) == _csv_rows(examples / "payments.csv")
    contacts = cli("contact", "list", "--format", "jsonl").stdout.splitlines()
    assert len(contacts) == _csv_rows(examples / "contacts.csv")
    disputed = cli("invoice", "list", "--status", "disputed", "--format", "jsonl").stdout
    assert len(disputed.splitlines()) == _csv_rows(examples / "disputes.csv")
    aging = json.loads(cli("aging", "--as-of", "2026-11-22", "--format", "json").stdout)
    assert aging["rows"] and {t["currency"] for t in aging["totals"]} >= {"CNY"}


def test_init_demo_into_an_initialised_empty_ledger(cli, ledger):
    cli("init", "--demo")
    assert cli("export", "customers").stdout.count("\n") > 1


def test_init_demo_refuses_a_ledger_with_data(cli, small):
    before = cli.snapshot()
    [error] = cli.error("init", "--demo")
    assert "already holds data" in error
    assert cli.snapshot() == before


def test_init_demo_twice_refuses_the_second_time(cli, db_path):
    cli("init", "--demo")
    before = cli.snapshot()
    cli.error("init", "--demo")
    assert cli.snapshot() == before


# --- terms due ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "day", "due"),
    [
        ("NET30", "2026-09-01", "2026-10-08"),  # 10-01 is in the 国庆 holidays
        ("账期60天", "2026-09-01", "2026-11-02"),  # 10-31 is a Saturday
        ("EOM30", "2026-09-01", "2026-10-30"),
        ("月结30天", "2026-09-01", "2026-10-30"),
        ("PREPAID", "2026-09-01", "2026-09-01"),
        ("net30", "2026-11-02", "2026-12-02"),
    ],
)
def test_terms_due(cli, code, day, due):
    result = cli("terms", "due", code, day)
    assert result.stdout == due + "\n"


def test_terms_due_cod_uses_the_delivery_date(cli):
    result = cli("terms", "due", "COD", "2026-09-01", "--delivery", "2026-09-05")
    assert result.stdout == "2026-09-07\n"  # 09-05 is a Saturday


def test_terms_due_needs_no_ledger(cli, db_path):
    cli("terms", "due", "NET30", "2026-09-01")
    assert not ledger_exists()


def test_terms_due_without_a_holiday_calendar(cli, tmp_path):
    config = tmp_path / "huikuan.toml"
    config.write_text('[calendar]\nkind = "none"\n', encoding="utf-8")
    assert cli("--config", str(config), "terms", "due", "NET30", "2026-09-01").stdout == (
        "2026-10-01\n"
    )


def test_terms_due_warns_on_stderr_for_a_year_without_calendar_data(cli):
    from huikuan.core.calendar import make_calendar

    cal = make_calendar("CN")
    year = cal.data_years.stop  # the first year the installed chinesecalendar does not know
    result = cli("terms", "due", "NET30", f"{year}-03-02")
    assert result.stdout.count("\n") == 1 and result.stdout.startswith(f"{year}-04-")
    assert "Warning:" in result.stderr and str(year) in result.stderr


def test_missing_config_named_on_the_command_line(cli, tmp_path):
    [error] = cli.error(
        "--config", str(tmp_path / "nope.toml"), "terms", "due", "NET30", "2026-09-01"
    )
    assert "nope.toml" in error


# --- backup ---------------------------------------------------------------------------------


def test_backup_is_a_working_copy(cli, small, tmp_path):
    target = tmp_path / "copy.db"
    result = cli("backup", str(target))
    assert result.stdout == ""
    assert str(target) in result.stderr
    assert target.exists()
    original = cli.snapshot()
    cli("customer", "add", "C999", "later")  # the copy does not follow the original
    copy = cli("--db", str(target), "export", "customers").stdout
    assert "C999" not in copy
    assert copy == original.split("\n---\n")[0]


def test_backup_refuses_to_overwrite_without_force(cli, small, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("precious", encoding="utf-8")
    [error] = cli.error("backup", str(target))
    assert "--force" in error
    assert target.read_text(encoding="utf-8") == "precious"
    cli("backup", str(target), "--force")
    assert "INV-101" in cli("--db", str(target), "export", "invoices").stdout


# --- doctor ---------------------------------------------------------------------------------


def test_doctor_passes_on_a_healthy_ledger(cli, small):
    result = cli("doctor")
    assert "invoice open amounts" in result.stdout  # (and "sqlite integrity" on SQLite)
    checks = json.loads(cli("doctor", "--format", "json").stdout)
    assert checks and {c["status"] for c in checks} <= {"ok", "warn"}
    assert set(checks[0]) == {"check", "status", "detail"}
    lines = cli("doctor", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == checks
    assert cli("doctor", "--format", "csv").stdout.startswith("check,status,detail\n")


def test_doctor_fails_with_exit_1_on_a_broken_ledger(cli, small, ledger_rows):
    ledger_rows("UPDATE invoice SET open_amount = open_amount - 1 WHERE number = 'INV-101'")
    result = cli("doctor", "--format", "json", code=1)
    assert "Traceback" not in result.stderr
    checks = json.loads(result.stdout)
    assert "fail" in {c["status"] for c in checks}
