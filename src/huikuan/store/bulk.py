"""Bulk invoice import on SQLite: multi-row ``VALUES``, secondary indexes rebuilt once.

SQLite-only on purpose (``sqlite_master``, ``PRAGMA``, numbered parameters): these are the
import paths' own helpers and move with them to the per-engine bulk load (issue 12, item 5).
Everything else in the store speaks SQLAlchemy statements.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from typing import Any

INVOICE_FIELDS = (
    "number",
    "customer_id",
    "issue_date",
    "due_date",
    "amount",
    "currency",
    "terms",
    "contract",
    "salesperson",
    "description",
    "milestone",
)


def drop_invoice_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the invoice table's secondary indexes; return the SQL that recreates them.

    For bulk imports inside one transaction: building an index once after a million rows
    is several times cheaper than updating it row by row. The unique index on the invoice
    number stays, so duplicates are still found as rows arrive.
    """
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invoice'"
        " AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def create_indexes(conn: sqlite3.Connection, sqls: list[str]) -> None:
    """Run ``CREATE INDEX`` statements the quick way for big tables.

    SQLite's sorter builds an index from sorted runs of about the page cache's size; with
    small runs and a helper thread (measured on 1M invoices) it takes about half the time
    it takes with the ledger's big cache and no thread.
    """
    (cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute("PRAGMA threads = 2")
    conn.execute("PRAGMA cache_size = -2048")
    try:
        for sql in sqls:
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        conn.execute("PRAGMA threads = 0")


def insert_invoice_rows(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> int:
    """Insert invoice tuples (:func:`invoice_row`: 7 or 11 fields, open = amount); return count.

    Rows go in ``BATCH`` to a statement (multi-row ``VALUES``): for big imports that is a
    third quicker than one statement per row.
    """
    count = 0
    for width, group in itertools.groupby(rows, len):
        same = list(group)
        full = len(same) - len(same) % BATCH
        flat = itertools.chain.from_iterable
        batches = (tuple(flat(same[i : i + BATCH])) for i in range(0, full, BATCH))
        conn.executemany(_insert_sql(width, BATCH), batches)
        conn.executemany(_insert_sql(width, 1), same[full:])
        count += len(same)
    return count


BATCH = 50


@functools.cache
def _insert_sql(width: int, rows: int) -> str:
    """``INSERT INTO invoice`` of ``rows`` rows of ``width`` fields each (open = amount)."""
    values = ", ".join(
        "(" + ", ".join(f"?{r * width + i}" for i in (*range(1, width + 1), 5)) + ")"
        for r in range(rows)
    )
    return f"INSERT INTO invoice ({', '.join(INVOICE_FIELDS[:width])}, open_amount) VALUES {values}"


def write_allocations(
    conn: sqlite3.Connection,
    allocations: list[tuple[int, int, int, Any]],
    opens: list[tuple[int, int]],
    unapplied: list[tuple[int, int]],
) -> None:
    """SQLite's writer for :func:`huikuan.store.setalloc.allocate_new_payments`: one
    ``executemany`` each for the allocations, the open amounts and the unapplied amounts."""
    conn.executemany(
        "INSERT INTO allocation (payment_id, invoice_id, amount, date) VALUES (?, ?, ?, ?)",
        [(p, i, a, d.isoformat()) for p, i, a, d in allocations],
    )
    conn.executemany("UPDATE invoice SET open_amount = ? WHERE id = ?", opens)
    conn.executemany("UPDATE payment SET unapplied = ? WHERE id = ?", unapplied)


PAYMENT_INSERT = (
    "INSERT INTO payment (customer_id, date, amount, currency, invoice_id, reference, method,"
    " unapplied) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
SAME_REFERENCE = (
    "SELECT 1 FROM payment WHERE customer_id = ? AND reference = ? AND kind = 'payment'"
)


def insert_payment_rows(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert payment tuples (``ledger.PAYMENT_FIELDS`` order, unapplied = amount) in one
    ``executemany``; :class:`sqlite3.IntegrityError` when a customer's reference repeats,
    within ``rows`` or in the ledger (the importer then finds the line)."""
    seen: set[tuple[Any, Any]] = set()
    for row in rows:
        pair = (row[0], row[5])
        if row[5] and (pair in seen or conn.execute(SAME_REFERENCE, pair).fetchone()):
            raise sqlite3.IntegrityError("duplicate reference")
        seen.add(pair)
    conn.executemany(PAYMENT_INSERT, [(*r, r[2]) for r in rows])
