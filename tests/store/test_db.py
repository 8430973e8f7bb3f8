"""db.py / migrations.py: file permissions, pragmas, migrations recorded and applied once (§7);
transactions on either engine."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from ledger_sql import execute, ledger_rows

from huikuan.core.errors import HuikuanError
from huikuan.db.revision import HEAD
from huikuan.store import migrations
from huikuan.store.db import open_ledger, sa_of

NOW = "2026-11-22T10:00:00+00:00"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
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


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
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


def _legacy(db_path: Path, steps: list[migrations.Migration] | None = None) -> None:
    """A ledger as huikuan 0.1 made it: its own migrations (all, or ``steps``), no revision."""
    from huikuan.store.db import connect

    db_path.touch(mode=0o600)
    conn = connect(db_path)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(migrations, "MIGRATIONS", steps or migrations.MIGRATIONS)
            migrations.migrate(conn)
    finally:
        conn.close()


def _revision(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_new_ledger_is_stamped_with_the_head(db_path: Path) -> None:
    led = open_ledger(db_path, "tester", create=True)
    tables = {r[0] for r in led.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    led.close()
    assert {"customer", "contact", "invoice", "payment", "allocation", "audit"} <= tables
    assert "_migrations" not in tables  # no replay of 0.1's steps: the models' schema, stamped
    led = open_ledger(db_path, "tester")  # reopen: nothing to do
    try:
        assert _revision(led.conn) == HEAD
    finally:
        led.close()


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_legacy_steps_recorded_and_not_reapplied(db_path: Path) -> None:
    _legacy(db_path)
    raw = sqlite3.connect(db_path)
    first = raw.execute("SELECT name, applied_at FROM _migrations ORDER BY rowid").fetchall()
    raw.close()
    led = open_ledger(db_path, "tester")  # adopted: stamped, ``user`` renamed
    try:
        again = led.conn.execute("SELECT name, applied_at FROM _migrations ORDER BY rowid")
        assert again.fetchall() == first
        assert [name for name, _ in first] == [m.__name__ for m in migrations.MIGRATIONS]
        assert _revision(led.conn) == HEAD
        columns = {r[1] for r in led.conn.execute("PRAGMA table_info(audit)")}
        assert "username" in columns and "user" not in columns
    finally:
        led.close()


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_missing_legacy_steps_are_applied_in_order_then_adopted(db_path: Path) -> None:
    _legacy(db_path, migrations.MIGRATIONS[:7])  # huikuan 0.1: m001-m007
    led = open_ledger(db_path, "tester")
    try:
        names = [r[0] for r in led.conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
        assert names == [m.__name__ for m in migrations.MIGRATIONS]
        assert _revision(led.conn) == HEAD
    finally:
        led.close()


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_failed_legacy_step_writes_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _legacy(db_path)

    def m999_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (id INTEGER)")
        conn.execute("THIS IS NOT SQL")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m999_broken])
    with pytest.raises(HuikuanError):
        open_ledger(db_path, "tester")
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is None  # fmt: skip
        names = [r[0] for r in raw.execute("SELECT name FROM _migrations ORDER BY rowid")]
        assert names == [m.__name__ for m in migrations.MIGRATIONS if m is not m999_broken]
    finally:
        raw.close()


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_missing_ledger_without_create_is_an_error(db_path: Path) -> None:
    with pytest.raises(HuikuanError, match="no ledger"):
        open_ledger(db_path, "tester")
    assert not db_path.exists()


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_not_a_ledger(db_path: Path) -> None:
    db_path.write_bytes(b"this is not a database, just some text " * 100)
    with pytest.raises(HuikuanError, match="not a huikuan ledger"):
        open_ledger(db_path, "tester")


def test_transaction_rolls_back_on_error(db_path: Path) -> None:
    """On either engine."""
    add = "INSERT INTO customer (code, name, created_at) VALUES ('C1', 'x', ?)"
    led = open_ledger(db_path, "tester", create=True)
    try:
        with pytest.raises(RuntimeError), led.transaction() as conn:
            execute(sa_of(conn), add, (NOW,))
            raise RuntimeError("boom")
        assert execute(sa_of(led.conn), "SELECT COUNT(*) FROM customer") == [(0,)]
        with led.transaction() as conn:
            execute(sa_of(conn), add, (NOW,))
    finally:
        led.close()
    assert ledger_rows("SELECT code FROM customer") == [("C1",)]


def test_nested_transaction_is_a_savepoint(db_path: Path) -> None:
    """On either engine."""
    led = open_ledger(db_path, "tester", create=True)

    def add(conn: Any, code: str) -> None:
        sql = "INSERT INTO customer (code, name, created_at) VALUES (?, 'x', ?)"
        execute(sa_of(conn), sql, (code, NOW))

    try:
        with led.transaction() as conn:
            add(conn, "C1")
            with pytest.raises(RuntimeError), led.transaction() as inner:
                add(inner, "C2")
                raise RuntimeError("inner step fails")
            with led.transaction() as inner:
                add(inner, "C3")
        codes = execute(sa_of(led.conn), "SELECT code FROM customer ORDER BY code")
        assert codes == [("C1",), ("C3",)]
        # a failure after a nested step undoes the nested step too
        with pytest.raises(RuntimeError), led.transaction() as conn:
            with led.transaction() as inner:
                add(inner, "C4")
            raise RuntimeError("outer fails")
        assert execute(sa_of(led.conn), "SELECT COUNT(*) FROM customer") == [(2,)]
        assert not led.conn.in_transaction
    finally:
        led.close()


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_m007_rebuilds_dunning_message_keeping_rows_keys_and_indexes(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huikuan.store.db import connect

    upto = migrations.MIGRATIONS.index(migrations.m007_message_dropped)
    _legacy(db_path, migrations.MIGRATIONS[:upto])  # a ledger from before m007
    c = connect(db_path)
    c.execute("INSERT INTO customer (code, name, created_at) VALUES ('C1', '甲', 't')")
    c.execute(
        "INSERT INTO invoice (number, customer_id, issue_date, due_date, amount, open_amount,"
        " currency) VALUES ('I1', 1, '2026-10-01', '2026-11-01', 100, 100, 'CNY')"
    )
    c.execute(
        "INSERT INTO dunning_message (customer_id, run_date, policy, level, level_name, channel,"
        " invoices, status, created_at, updated_at, reference) VALUES"
        " (1, '2026-11-20', 'default', 2, 'demand', 'email', '[\"I1\"]', 'failed', 't', 't', 'R1')"
    )
    c.execute(
        "INSERT INTO dunning_action (invoice_id, level, level_name, status, run_date, message_id)"
        " VALUES (1, 2, 'demand', 'done', '2026-11-20', 1)"
    )
    c.commit()
    with pytest.raises(sqlite3.IntegrityError):  # 'dropped' is not allowed yet
        c.execute("UPDATE dunning_message SET status = 'dropped'")
    c.rollback()
    c.close()
    led = open_ledger(db_path, "tester")  # applies m007 (and the rest), then adopts
    try:
        c = led.conn
        row = c.execute("SELECT id, status, reference, invoices FROM dunning_message").fetchone()
        assert tuple(row) == (1, "failed", "R1", '["I1"]')
        c.execute("UPDATE dunning_message SET status = 'dropped'")
        indexes = {r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dunning_message'")}  # fmt: skip
        assert {"dunning_message_customer", "dunning_message_status"} <= indexes
        assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # on again
        with pytest.raises(sqlite3.IntegrityError):  # dunning_action still points at it
            c.execute("DELETE FROM dunning_message")
        with pytest.raises(sqlite3.IntegrityError):
            c.execute("UPDATE dunning_message SET status = 'lost'")
    finally:
        led.close()


@pytest.mark.sqlite_only("a ledger file: its modes, pragmas and huikuan 0.1 migrations")
def test_a_migration_applied_by_another_process_meanwhile_is_skipped(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huikuan.store.db import connect

    _legacy(db_path, migrations.MIGRATIONS[:-1])
    slow = connect(db_path)
    try:
        stale = migrations.pending(slow)  # this process sees the last migration pending...
        assert [m.__name__ for m in stale] == [migrations.MIGRATIONS[-1].__name__]
        open_ledger(db_path, "tester").close()  # ...while another one applies it
        monkeypatch.setattr(migrations, "pending", lambda conn: stale)
        assert migrations.migrate(slow) == []  # skipped under the lock, no error
        names = [r[0] for r in slow.execute("SELECT name FROM _migrations")]
        assert names == [m.__name__ for m in migrations.MIGRATIONS]
        assert slow.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        slow.close()
