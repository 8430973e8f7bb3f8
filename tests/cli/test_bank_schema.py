"""The bank tables (revision 0004): an older ledger upgrades in place and takes statements;
``db copy`` copies the bank lines, imports and aliases with everything else."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from huikuan.db.revision import HEAD
from huikuan.store.copy import ledger_tables
from huikuan.store.db import open_ledger, sa_of

FIXTURES = Path(__file__).parents[1] / "fixtures"
CMB = str(FIXTURES / "bank-cmb-2026-11.csv")
BANK_TABLES = ("bank_import", "bank_line", "bank_alias")


def test_a_0_1_ledger_upgrades_to_the_bank_revision_and_takes_a_statement_sqlite(
    cli: Any, tmp_path: Path
) -> None:
    """SQLite only: the 0.1 fixture is a SQLite file, read directly to see its revision."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "ledger-0.1-demo.db", path)
    path.chmod(0o600)
    got = json.loads(cli("--db", str(path), "bank", "import", CMB, "--format", "json").stdout)
    assert (got["new"], got["duplicates"]) == (5, 0)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert conn.execute("SELECT COUNT(*) FROM bank_line").fetchone() == (5,)
    finally:
        conn.close()


def _bank_rows(where: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    led = open_ledger(where, "tester")
    try:
        db = sa_of(led.conn)
        tables = [t for t in ledger_tables() if t.name in BANK_TABLES]
        return {
            t.name: [tuple(r) for r in db.execute(sa.select(t).order_by(t.c.id))] for t in tables
        }
    finally:
        led.close()


def test_db_copy_copies_the_bank_tables(cli: Any, small: Path, tmp_path: Path) -> None:
    cli("bank", "import", CMB)
    cli("bank", "claim", "3", "C001")
    cli("bank", "ignore", "5", "--reason", "loan")
    target = tmp_path / "copy.db"
    cli("db", "copy", "--to", str(target))
    rows = _bank_rows(small)
    assert [len(rows[t]) for t in BANK_TABLES] == [1, 5, 1]
    assert _bank_rows(target) == rows
