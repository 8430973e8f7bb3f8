"""A database problem met through SQLAlchemy (a lock held too long, a server gone) is one
``Error:`` line, exit 1, like sqlite3's own errors — never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa


def test_a_locked_database_seen_by_sqlalchemy_is_one_error_line(
    cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huikuan.store.queries as Q

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise sa.exc.OperationalError(
            "SELECT …", {}, sqlite3.OperationalError("database is locked")
        )

    monkeypatch.setattr(Q, "invoices", locked)
    assert cli.error("invoice", "list") == [f"Error: ledger {small}: database is locked"]
