"""What a PostgreSQL ledger does its own way: its connection, write transactions, housekeeping.

The store talks to the ledger through ``conn.sa`` (a SQLAlchemy connection). Outside
:func:`transaction` every statement commits on its own (``AUTOCOMMIT``), as on a SQLite
ledger, so a dunning claim (one conditional UPDATE) is final once its row count is known.
A write transaction is ``BEGIN`` … ``COMMIT`` through SQLAlchemy and first takes a
transaction-level advisory lock: writers are serialised as SQLite's ``BEGIN IMMEDIATE``
serialises them, so read-then-write logic (allocation, dunning, imports) stays correct
with several shells at once. Nested transactions are savepoints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

LOCK_KEY = 0x68756B  # "huk": the advisory lock every huikuan write transaction takes
WRITE_LOCK = sa.text(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
AUTOCOMMIT = "AUTOCOMMIT"
TRANSACTION = "READ COMMITTED"


class PgConnection:
    """A ledger's PostgreSQL connection: :attr:`sa` and the little the store asks of it."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.sa = engine.connect().execution_options(isolation_level=AUTOCOMMIT)
        self.depth = 0  # open (nested) ledger transactions
        _server_cursors(self, False)

    @property
    def in_transaction(self) -> bool:
        """Whether a ledger transaction is open (statements then wait for its COMMIT)."""
        return self.depth > 0

    def rollback(self) -> None:
        """Undo the open transaction (the ledger's ``transaction`` block then re-raises)."""
        self.sa.rollback()

    def close(self) -> None:
        """Close the connection and release the engine."""
        self.sa.close()
        self.engine.dispose()


@contextlib.contextmanager
def transaction(conn: PgConnection) -> Iterator[PgConnection]:
    """``BEGIN`` + the write lock … ``COMMIT``; a savepoint inside another; rollback on error."""
    if conn.depth:
        with _depth(conn), conn.sa.begin_nested():
            yield conn
        return
    db = conn.sa
    if db.in_transaction():  # AUTOCOMMIT's logical transaction: nothing to end in the database
        db.commit()
    db.execution_options(isolation_level=TRANSACTION)
    _server_cursors(conn, True)
    try:
        with _depth(conn), db.begin():
            db.execute(WRITE_LOCK)
            yield conn
    finally:
        if db.in_transaction():  # rolled back by hand inside the block
            db.rollback()
        db.execution_options(isolation_level=AUTOCOMMIT)
        _server_cursors(conn, False)


@contextlib.contextmanager
def streaming(conn: PgConnection) -> Iterator[None]:
    """Long reads (a report over every invoice) in one read transaction, so that streamed
    results (``yield_per``) come through a server-side cursor in batches instead of in one
    piece into the client's memory. Inside a write transaction: that one."""
    if conn.depth:
        yield
        return
    db = conn.sa
    if db.in_transaction():  # AUTOCOMMIT's logical transaction: nothing to end in the database
        db.commit()
    db.execution_options(isolation_level=TRANSACTION)
    _server_cursors(conn, True)
    try:
        with db.begin():
            yield
    finally:
        if db.in_transaction():
            db.rollback()
        db.execution_options(isolation_level=AUTOCOMMIT)
        _server_cursors(conn, False)


def _server_cursors(conn: PgConnection, on: bool) -> None:
    """Streamed reads (``stream_results``) use a server-side cursor only inside a transaction:
    PostgreSQL has none outside one, so there the rows come in one piece (the engine is this
    ledger's own)."""
    conn.engine.dialect.supports_server_side_cursors = on


@contextlib.contextmanager
def _depth(conn: PgConnection) -> Iterator[None]:
    conn.depth += 1
    try:
        yield
    finally:
        conn.depth -= 1


@contextlib.contextmanager
def small_cache(conn: PgConnection) -> Iterator[None]:
    """Nothing: the server's cache is not the client's memory."""
    yield


def optimize(conn: PgConnection) -> None:
    """Nothing after a big change: PostgreSQL's autovacuum refreshes the statistics."""
    return None


def open_connection(engine: sa.Engine) -> PgConnection:
    """The ledger's connection over ``engine`` (its schema already at the head)."""
    return PgConnection(engine)


def reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """Move each table's id sequence past its largest id (after rows were copied in with their
    ids), so new rows get fresh ids; an empty table's sequence starts again at 1."""
    for table in tables:
        name = conn.dialect.identifier_preparer.quote(table.name)
        top = f"(SELECT MAX(id) FROM {name})"
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE({top}, 1), {top} IS NOT NULL)"
            ),
            {"t": table.name},
        )
