"""A ledger made by huikuan 0.1 (tests/fixtures) opens in place: every row kept, same aging."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _rows(path: Path, table: str, width: int | None = None) -> list[tuple[Any, ...]]:
    """The table's rows; with ``width``, their first columns only (later revisions append)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()
    return [r[:width] for r in rows] if width is not None else rows


def test_a_0_1_demo_ledger_upgrades_with_the_same_aging(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "ledger-0.1-demo.db", path)
    path.chmod(0o600)
    before = {t: _rows(path, t) for t in ("invoice", "payment", "allocation", "audit", "letter")}
    out = cli("--db", str(path), "aging", "--as-of", "2026-11-22", "--format", "json").stdout
    expected = (FIXTURES / "ledger-0.1-demo.aging-2026-11-22.json").read_text("utf-8")
    assert json.loads(out) == json.loads(expected)
    widths = {t: len(rows[0]) for t, rows in before.items()}
    assert {t: _rows(path, t, widths[t]) for t in before} == before  # not one row changed
    cli("--db", str(path), "doctor")
