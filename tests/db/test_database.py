"""Units of work: all-or-nothing writes, reads that do not wait for writers (SQLite)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from huikuan.core.errors import HuikuanError
from huikuan.db.database import open_database
from huikuan.db.models import Customer

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def test_missing_ledger_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HuikuanError, match="no ledger at"):
        open_database(tmp_path / "none.db")


def test_created_owner_only(tmp_path: Path) -> None:
    db = open_database(tmp_path / "l.db", create=True)
    db.close()
    assert (tmp_path / "l.db").stat().st_mode & 0o777 == 0o600


def test_write_is_all_or_nothing(tmp_path: Path) -> None:
    db = open_database(tmp_path / "l.db", create=True)
    with pytest.raises(RuntimeError), db.write() as s:
        s.add(Customer(code="C1", name="x", created_at=NOW))
        s.flush()
        raise RuntimeError("boom")
    with db.read() as s:
        assert s.exec(select(Customer)).all() == []


def test_read_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    db = open_database(tmp_path / "l.db", create=True)
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.write() as s:
            s.add(Customer(code="C1", name="x", created_at=NOW))
            s.flush()
            holding.set()
            release.wait(10)

    t = threading.Thread(target=writer)
    t.start()
    holding.wait(10)
    with db.read() as s:  # would block for the busy timeout if reads took the write lock
        assert s.exec(select(Customer)).all() == []
    release.set()
    t.join()
    with db.read() as s:
        assert [c.code for c in s.exec(select(Customer))] == ["C1"]


def test_not_a_ledger(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(HuikuanError, match="not a huikuan ledger"):
        open_database(bad)
