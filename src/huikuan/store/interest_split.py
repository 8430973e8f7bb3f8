"""A whole-ledger ``interest --format json`` in two halves by customer code, at once.

The first half's rows stream out from the ledger's connection while a thread reads the second
half on a second connection to the same file (SQLite runs a statement without holding
Python's lock, so the two use two cores) and spools its text to a temporary file, read back
once the first half is out: memory stays flat. Both connections read one snapshot
(:func:`huikuan.store.beside.second_reader`); when that cannot be had, or no core is idle
(:func:`huikuan.store.aside.idle_core`), or when the second half meets a row the fast
path leaves to the general one, the ledger's connection reads it all, one half after the
other — the same rows either way.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from datetime import date
from typing import IO

import sqlalchemy as sa

from huikuan.core.interest import InvoiceInterest
from huikuan.db.tables import customer
from huikuan.store import aside
from huikuan.store.beside import second_reader
from huikuan.store.db import Connection, Ledger, sa_of
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
    where that can help (a core idle, a second connection on the same snapshot)."""
    middle = _middle_code(ledger.conn) if aside.idle_core() else None
    pair = second_reader(sa_of(ledger.conn)) if middle is not None else None
    if pair is None:
        yield from json_rows(ledger.conn, plan, as_of, None, include_paid, sums)
        return
    conn, other = pair
    try:
        halves = (None, middle), (middle, None)
        yield from _two_at_once(ledger.conn, other, plan, as_of, include_paid, sums, *halves)
    finally:
        other.close()
        conn.rollback()  # the read transaction ends


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
