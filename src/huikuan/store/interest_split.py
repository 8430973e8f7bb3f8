"""A whole-ledger ``interest --format json`` in two halves by customer code, at once.

The first half's rows stream out from the ledger's connection while a thread reads the second
half on a second connection to the same file (SQLite runs a statement without holding
Python's lock, so the two use two cores) and spools its text to a temporary file, read back
once the first half is out: memory stays flat. Both connections read in a read transaction
and go on only when they see the same ledger (the same last audit entry, invoice, allocation,
payment and customer); else, or on one core, or when the second half meets a row the fast
path leaves to the general one, the ledger's connection reads it all, one half after the
other — the same rows either way.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

import sqlalchemy as sa

from huikuan.core.interest import InvoiceInterest
from huikuan.db import sqlite as sqlite_engine
from huikuan.db.tables import allocation, audit, customer, invoice, payment
from huikuan.store.db import Connection, Ledger, connect, sa_of, sqlite_of
from huikuan.store.interest_json import (
    SEPARATOR,
    JsonPlan,
    Sums,
    add_sums,
    json_batches,
    json_rows,
)

FIRST_SHARE = 45  # % of the customers read by the ledger's connection (it writes the rows too)
MIN_CUSTOMERS = 2  # fewer: one connection reads it all
END = "\x1e"  # ends a batch in the spool (JSON text spells control characters escaped)


def whole_ledger_rows(
    ledger: Ledger, plan: JsonPlan, as_of: date, include_paid: bool, sums: Sums
) -> Iterator[str | InvoiceInterest]:
    """Every customer's rows as :func:`json_rows` gives them, the two halves read at once
    where that can help."""
    middle = _middle_code(ledger.conn) if _two_cores() and ledger.path is not None else None
    if middle is None or ledger.path is None:
        yield from json_rows(ledger.conn, plan, as_of, None, include_paid, sums)
        return
    first, second = (None, middle), (middle, None)
    other = connect(ledger.path, any_thread=True)
    with (
        contextlib.closing(other),
        sqlite_engine.small_cache(other),  # its pages need not stay: flat memory
        sqlite_engine.read_snapshot(sqlite_of(ledger.conn)),
        _snapshot(other),
    ):
        if _seen(ledger.conn) != _seen(other):  # a change came in between: one by one
            yield from json_rows(ledger.conn, plan, as_of, None, include_paid, sums)
            return
        yield from _two_at_once(ledger.conn, other, plan, as_of, include_paid, sums, first, second)


def _two_at_once(
    conn: Connection, other: Connection, plan: JsonPlan, as_of: date, include_paid: bool,
    sums: Sums, first: tuple[str | None, str | None], second: tuple[str | None, str | None],
) -> Iterator[str | InvoiceInterest]:  # fmt: skip
    """The first half from ``conn`` while a thread spools the second from ``other``."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        half = _Spooler(other, plan, as_of, include_paid, second, spool)
        half.start()
        try:
            yield from json_rows(conn, plan, as_of, None, include_paid, sums, first)
        finally:
            half.join()
        if half.error is not None:
            raise half.error
        if not half.complete:  # a row for the general path: this connection reads it all
            yield from json_rows(conn, plan, as_of, None, include_paid, sums, second)
            return
        for cur, (opened, owed) in half.sums.items():
            total = sums.setdefault(cur, [0, 0])
            total[0] += opened
            total[1] += owed
        yield from _spooled(spool)


def _spooled(spool: IO[str]) -> Iterator[str]:
    """The batches written to ``spool``, in order."""
    spool.seek(0)
    rest = ""
    while block := spool.read(1 << 20):
        *done, rest = (rest + block).split(END)
        yield from done


class _Spooler(threading.Thread):
    """Reads one range of customers' rows into ``spool``, a line of text per fetch."""

    def __init__(
        self, conn: Connection, plan: JsonPlan, as_of: date, include_paid: bool,
        codes: tuple[str | None, str | None], spool: IO[str],
    ) -> None:  # fmt: skip
        super().__init__(name="interest-second-half", daemon=True)
        self.args = (conn, plan, as_of, None, include_paid, codes)
        self.spool = spool
        self.sums: Sums = {}
        self.complete = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for batch in json_batches(*self.args):
                texts, currencies, opened, owed, numbers = zip(*batch, strict=True)
                if numbers.count(None) < len(numbers):
                    return  # left to the ledger's connection
                add_sums(self.sums, currencies, opened, owed)
                self.spool.write(SEPARATOR.join(texts) + END)
            self.complete = True
        except BaseException as exc:  # handed to the reading thread
            self.error = exc


def _two_cores() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1


def _middle_code(conn: Connection) -> str | None:
    """The code the second part starts at: :data:`FIRST_SHARE` % of the customers come
    before it (None: too few customers to share)."""
    count = sa.select(sa.func.count()).select_from(customer).scalar_subquery()
    stmt = (
        sa.select(customer.c.code)
        .order_by(customer.c.code)
        .offset(count * FIRST_SHARE // 100)
        .limit(1)
    )
    db = sa_of(conn)
    if db.execute(sa.select(sa.func.count()).select_from(customer)).scalar_one() < MIN_CUSTOMERS:
        return None
    return db.execute(stmt).scalar_one_or_none()


def _snapshot(conn: Connection) -> Any:
    return sqlite_engine.read_snapshot(sqlite_of(conn))


def _seen(conn: Connection) -> tuple[Any, ...]:
    """The last audit entry, invoice, allocation, payment and customer the connection sees:
    every change to the ledger adds to one of them (an audit entry at least)."""
    last = [sa.select(sa.func.max(t.c.id)).scalar_subquery()
            for t in (audit, invoice, allocation, payment, customer)]  # fmt: skip
    return tuple(sa_of(conn).execute(sa.select(*last)).one())
