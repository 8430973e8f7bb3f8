"""The bulk paths of ``bank import``: contracts read apart from the open invoices, statements
run straight on the DB-API cursor (:mod:`huikuan.store.direct`)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book

from huikuan.core.bankmatch import OpenInvoice, by_number
from huikuan.db.models import Audit, Invoice
from huikuan.runtime import collector_paused
from huikuan.services import bank
from huikuan.services.bank import ImportRequest
from huikuan.store import direct
from huikuan.store.db import sa_of

HEADER = ["交易日", "交易时间", "借方金额", "贷方金额", "余额", "摘要", "流水号", "用途"]
HEADER += ["收/付方名称", "收/付方帐号"]


def _statement(path: Path, lines: list[list[str]]) -> str:
    text = io.StringIO()
    rows = [["招商银行交易明细"], ["账号:", "755912345610801"], ["币种:", "人民币"], [], HEADER]
    csv.writer(text, lineterminator="\r\n").writerows([*rows, *lines])
    path.write_bytes(text.getvalue().encode("gb18030"))
    return str(path)


@pytest.fixture
def ledger(book: Book) -> Book:
    book.customer("C001", "上海明达机械有限公司")
    book.invoice("INV-101", "C001", "2026-10-01", "4400", due="2026-12-01")
    book.invoice("INV-102", "C001", "2026-09-01", "1200", due="2026-10-01")
    with book.led.transaction() as conn:
        sa_of(conn).execute(
            sa.update(Invoice).where(Invoice.number == "INV-101").values(contract="HT-2026-7")  # type: ignore[arg-type]
        )
    return book


def test_a_contract_named_in_a_memo_is_paid(ledger: Book, make_ctx: Any, tmp_path: Path) -> None:
    """The contract, read apart from the open invoices, still names the invoice (any case)."""
    line = ["20261105", "10:00:00", "", "4,400.00", "", "货款", "K1", "ht-2026-7"]
    path = _statement(tmp_path / "s.csv", [[*line, "上海明达机械有限公司", "31006"]])
    got = bank.import_statement(make_ctx("2026-11-22"), ImportRequest(path))
    assert (got.row()["matched"], got.row()["unmatched"]) == (1, 0)
    (view,) = bank.list_lines(make_ctx("2026-11-22"))
    assert (view.invoices, view.reason, view.score) == (
        ["INV-101"],
        "exact name; contract in memo",
        95,
    )
    with ledger.led.transaction() as conn:
        opens = sa_of(conn).execute(sa.select(Invoice.number, Invoice.open_amount)).all()  # type: ignore[call-overload]
    assert sorted(opens) == [("INV-101", 0), ("INV-102", 120000)]


def test_direct_rows_read_what_sqlalchemy_reads(ledger: Book) -> None:
    """Dates, an expanded IN list and money come back as SQLAlchemy gives them."""
    stmt = (
        sa.select(Invoice.number, Invoice.due_date, Invoice.open_amount)  # type: ignore[call-overload]
        .where(Invoice.customer_id.in_([1, 2]), Invoice.due_date > date(2026, 9, 1))  # type: ignore[union-attr]
        .order_by(Invoice.number)
    )
    with ledger.led.transaction() as conn:
        db = sa_of(conn)
        got = list(direct.rows(db, stmt))
        assert got == [tuple(r) for r in db.execute(stmt)]
    assert got == [("INV-101", date(2026, 12, 1), 440000), ("INV-102", date(2026, 10, 1), 120000)]


def test_direct_executemany_writes_what_sqlalchemy_writes(ledger: Book) -> None:
    """A datetime written by :func:`direct.executemany` reads back as SQLAlchemy's does."""
    at = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    row = {"at": at, "username": "u", "action": "a", "entity": "e", "key": "k", "detail": "{}"}
    with ledger.led.transaction() as conn:
        db = sa_of(conn)
        db.execute(sa.delete(Audit))
        db.execute(sa.insert(Audit), [row])
        direct.executemany(db, sa.insert(Audit), list(row), [list(row.values())] * 2)
        cols = (Audit.at, Audit.username, Audit.action, Audit.entity, Audit.key, Audit.detail)
        got = db.execute(sa.select(*cols)).all()  # type: ignore[call-overload]
    assert [tuple(r) for r in got] == [tuple(row.values())] * 3


def test_by_number_keeps_only_the_wanted_numbers() -> None:
    queue = [OpenInvoice(1, "INV-1", "CNY", 100), OpenInvoice(2, "inv-2", "CNY", 50)]
    assert by_number(queue, {"inv-2"}) == {"inv-2": [queue[1]]}
    assert by_number(queue) == {"inv-1": [queue[0]], "inv-2": [queue[1]]}


def test_small_cache_on_sqlite_is_the_default_then_the_ledgers_again(book: Book) -> None:
    """SQLite only: ``bank import`` reads with SQLite's default page cache (2 MiB)."""
    if book.led.dialect != "sqlite":
        pytest.skip("SQLite's page cache")
    (before,) = book.conn.execute("PRAGMA cache_size").fetchone()
    with book.led.small_cache():
        assert book.conn.execute("PRAGMA cache_size").fetchone() == (-2048,)
    assert book.conn.execute("PRAGMA cache_size").fetchone() == (before,)
    assert before == -32 * 1024


def test_the_import_runs_without_the_cycle_collector_then_restores_it(
    ledger: Book, make_ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching makes millions of objects: Python's cycle collector is paused meanwhile."""
    import gc

    from huikuan.services import bank_import

    seen: list[bool] = []
    real = bank_import.store

    def store(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(bank_import, "store", store)
    line = ["20261105", "10:00:00", "", "1,200.00", "", "货款", "K1", "INV-102"]
    path = _statement(tmp_path / "s.csv", [[*line, "上海明达机械有限公司", "31006"]])
    assert gc.isenabled()
    got = bank.import_statement(make_ctx("2026-11-22"), ImportRequest(path))
    assert (got.row()["matched"], seen, gc.isenabled()) == (1, [False], True)
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()
