"""``huikuan db copy --to TARGET``: a ledger copied whole into a new file or an empty
PostgreSQL database, ids kept, checked (rows per table, aging totals) before it says done."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pg_helpers
import pytest
import sqlalchemy as sa
from pg_helpers import needs_server

from huikuan.store import copy as copy_module
from huikuan.store.copy import ledger_tables
from huikuan.store.db import open_ledger, sa_of

pg_url = pg_helpers.pg_url  # the fixture: a new, empty PostgreSQL database
AS_OF = "2026-11-22"
AGING = ["aging", "--as-of", AS_OF, "--format", "json"]


def _tables(where: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, by id."""
    led = open_ledger(where, "tester")
    try:
        db = sa_of(led.conn)
        return {
            t.name: [tuple(r) for r in db.execute(sa.select(t).order_by(t.c.id))]
            for t in ledger_tables()
        }
    finally:
        led.close()


def test_copy_to_a_new_file(cli: Any, small: Path, tmp_path: Path) -> None:
    target = tmp_path / "new" / "copy.db"
    result = cli("db", "copy", "--to", str(target))
    rows = sum(len(r) for r in _tables(small).values())
    assert result.stderr == (
        f"Copied 18 tables, {rows} rows to {target}; checked: rows per table and aging totals "
        "(CNY open 8,700.00, unapplied 100.00; USD open 1,250.00, unapplied 0.00) equal\n"
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _tables(target) == _tables(small)
    assert cli("--db", str(target), *AGING).stdout == cli(*AGING).stdout


def test_a_target_holding_data_is_refused_and_left_alone(
    cli: Any, small: Path, tmp_path: Path
) -> None:
    target = str(tmp_path / "other.db")
    cli("--db", target, "init")
    cli("--db", target, "customer", "add", "X001", "Other Co")
    before = _tables(target)
    assert cli.error("db", "copy", "--to", target) == [
        f"Error: {target} already holds data (table audit): copy only into a new file or "
        "an empty database"
    ]
    assert _tables(target) == before


def test_an_empty_ledger_is_a_fine_target(cli: Any, small: Path, tmp_path: Path) -> None:
    target = str(tmp_path / "empty.db")
    cli("--db", target, "init")
    cli("db", "copy", "--to", target)
    assert _tables(target) == _tables(small)


def test_a_failed_check_is_an_error(
    cli: Any, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = copy_module.table_counts

    def short_by_one(led: Any) -> dict[str, int]:  # the target seems to have lost a payment
        found = counts(led)
        if led.name != str(small):
            found["payment"] -= 1
        return found

    monkeypatch.setattr(copy_module, "table_counts", short_by_one)
    target = tmp_path / "copy.db"
    n = len(_tables(small)["payment"])
    assert cli.error("db", "copy", "--to", str(target)) == [
        f"Error: copy check failed: table payment: {n} rows in {small}, {n - 1} in {target}"
    ]
    assert not target.exists()  # the new file it made is gone


def test_the_ledger_itself_is_refused(cli: Any, small: Path) -> None:
    before = _tables(small)
    assert cli.error("db", "copy", "--to", str(small)) == [
        f"Error: {small} is the ledger being copied: give another target"
    ]
    assert _tables(small) == before


def test_a_password_in_the_target_url_is_refused(cli: Any, small: Path) -> None:
    errors = cli.error("db", "copy", "--to", "postgresql://ar:secret@db.example.cn/ledger")
    assert len(errors) == 1 and "password in the URL is refused" in errors[0]


@needs_server
def test_demo_to_postgresql_and_back(cli: Any, tmp_path: Path, pg_url: str) -> None:
    lite, back = str(tmp_path / "demo.db"), str(tmp_path / "back.db")
    cli("--db", lite, "init", "--demo")
    cli("--db", lite, "db", "copy", "--to", pg_url)
    cli("--db", pg_url, "db", "copy", "--to", back)
    assert _tables(pg_url) == _tables(lite)
    assert _tables(back) == _tables(lite)
    aging = cli("--db", lite, *AGING).stdout
    assert json.loads(aging)["totals"]
    assert cli("--db", pg_url, *AGING).stdout == aging
    assert cli("--db", back, *AGING).stdout == aging


@needs_server
def test_a_postgresql_copy_takes_new_rows(cli: Any, small: Path, pg_url: str) -> None:
    cli("db", "copy", "--to", pg_url)
    before = _tables(pg_url)
    cli("--db", pg_url, "invoice", "add", "INV-900", "C003", "500", "--due-date", "2026-12-31")
    cli("--db", pg_url, "payment", "add", "C003", "200", "--date", "2026-11-20")
    after = _tables(pg_url)
    for name in ("invoice", "payment"):
        assert len(after[name]) == len(before[name]) + 1
        assert after[name][-1][0] == max(r[0] for r in before[name]) + 1


@needs_server
def test_a_postgresql_target_holding_data_is_refused(cli: Any, small: Path, pg_url: str) -> None:
    cli("--db", pg_url, "init", "--demo")
    before = _tables(pg_url)
    assert cli.error("db", "copy", "--to", pg_url)[0].endswith(
        "already holds data (table audit): copy only into a new file or an empty database"
    )
    assert _tables(pg_url) == before


@needs_server
def test_backup_of_a_postgresql_ledger_is_a_sqlite_ledger(
    cli: Any, tmp_path: Path, pg_url: str
) -> None:
    cli("--db", pg_url, "init", "--demo")
    file = tmp_path / "backup.db"
    result = cli("--db", pg_url, "backup", str(file))
    assert result.stderr == f"Backed up {file.stat().st_size:,} bytes to {file}\n"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert _tables(file) == _tables(pg_url)
    assert cli("--db", str(file), *AGING).stdout == cli("--db", pg_url, *AGING).stdout
    assert cli.error("--db", pg_url, "backup", str(file)) == [
        f"Error: {file} exists (pass --force to overwrite)"
    ]
    cli("--db", pg_url, "backup", str(file), "--force")
    assert _tables(file) == _tables(pg_url)
