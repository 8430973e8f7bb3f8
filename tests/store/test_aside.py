"""aside.py: work done on a second connection (a thread, a forked child) gives what the same
work on the ledger's connection gives; where that cannot help or fails, it is done there.

The ledger's connection is SQLite's here (the second connection reads the ledger file);
on PostgreSQL :func:`test_another_engine_or_a_transaction_works_on_the_ledger_connection`
covers the inline path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book

from huikuan.core.calendar import WorkCalendar, make_calendar
from huikuan.core.errors import HuikuanError
from huikuan.db.tables import invoice
from huikuan.store import aside, pipeline
from huikuan.store.db import Connection, sa_of

SIDES = [aside.in_thread, aside.in_child]
parallel = pytest.mark.skipif(not pipeline.available(), reason="needs fork and two cores")


@pytest.fixture(autouse=True)
def idle_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second core is taken to be free, however busy the machine running the tests."""
    monkeypatch.setattr(aside, "idle_core", lambda: True)


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


def _stream(cal: WorkCalendar, fail_in_child_after: int | None = None) -> Any:
    """Work for :func:`aside.streamed`: the invoice numbers, a hundred times over, as
    (pid, number); it asks the calendar about 2099 (no holiday data: a year to note)."""
    me = os.getpid()

    def produce(conn: Connection) -> Iterator[tuple[int, str]]:
        cal.is_workday(date(2099, 3, 3))
        for n, number in enumerate(_numbers(conn) * 100):
            if fail_in_child_after is not None and n >= fail_in_child_after and os.getpid() != me:
                raise RuntimeError("the child fails")
            yield os.getpid(), number

    return produce


@parallel
@pytest.mark.sqlite_only("a forked child reading the ledger file")
def test_a_stream_made_in_a_child_is_the_stream_made_here(book: Book) -> None:
    conn, cal = _book(book).conn, make_calendar("CN")
    got = list(aside.streamed(conn, _stream(cal), cal))
    here = list(_stream(make_calendar("CN"))(conn))
    assert [n for _, n in got] == [n for _, n in here] and len(got) == 500
    assert {pid for pid, _ in got} != {os.getpid()}  # made in the child
    assert cal.missing_years == {2099}  # what the child's calendar noted


@parallel
@pytest.mark.sqlite_only("a forked child reading the ledger file")
def test_a_child_failing_before_its_first_batch_leaves_the_stream_to_this_process(
    book: Book,
) -> None:
    conn, cal = _book(book).conn, make_calendar("CN")
    got = list(aside.streamed(conn, _stream(cal, fail_in_child_after=0), cal))
    assert got == [(os.getpid(), n) for n in _numbers(conn) * 100]
    assert cal.missing_years == {2099}


@parallel
@pytest.mark.sqlite_only("a forked child reading the ledger file")
def test_a_child_failing_after_its_first_batch_is_an_error(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aside, "BATCH", 10)
    conn, cal = _book(book).conn, make_calendar("CN")
    got = []
    with pytest.raises(HuikuanError, match="second process failed: RuntimeError: the child fails"):
        got.extend(aside.streamed(conn, _stream(cal, fail_in_child_after=25), cal))
    assert len(got) == 20  # the two whole batches it sent


@parallel
@pytest.mark.sqlite_only("a forked child reading the ledger file")
def test_a_stream_left_early_ends_its_child(book: Book) -> None:
    conn, cal = _book(book).conn, make_calendar("CN")
    pids = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        pids.append(pid)
        return pid

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "fork", fork)
        stream = aside.streamed(conn, _stream(cal), cal)
        assert next(stream)[1] == "A-0"
        stream.close()
    assert len(pids) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)


def test_a_stream_in_a_transaction_is_made_here(book: Book) -> None:
    cal = make_calendar("CN")
    with book.led.transaction() as conn:
        _book(book)
        got = list(aside.streamed(conn, _stream(cal), cal))
    assert got == [(os.getpid(), n) for n in [f"A-{n}" for n in range(5)] * 100]


@pytest.mark.parametrize("side", SIDES)
def test_the_result_is_worked_out_once(book: Book, side: Any) -> None:
    calls = []

    def work(conn: Connection) -> list[str]:
        calls.append(conn)
        return _numbers(conn)

    with book.led.transaction() as conn, side(conn, work) as later:  # done here
        assert later() == later() == [] and len(calls) == 1


def test_noidle_core_no_helper(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside, "idle_core", lambda: False)
    with aside.in_child(_book(book).conn, _where) as later:
        assert later()[:2] == (os.getpid(), threading.get_ident())


def test_a_busy_machine_has_noidle_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real check
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    assert aside.idle_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.6, 1.0, 1.0))
    assert not aside.idle_core()
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert not aside.idle_core()
