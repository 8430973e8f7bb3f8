"""``Ledger.streaming()``: a long read in one read transaction on PostgreSQL, so streamed
results come through a server-side cursor (in batches) instead of all at once; nothing
changes on SQLite. Writes afterwards behave as before."""

from __future__ import annotations

import sqlalchemy as sa
from store_helpers import Book

from huikuan.db.tables import invoice
from huikuan.store.db import sa_of


def _cursor_kind(book: Book) -> str:
    stmt = sa.select(invoice.c.number).order_by(invoice.c.number)
    result = sa_of(book.led.conn).execute(stmt.execution_options(yield_per=2))
    try:
        return type(result.cursor).__name__
    finally:
        result.close()


def test_streaming_reads_through_a_server_side_cursor_on_postgresql(book: Book) -> None:
    book.customer("C1")
    for n in range(5):
        book.invoice(f"A-{n}", "C1", "2026-01-01", "100", due="2026-01-31")
    outside = _cursor_kind(book)
    with book.led.streaming():
        inside = _cursor_kind(book)
        numbers = [r[0] for r in sa_of(book.led.conn).execute(
            sa.select(invoice.c.number).order_by(invoice.c.number).execution_options(yield_per=2)
        )]  # fmt: skip
    assert numbers == [f"A-{n}" for n in range(5)]
    if book.led.dialect == "postgresql":
        assert (outside, inside) == ("Cursor", "ServerCursor")
    assert _cursor_kind(book) == outside  # back as it was
    book.invoice("B-1", "C1", "2026-01-01", "100", due="2026-01-31")  # writes still commit
    assert book.count("invoice") == 6
