"""Bulk invoice import on SQLite: multi-row ``VALUES``, secondary indexes rebuilt once.

SQLite-only on purpose (``sqlite_master``, ``PRAGMA``, numbered parameters): these are the
import paths' own helpers and move with them to the per-engine bulk load (issue 12, item 5).
Everything else in the store speaks SQLAlchemy statements.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from pathlib import Path
from typing import Any

from huikuan.store.db import Connection, LedgerConnection, sqlite_of

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


def drop_invoice_indexes(conn: LedgerConnection) -> list[str]:
    """Drop the invoice table's secondary indexes; return the SQL that recreates them.

    For bulk imports inside one transaction: building an index once after a million rows
    is several times cheaper than updating it row by row. The unique index on the invoice
    number stays, so duplicates are still found as rows arrive.
    """
    return [sql for _, sql in drop_indexes(conn, "invoice")]


def drop_indexes(conn: LedgerConnection, *tables: str) -> list[tuple[str, str]]:
    """Drop the secondary indexes of ``tables`` (not those behind UNIQUE constraints);
    return ``(name, SQL that recreates it)`` for each."""
    rows: list[tuple[str, str]] = []
    for table in tables:
        rows += conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL",
            (table,),
        ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return rows


def create_indexes(conn: LedgerConnection, sqls: list[str]) -> None:
    """Run ``CREATE INDEX`` statements the quick way for big tables.

    SQLite's sorter builds an index from sorted runs of about the page cache's size; with
    small runs and a helper thread (measured on 1M invoices) it takes about half the time
    it takes with the ledger's big cache and no thread.
    """
    if not sqls:
        return
    (cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute("PRAGMA threads = 2")
    conn.execute("PRAGMA cache_size = -2048")
    try:
        for sql in sqls:
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        conn.execute("PRAGMA threads = 0")


def insert_invoice_rows(conn: LedgerConnection, rows: list[tuple[Any, ...]]) -> int:
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
    conn: Connection,
    allocations: list[tuple[int, int, int, Any]],
    opens: list[tuple[int, int]],
    unapplied: list[tuple[int, int]],
) -> None:
    """SQLite's writer for :func:`huikuan.store.setalloc.allocate_new_payments`: one
    ``executemany`` each for the allocations, the open amounts and the unapplied amounts."""
    raw = sqlite_of(conn)
    raw.executemany(
        "INSERT INTO allocation (payment_id, invoice_id, amount, date) VALUES (?, ?, ?, ?)",
        [(p, i, a, d.isoformat()) for p, i, a, d in allocations],
    )
    raw.executemany("UPDATE invoice SET open_amount = ? WHERE id = ?", opens)
    raw.executemany("UPDATE payment SET unapplied = ? WHERE id = ?", unapplied)


PAYMENT_COLUMNS = "customer_id, date, amount, currency, invoice_id, reference, method, unapplied"
# A row of this chunk (id >= ?) whose customer already has a payment with its reference, in
# the ledger or earlier in the file: one probe of the payment_reference index per new row.
REPEATED_REFERENCE = (
    "SELECT 1 FROM payment p WHERE p.id >= ? AND p.reference IS NOT NULL AND p.kind = 'payment'"
    " AND EXISTS (SELECT 1 FROM payment q WHERE q.customer_id = p.customer_id"
    " AND q.reference = p.reference AND q.kind = 'payment' AND q.id < p.id) LIMIT 1"
)


def insert_payment_rows(
    conn: LedgerConnection, rows: list[tuple[Any, ...]], *, check: bool = True
) -> None:
    """Insert payment tuples (``ledger.PAYMENT_FIELDS`` order, unapplied = amount),
    :data:`BATCH` to a statement; :class:`sqlite3.IntegrityError` when a customer's reference
    repeats, within ``rows`` or in the ledger (the caller rolls back and finds the line).
    Without ``check`` the caller looks for repeats once at the end (:func:`repeated_references`).
    """
    (first,) = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM payment").fetchone()
    full = len(rows) - len(rows) % BATCH
    flat = itertools.chain.from_iterable
    conn.executemany(
        _payment_sql(BATCH), (tuple(flat(rows[i : i + BATCH])) for i in range(0, full, BATCH))
    )
    conn.executemany(_payment_sql(1), rows[full:])
    if check and conn.execute(REPEATED_REFERENCE, (first,)).fetchone():
        raise sqlite3.IntegrityError("duplicate reference")


def repeated_references(conn: LedgerConnection, first: int) -> list[tuple[int, str]]:
    """``(id, reference)`` of each payment from id ``first`` on that repeats the reference of
    an earlier payment of its customer, in id order.

    One grouped pass over the index ``payment(customer_id, reference)`` finds the pairs that
    occur more than once (at 750K new payments a quarter of the time of probing the index once
    per new row, and a third of the time of that pass in Python); only their rows are read for
    their kind.
    """
    groups = [
        sorted(map(int, ids.split(",")))
        for (ids,) in conn.execute(
            "SELECT group_concat(id) FROM payment WHERE reference IS NOT NULL"
            " GROUP BY customer_id, reference HAVING count(*) > 1 AND max(id) >= ?",
            (first,),
        )
    ]
    return _repeats(conn, groups, first)


def _repeats(
    conn: sqlite3.Connection, groups: list[list[int]], first: int
) -> list[tuple[int, str]]:
    """Of payments sharing a customer and reference (``groups`` of ids, ascending), each
    payment (kind) from id ``first`` on after the group's first payment."""
    ids = sorted(pid for group in groups for pid in group)
    found: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), 500):
        batch = ids[i : i + 500]
        marks = ", ".join("?" * len(batch))
        sql = f"SELECT id, kind, reference FROM payment WHERE id IN ({marks})"
        found.update((pid, (kind, ref)) for pid, kind, ref in conn.execute(sql, batch))
    out: list[tuple[int, str]] = []
    for group in groups:
        paid = [pid for pid in group if found[pid][0] == "payment"]
        out += [(pid, found[pid][1]) for pid in paid[1:] if pid >= first]
    return sorted(out)


@functools.cache
def _payment_sql(rows: int) -> str:
    """``INSERT INTO payment`` of ``rows`` rows of 7 fields each (unapplied = amount)."""
    values = ", ".join(
        "(" + ", ".join(f"?{r * 7 + i}" for i in (1, 2, 3, 4, 5, 6, 7, 3)) + ")"
        for r in range(rows)
    )
    return f"INSERT INTO payment ({PAYMENT_COLUMNS}) VALUES {values}"


def reader_path(conn: sqlite3.Connection) -> str | None:
    """The ledger's file when another connection can read it while ``conn`` writes (WAL
    mode: readers see the last commit), else None (in memory, or a rollback journal)."""
    (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    path = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
    return path if path and str(mode).lower() == "wal" else None


def open_reader(path: str) -> LedgerConnection:
    """A read-only connection to the ledger file ``path`` (for a forked child's look-ups)."""
    uri = f"{Path(path).as_uri()}?mode=ro"
    return sqlite3.connect(uri, uri=True, check_same_thread=False, factory=LedgerConnection)
