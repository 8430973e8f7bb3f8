"""SQLAlchemy can start using the ledger's connection while a raw query is still being read."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from huikuan.db.models import Customer
from huikuan.store.db import open_ledger, sa_of


def test_first_statement_while_a_raw_cursor_is_open(tmp_path: Path) -> None:
    led = open_ledger(tmp_path / "l.db", "t", create=True)
    with led.transaction() as conn:
        for code in ("C1", "C2"):
            conn.execute(
                "INSERT INTO customer (code, name, created_at) VALUES (?, 'x', ?)",
                (code, "2026-11-22T00:00:00+00:00"),
            )
        seen = []
        for (code,) in conn.execute("SELECT code FROM customer ORDER BY code"):
            names = sa_of(conn).execute(sa.select(Customer.name).where(Customer.code == code))
            seen.append((code, names.scalar_one()))
    led.close()
    assert seen == [("C1", "x"), ("C2", "x")]
