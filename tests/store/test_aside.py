"""aside.py: work done on a second connection (a thread, a forked child) gives what the same
work on the ledger's connection gives; where that cannot help or fails, it is done there.

The ledger's connection is SQLite's here (the second connection reads the ledger file);
on PostgreSQL :func:`test_another_engine_or_a_transaction_works_on_the_ledger_connection`
covers the inline path.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book

from huikuan.db.tables import invoice
from huikuan.store import aside, pipeline
from huikuan.store.db import Connection, sa_of

SIDES = [aside.in_thread, aside.in_child]
parallel = pytest.mark.skipif(not pipeline.available(), reason="needs fork and two cores")


def _numbers(conn: Connection) -> list[str]:
    return list(sa_of(conn).execute(sa.select(invoice.c.number).order_by(invoice.c.id)).scalars())


def _book(book: Book) -> Book:
    book.customer("C1")
    for n in range(5):
        book.invoice(f"A-{n}", "C1", "2026-01-05", "100")
    return book


def _where(conn: Connection) -> tuple[int, int, list[str]]:
    """Which process and thread ran the work, and what it read."""
    return os.getpid(), threading.get_ident(), _numbers(conn)


@parallel
@pytest.mark.sqlite_only("a second connection to the ledger file")
@pytest.mark.parametrize("side", SIDES)
def test_work_done_aside_reads_what_the_ledger_connection_reads(book: Book, side: Any) -> None:
    conn = _book(book).conn
    with side(conn, _where) as later:
        pid, thread, numbers = later()
    assert numbers == _numbers(conn) == [f"A-{n}" for n in range(5)]
    if side is aside.in_child:
        assert pid != os.getpid()
    else:
        assert (pid, thread) == (os.getpid(), thread) and thread != threading.get_ident()


@parallel
@pytest.mark.sqlite_only("a second connection to the ledger file")
@pytest.mark.parametrize("side", SIDES)
def test_a_helper_that_fails_leaves_the_work_to_the_ledger_connection(
    book: Book, side: Any
) -> None:
    conn, me = _book(book).conn, (os.getpid(), threading.get_ident())

    def work(c: Connection) -> tuple[int, int, list[str]]:
        if c is not conn:
            raise RuntimeError("the helper fails")
        return _where(c)

    with side(conn, work) as later:
        assert later()[:2] == me
        assert later()[2] == [f"A-{n}" for n in range(5)]


@pytest.mark.parametrize("side", SIDES)
def test_another_engine_or_a_transaction_works_on_the_ledger_connection(
    book: Book, side: Any
) -> None:
    me = (os.getpid(), threading.get_ident())
    with book.led.transaction() as conn:
        _book(book)  # in the transaction: only this connection sees the new rows yet
        with side(conn, _where) as later:
            assert later() == (*me, [f"A-{n}" for n in range(5)])


@parallel
@pytest.mark.sqlite_only("a forked child reading the ledger file")
def test_a_child_whose_result_is_not_wanted_is_ended(book: Book) -> None:
    conn = _book(book).conn
    with pytest.raises(KeyError), aside.in_child(conn, _where) as later:
        pid = later.pid  # type: ignore[attr-defined]
        raise KeyError("the caller fails before asking for the result")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left behind
