"""A big payments file on SQLite, allocated as its rows are inserted (DESIGN §3).

When the file's payments come in date order (bank exports and the bench file do), the order
the ledger rule allocates them in — date, then id — is the file's order, so each chunk can be
allocated the moment it arrives: the payments go in with their final ``unapplied``, their
allocations right after them. The open amounts of the invoices paid are written once, after the
last row, in id order (written per chunk, the updates wandered over the whole invoice table and
took four times as long). Nothing is read back; the payments are never updated.

The open invoices are read once: every customer's in one ordered scan of the open-invoice
index when the file is about as big as the customer list, else each customer's at its first
payment. They are kept as plain integer arrays (invoice ids in allocation order, the open
amount by invoice id), not as objects, so a million invoices cost about 20 MB.

A row dated before an earlier one breaks the order: what was allocated is undone (this
import's allocations deleted, its payments' ``unapplied`` reset) and the importer allocates
after the last row instead (:mod:`huikuan.store.setalloc`). Both give what
:func:`huikuan.store.ledger.allocate_payment` gives, payment by payment (tests check this).

SQLite-only on purpose, like :mod:`huikuan.store.bulk` (numbered parameters, rowid ranges).
"""

from __future__ import annotations

import functools
import itertools
import operator
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from huikuan.store.bulk import create_indexes
from huikuan.store.db import LedgerConnection

Key = tuple[int, str]  # (customer id, currency)
BATCH = 50  # rows per multi-row INSERT
_DAY, _AMOUNT = operator.itemgetter(1), operator.itemgetter(2)  # of a payment row
FETCH = 10000  # rows per fetchmany of the open-invoice scan
OPEN_OF = (
    "SELECT customer_id, currency, id, open_amount FROM invoice"
    " WHERE open_amount > 0{where}"
    " ORDER BY customer_id, currency, due_date, issue_date, number"
)


class OpenBook:
    """The open invoices of the customers paying, oldest first per (customer, currency).

    ``ids[span[key][0]:span[key][1]]`` are a key's open invoices in allocation order (the
    first number moves past those paid off); ``left[iid]`` is invoice ``iid``'s open amount
    as allocated so far; ``changed[iid]`` is 1 once invoice ``iid`` has been allocated to.
    """

    def __init__(self, conn: LedgerConnection, read_all: bool) -> None:
        self.conn = conn
        (top,) = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM invoice").fetchone()
        self.left = array("q", bytes(8 * top))
        self.changed = bytearray(top)
        self.ids = array("q")
        self.span: dict[Key, list[int]] = {}
        self.loaded: set[int] | None = None if read_all else set()
        if read_all:
            self._read("", ())

    def queue(self, key: Key) -> list[int]:
        """``[next, end]`` of ``key``'s invoices in :attr:`ids` (read at the customer's first
        payment when not all were read)."""
        span = self.span.get(key)
        if span is None:
            if self.loaded is not None and key[0] not in self.loaded:
                self.loaded.add(key[0])
                self._read(" AND customer_id = ?", (key[0],))
                span = self.span.get(key)
            if span is None:
                span = self.span[key] = [0, 0]
        return span

    def _read(self, where: str, params: Sequence[Any]) -> None:
        cursor = self.conn.execute(OPEN_OF.format(where=where), params)
        ids, left, span = self.ids, self.left, self.span
        key: Key | None = None
        while rows := cursor.fetchmany(FETCH):
            for cid, cur, iid, open_amount in rows:
                if key != (cid, cur):
                    if key is not None:
                        span[key][1] = len(ids)
                    key = (cid, cur)
                    span[key] = [len(ids), 0]
                ids.append(iid)
                left[iid] = open_amount
        if key is not None:
            span[key][1] = len(ids)

    def allocate(self, rows: list[tuple[Any, ...]], pid: int, out: list[Any]) -> list[int]:
        """Allocate payment rows (``ledger.PAYMENT_FIELDS`` order, ids from ``pid`` on) by
        the rule (:func:`huikuan.core.allocation.allocate`): the named invoice first, then
        the key's oldest; add ``(payment id, invoice, amount, day)`` rows to ``out``; return
        what stays unapplied of each. One loop for the chunk (no call per payment)."""
        left, changed, ids, spans, queue = self.left, self.changed, self.ids, self.span, self.queue
        add, rests = out.append, []
        for cid, day, amount, currency, named, _, _ in rows:
            key = (cid, currency)
            span = spans.get(key) or queue(key)  # first: reads the named invoice too
            rest = amount
            if named is not None and left[named] > 0:
                have = left[named]
                take = rest if rest < have else have
                left[named], changed[named] = have - take, 1
                rest -= take
                add((pid, named, take, day))
            if rest > 0:
                at, end = span
                while at < end and left[ids[at]] <= 0:
                    at += 1
                span[0] = at
                while rest > 0 and at < end:
                    iid = ids[at]
                    have = left[iid]
                    if have > 0 and iid != named:
                        take = rest if rest < have else have
                        left[iid], changed[iid] = have - take, 1
                        rest -= take
                        add((pid, iid, take, day))
                    at += 1
            rests.append(rest)
            pid += 1
        return rests

    def opens(self) -> Iterator[tuple[int, int]]:
        """``(open amount, invoice id)`` of the invoices allocated to, in id order."""
        left = self.left
        return ((left[iid], iid) for iid in itertools.compress(range(len(left)), self.changed))


class StreamAllocator:
    """Inserts a big import's checked payment rows, allocating them as they come while
    their dates keep to the file's order (:attr:`ordered`)."""

    def __init__(self, conn: LedgerConnection, first_id: int, rows: int, customers: int) -> None:
        """``rows``: about how many rows the file has; ``customers``: how many the ledger has.
        A file with as many rows as there are customers likely pays most of them: all open
        invoices are read at once. One with a quarter as many rows as there are invoices or
        more writes the open amounts without the open-invoice index (built again at the end:
        at 100K invoices a third of the time of keeping it up to date row by row)."""
        self.conn, self.first_id, self.next_id = conn, first_id, first_id
        (self.first_allocation,) = conn.execute(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM allocation"
        ).fetchone()
        self.book: OpenBook | None = OpenBook(conn, rows >= customers)
        many = rows * 4 >= len(self.book.left)
        self.dropped = _drop_open_indexes(conn) if many else []
        self.last_day = ""

    @property
    def ordered(self) -> bool:
        """Whether every row so far came in date order (so is allocated already)."""
        return self.book is not None

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert payment rows (``ledger.PAYMENT_FIELDS`` order) with ids from
        :attr:`next_id` on, allocated while the file stays in date order."""
        if self.book is not None and not self._in_order(rows):
            self._undo()
        allocations: list[tuple[int, int, int, str]] = []
        first, self.next_id = self.next_id, self.next_id + len(rows)
        if self.book is None:
            rests: Any = map(_AMOUNT, rows)
        else:
            rests = self.book.allocate(rows, first, allocations)
        # (id, *row, unapplied), the tuples joined in C
        out = list(
            map(operator.add, zip(range(first, self.next_id)), map(operator.add, rows, zip(rests)))
        )
        _insert_many(self.conn, "payment", PAYMENT_INSERT, out)
        _insert_many(self.conn, "allocation", ALLOCATION_INSERT, allocations)

    def _in_order(self, rows: list[tuple[Any, ...]]) -> bool:
        """Whether the rows' dates keep to the order of those before them."""
        days = list(map(_DAY, rows))
        if not days:
            return True
        if days[0] < self.last_day or days != sorted(days):
            return False
        self.last_day = days[-1]
        return True

    def _undo(self) -> None:
        """Back to plain inserts: this import's allocations so far taken back (the open
        amounts are not written yet)."""
        self.book = None
        self.conn.execute("DELETE FROM allocation WHERE id >= ?", (self.first_allocation,))
        self.conn.execute("UPDATE payment SET unapplied = amount WHERE id >= ?", (self.first_id,))

    def finish(self) -> None:
        """The open amounts of the invoices paid written (when allocated here), then the
        open-invoice index built again if it was dropped."""
        if self.book is not None:
            self.conn.executemany(SET_OPEN, self.book.opens())
        create_indexes(self.conn, self.dropped)
        self.dropped = []


SET_OPEN = "UPDATE invoice SET open_amount = ? WHERE id = ?"


def _drop_open_indexes(conn: LedgerConnection) -> list[str]:
    """Drop the invoice indexes holding the open amount; return the SQL that recreates them."""
    found = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invoice'"
        " AND sql LIKE '%open_amount%'"
    ).fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


PAYMENT_INSERT = "id, customer_id, date, amount, currency, invoice_id, reference, method, unapplied"
ALLOCATION_INSERT = "payment_id, invoice_id, amount, date"


def _insert_many(conn: LedgerConnection, table: str, columns: str, rows: list[Any]) -> None:
    """Insert tuples of ``columns``, :data:`BATCH` rows to a statement."""
    if not rows:
        return
    width = len(rows[0])
    full = len(rows) - len(rows) % BATCH
    flat = itertools.chain.from_iterable
    conn.executemany(
        _values(table, columns, width, BATCH),
        (tuple(flat(rows[i : i + BATCH])) for i in range(0, full, BATCH)),
    )
    conn.executemany(_values(table, columns, width, 1), rows[full:])


@functools.cache
def _values(table: str, columns: str, width: int, rows: int) -> str:
    values = ", ".join("(" + ", ".join("?" * width) + ")" for _ in range(rows))
    return f"INSERT INTO {table} ({columns}) VALUES {values}"
