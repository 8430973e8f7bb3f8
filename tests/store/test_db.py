"""db.py / migrations.py: file permissions, pragmas, migrations recorded and applied once (§7)."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from huikuan.core.errors import HuikuanError
from huikuan.store import migrations
from huikuan.store.db import open_ledger


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_ledger_is_owner_only(db_path: Path) -> None:
    led = open_ledger(db_path, "tester", create=True)
    try:
        assert _mode(db_path) == 0o600
        # WAL side files are created under the same owner-only umask
        for side in (
            db_path.with_name(db_path.name + "-wal"),
            db_path.with_name(db_path.name + "-shm"),
        ):
            if side.exists():
                assert _mode(side) & 0o077 == 0, oct(_mode(side))
    finally:
        led.close()


def test_new_ledger_in_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "ledger.db"
    led = open_ledger(path, "tester", create=True)
    led.close()
    assert _mode(path) == 0o600


def test_pragmas_wal_foreign_keys_busy_timeout(db_path: Path) -> None:
    led = open_ledger(db_path, "tester", create=True)
    try:
        conn = led.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        with pytest.raises(sqlite3.IntegrityError), led.transaction() as c:
            c.execute(
                "INSERT INTO invoice (number, customer_id, issue_date, due_date, amount,"
                " currency, open_amount) VALUES ('X', 999, '2026-01-01', '2026-01-31', 100, 'CNY', 100)"
            )
    finally:
        led.close()
    # WAL is a property of the file: a plain connection sees it too
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_migrations_recorded_and_not_reapplied(db_path: Path) -> None:
    led = open_ledger(db_path, "tester", create=True)
    first = led.conn.execute("SELECT name, applied_at FROM _migrations ORDER BY rowid").fetchall()
    tables = {r[0] for r in led.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    led.close()
    assert [name for name, _ in first] == [m.__name__ for m in migrations.MIGRATIONS]
    assert first[0][0] == "m001_ledger"
    assert {"customer", "contact", "invoice", "payment", "allocation", "audit"} <= tables

    led = open_ledger(db_path, "tester")  # reopen: nothing pending, nothing re-run
    try:
        again = led.conn.execute(
            "SELECT name, applied_at FROM _migrations ORDER BY rowid"
        ).fetchall()
        assert again == first
        assert migrations.pending(led.conn) == []
        assert migrations.migrate(led.conn) == []
    finally:
        led.close()


def test_new_migration_is_applied_on_open_in_order(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_ledger(db_path, "tester", create=True).close()
    calls: list[str] = []

    def m999_notes(conn: sqlite3.Connection) -> None:
        calls.append("m999_notes")
        conn.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m999_notes])
    led = open_ledger(db_path, "tester")
    led.close()
    led = open_ledger(db_path, "tester")
    try:
        names = [r[0] for r in led.conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
        assert names == [m.__name__ for m in migrations.MIGRATIONS]
        assert names[-1] == "m999_notes"
        assert calls == ["m999_notes"]  # once, not again on the second open
        led.conn.execute("INSERT INTO note (text) VALUES ('x')")
    finally:
        led.close()


def test_failed_migration_writes_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_ledger(db_path, "tester", create=True).close()

    def m999_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (id INTEGER)")
        conn.execute("THIS IS NOT SQL")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m999_broken])
    with pytest.raises(HuikuanError):
        open_ledger(db_path, "tester")
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
        names = [r[0] for r in raw.execute("SELECT name FROM _migrations ORDER BY rowid")]
        assert names == [m.__name__ for m in migrations.MIGRATIONS if m is not m999_broken]
    finally:
        raw.close()


def test_missing_ledger_without_create_is_an_error(db_path: Path) -> None:
    with pytest.raises(HuikuanError, match="no ledger"):
        open_ledger(db_path, "tester")
    assert not db_path.exists()


def test_not_a_ledger(db_path: Path) -> None:
    db_path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(HuikuanError, match="not a huikuan ledger"):
        open_ledger(db_path, "tester")


def test_transaction_rolls_back_on_error(db_path: Path) -> None:
    led = open_ledger(db_path, "tester", create=True)
    try:
        with pytest.raises(RuntimeError), led.transaction() as conn:
            conn.execute("INSERT INTO customer (code, name, created_at) VALUES ('C1', 'x', 'now')")
            raise RuntimeError("boom")
        assert led.conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0] == 0
        with led.transaction() as conn:
            conn.execute("INSERT INTO customer (code, name, created_at) VALUES ('C1', 'x', 'now')")
    finally:
        led.close()
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("SELECT code FROM customer").fetchall() == [("C1",)]
    finally:
        raw.close()


def test_nested_transaction_is_a_savepoint(db_path: Path) -> None:
    led = open_ledger(db_path, "tester", create=True)
    add = "INSERT INTO customer (code, name, created_at) VALUES (?, 'x', 'now')"
    try:
        with led.transaction() as conn:
            conn.execute(add, ("C1",))
            with pytest.raises(RuntimeError), led.transaction() as inner:
                inner.execute(add, ("C2",))
                raise RuntimeError("inner step fails")
            with led.transaction() as inner:
                inner.execute(add, ("C3",))
        codes = [r[0] for r in led.conn.execute("SELECT code FROM customer ORDER BY code")]
        assert codes == ["C1", "C3"]
        # a failure after a nested step undoes the nested step too
        with pytest.raises(RuntimeError), led.transaction() as conn:
            with led.transaction() as inner:
                inner.execute(add, ("C4",))
            raise RuntimeError("outer fails")
        assert led.conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0] == 2
        assert not led.conn.in_transaction
    finally:
        led.close()
