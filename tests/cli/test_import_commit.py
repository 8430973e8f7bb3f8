"""Issue 11: nothing after an import's COMMIT may change its outcome.

Another process taking the write lock right after the commit used to turn a saved import
into ``Error: … database is locked`` (exit 1) through ``PRAGMA optimize``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from huikuan.store import db

PAYMENTS = "customer,date,amount,reference\nC001,2026-11-20,100,R-1\nC003,2026-11-21,50,R-2\n"


@pytest.fixture
def writer_after_commit(small: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Another connection takes the write lock (BEGIN IMMEDIATE) as soon as a change commits.

    Yields a list that receives the time of that commit; the lock is held until the test ends.
    """
    other = sqlite3.connect(small, isolation_level=None, timeout=10)
    committed: list[float] = []
    original = db.Ledger.transaction

    @contextlib.contextmanager
    def transaction(self: db.Ledger) -> Iterator[sqlite3.Connection]:
        with original(self) as conn:
            yield conn
        if not committed:
            other.execute("BEGIN IMMEDIATE")
            committed.append(time.monotonic())

    monkeypatch.setattr(db.Ledger, "transaction", transaction)
    yield committed
    if other.in_transaction:
        other.rollback()
    other.close()


@pytest.mark.sqlite_only("PRAGMA optimize after COMMIT under SQLite's write lock")
def test_a_committed_import_succeeds_while_another_writer_holds_the_lock(
    cli, small, tmp_path, writer_after_commit
):
    f = tmp_path / "payments.csv"
    f.write_text(PAYMENTS, encoding="utf-8")
    result = cli("import", "payments", str(f))
    assert writer_after_commit, "the lock was not taken after the commit"
    assert time.monotonic() - writer_after_commit[0] < 5  # no wait for the busy timeout
    assert result.stderr == f"Imported 2 payments from {f} (utf-8)\n"
    with contextlib.closing(sqlite3.connect(small)) as conn:
        rows = conn.execute(
            "SELECT reference, amount, unapplied FROM payment WHERE reference LIKE 'R-%'"
            " ORDER BY reference"
        ).fetchall()
    assert rows == [("R-1", 10000, 0), ("R-2", 5000, 5000)]


def test_optimize_inside_a_bigger_transaction_waits_for_it(tmp_path):
    led = db.open_ledger(tmp_path / "l.db", "tester", create=True)
    try:
        with led.transaction() as conn:
            led.optimize()  # nested in a bigger change (the demo): left to the end
            assert conn.in_transaction
        led.optimize()
        timeout = led.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        assert timeout == db.BUSY_TIMEOUT_MS
    finally:
        led.close()
