"""store.db.Connection: one Protocol both engines' connections satisfy."""

from __future__ import annotations

import pytest
from store_helpers import Book

from huikuan.store.bulk import write_allocations
from huikuan.store.db import LedgerConnection, sa_of, sqlite_of


def test_the_ledger_connection_has_the_protocol_surface(book: Book) -> None:
    conn = book.led.conn
    assert sa_of(conn) is conn.sa and not conn.in_transaction
    with book.led.transaction() as inside:
        assert inside.in_transaction and sa_of(inside) is conn.sa


def test_sqlite_of_narrows_only_a_sqlite_ledger(book: Book) -> None:
    conn = book.led.conn
    if book.led.dialect == "sqlite":
        assert isinstance(conn, LedgerConnection) and sqlite_of(conn) is conn
        return
    with pytest.raises(TypeError, match="not a SQLite ledger connection"):
        sqlite_of(conn)
    with pytest.raises(TypeError):  # SQLite's bulk writer is never handed PostgreSQL's
        write_allocations(conn, [], [], [])
