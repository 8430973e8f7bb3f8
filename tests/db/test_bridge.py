"""SQLAlchemy statements and raw SQL share one transaction on the ledger's connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from huikuan.db.models import Customer
from huikuan.store.db import open_ledger


def _codes(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT code FROM customer ORDER BY code")]
    finally:
        conn.close()


def _add(conn: sqlite3.Connection, code: str) -> None:
    conn.sa.execute(  # type: ignore[attr-defined]
        sa.insert(Customer).values(code=code, name=code, created_at="2026-11-22T00:00:00+00:00")
    )


def test_both_commit_together(tmp_path: Path) -> None:
    led = open_ledger(tmp_path / "l.db", "t", create=True)
    with led.transaction() as conn:
        _add(conn, "C1")
        conn.execute("INSERT INTO customer (code, name, created_at) VALUES ('C2', 'x', 't')")
        assert _codes(tmp_path / "l.db") == []  # not visible before the commit
    led.close()
    assert _codes(tmp_path / "l.db") == ["C1", "C2"]


def test_both_roll_back_together(tmp_path: Path) -> None:
    led = open_ledger(tmp_path / "l.db", "t", create=True)
    with pytest.raises(RuntimeError), led.transaction() as conn:
        _add(conn, "C1")
        raise RuntimeError("boom")
    led.close()
    assert _codes(tmp_path / "l.db") == []


def test_an_error_in_a_statement_leaves_the_transaction_to_the_ledger(tmp_path: Path) -> None:
    led = open_ledger(tmp_path / "l.db", "t", create=True)
    with led.transaction() as conn:
        _add(conn, "C1")
        with pytest.raises(sa.exc.IntegrityError):
            _add(conn, "C1")  # duplicate code
        assert conn.in_transaction  # SQLAlchemy did not end it
        _add(conn, "C2")
    led.close()
    assert _codes(tmp_path / "l.db") == ["C1", "C2"]


def test_reads_see_the_open_transaction(tmp_path: Path) -> None:
    led = open_ledger(tmp_path / "l.db", "t", create=True)
    with led.transaction() as conn:
        conn.execute("INSERT INTO customer (code, name, created_at) VALUES ('C9', 'x', 't')")
        got = conn.sa.execute(sa.select(Customer.code)).scalars().all()  # type: ignore[attr-defined]
    led.close()
    assert got == ["C9"]
