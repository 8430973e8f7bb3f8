"""``kpi --by customer`` reads the allocations after the first period on a second SQLite
connection in a helper thread (``store.beside.rows_in_two``), from the snapshot the ledger's
connection reads: the same sums as the one statement it stands in for, on a generated ledger
with credit notes, write-offs, voids, reversals and credit applied to later invoices; a commit
between the two snapshots, a second connection refused or a reader stopped early fall back or
end cleanly."""

from __future__ import annotations

import random
import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.errors import HuikuanError
from huikuan.core.kpi import split
from huikuan.db.sqlite import one_snapshot
from huikuan.services.corrections import reverse_payment, void_invoice
from huikuan.store import beside, direct
from huikuan.store import kpi as K
from huikuan.store.db import sa_of

START = date(2025, 10, 1)
SPANS = (
    (date(2026, 1, 1), date(2026, 6, 30), "month"),
    (date(2025, 11, 15), date(2026, 8, 10), "quarter"),
    (date(2026, 2, 15), date(2026, 3, 20), None),
)


@pytest.fixture
def ledger(book: Book, make_ctx: MakeCtx) -> Book:
    """Five customers, invoices and payments in two currencies entered in date order, credit
    notes, write-offs, voids (allocations taken back) and reversed payments."""
    rng = random.Random(5)
    for n in range(5):
        book.customer(f"C{n}")
    days = [(START + timedelta(days=rng.randrange(300))).isoformat() for _ in range(120)]
    kinds = ["invoice"] * 50 + ["payment"] * 40 + ["note", "off", "void", "rev"] * 7 + ["x"] * 2
    for n, (day, kind) in enumerate(sorted(zip(days, kinds))):
        cust, cur = f"C{rng.randrange(5)}", "USD" if rng.random() < 0.2 else "CNY"
        if kind == "invoice":
            book.invoice(f"I{n:03}", cust, day, str(rng.randrange(1, 50) * 100), currency=cur)
        elif kind == "payment":
            book.payment(cust, day, str(rng.randrange(1, 60) * 100), currency=cur)
        elif kind == "note":
            book.payment(cust, day, "150", currency=cur, kind="credit_note")
        elif kind in ("off", "void", "rev"):
            _correction(book, make_ctx, rng, day, kind)
    return book


def _correction(book: Book, make_ctx: MakeCtx, rng: random.Random, day: str, kind: str) -> None:
    numbers = [r[0] for r in book.execute("SELECT number FROM invoice WHERE issue_date <= ?", [day])]  # fmt: skip
    pays = [r[0] for r in book.execute("SELECT id FROM payment WHERE kind = 'payment' AND date <= ? AND reversed_on IS NULL", [day])]  # fmt: skip
    try:
        open_ = [r[0] for r in book.execute("SELECT number FROM invoice WHERE open_amount > 0 AND issue_date <= ?", [day])]  # fmt: skip
        if kind == "off" and open_:
            book.write_off(rng.choice(open_), day)
        elif kind == "void" and numbers:
            void_invoice(make_ctx(day), rng.choice(numbers), "wrong", reverse_allocations=True)
        elif kind == "rev" and pays:
            reverse_payment(make_ctx(day), str(rng.choice(pays)), "bounced")
    except HuikuanError:
        pass  # nothing open to write off, already void, …


def _figures(book: Book, periods: K.Periods) -> dict[Any, list[Any]]:
    groups = K.kpi_groups(book.conn, "customer", periods)
    return {key: list(b.figures()) for key, b in groups.items()}


def test_two_reads_give_the_sums_of_one_statement(
    ledger: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds = {r[0] for r in ledger.execute("SELECT kind FROM payment")}
    assert kinds == {"payment", "credit_note", "write_off", "void"}
    for first, last, unit in SPANS:
        periods = split(first, last, unit)
        two = _figures(ledger, periods)
        with monkeypatch.context() as m:
            m.setattr(beside, "second_reader", lambda db: None)  # the one statement
            one = _figures(ledger, periods)
        assert two == one and len(one) >= 5, (first, last, unit)


@pytest.mark.sqlite_only("a second connection to the ledger file")
def test_the_allocations_are_read_on_a_second_connection(
    ledger: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    batches = direct.batches_of

    def spy(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return batches(*args)

    monkeypatch.setattr(direct, "batches_of", spy)
    _figures(ledger, split(date(2026, 1, 1), date(2026, 6, 30), "month"))
    assert len(threads) == 2 and threads[0] != threads[1]  # the ledger's thread and a helper
    assert not ledger.conn.in_transaction  # the read transaction ended


@pytest.mark.sqlite_only("SQLite's snapshots")
def test_a_commit_between_the_two_snapshots_is_refused(ledger: Book) -> None:
    path = Path(ledger.path)
    other = sqlite3.connect(path, isolation_level=None)
    third = sqlite3.connect(path, isolation_level=None)

    class Meddling(sqlite3.Connection):
        """Someone commits just as this connection's read transaction begins."""

        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
            if sql == "BEGIN":
                third.execute("UPDATE customer SET name = name || '.' WHERE code = 'C1'")
            return super().execute(sql, *args)

    conn = sqlite3.connect(path, isolation_level=None, factory=Meddling)
    try:
        assert not one_snapshot(conn, other)
        assert not conn.in_transaction and not other.in_transaction
        plain = sqlite3.connect(path, isolation_level=None)
        assert one_snapshot(plain, other)  # nobody in between
        plain.execute("COMMIT")
        other.execute("COMMIT")
        plain.close()
    finally:
        for c in (conn, other, third):
            c.close()


@pytest.mark.sqlite_only("a second connection to the ledger file")
def test_without_a_second_connection_the_one_statement_is_read(
    ledger: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    periods = split(date(2026, 1, 1), date(2026, 6, 30), "month")
    want = _figures(ledger, periods)

    def refuse(path: Path, **kw: Any) -> Any:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(beside, "read_only", refuse)
    assert _figures(ledger, periods) == want


@pytest.mark.sqlite_only("a second connection to the ledger file")
def test_a_reader_stopped_early_ends_its_thread_and_transaction(ledger: Book) -> None:
    db = sa_of(ledger.conn)
    stmt = K.pieces("customer", K._bounds(split(date(2026, 1, 1), date(2026, 6, 30), "month")))
    before = threading.active_count()
    with pytest.raises(RuntimeError), beside.rows_in_two(db, stmt, stmt, stmt) as rows:
        next(iter(rows))
        raise RuntimeError("the caller failed")
    assert threading.active_count() == before and not ledger.conn.in_transaction
