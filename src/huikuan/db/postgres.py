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
    with _depth(conn), _outermost(conn):
        conn.sa.execute(WRITE_LOCK)
        yield conn


@contextlib.contextmanager
def streaming(conn: PgConnection) -> Iterator[None]:
    """Long reads (a report over every invoice) in one read transaction, so that streamed
    results (``yield_per``) come through a server-side cursor in batches instead of in one
    piece into the client's memory. Inside a write transaction: that one."""
    if conn.depth:
        yield
        return
    with _outermost(conn):
        yield


@contextlib.contextmanager
def _outermost(conn: PgConnection) -> Iterator[None]:
    """One database transaction (committed at the end, rolled back on error) with server-side
    cursors on; AUTOCOMMIT again afterwards."""
    db = conn.sa
    if db.in_transaction():  # AUTOCOMMIT's logical transaction: nothing to end in the database
        db.commit()
    db.execution_options(isolation_level=TRANSACTION)
    _server_cursors(conn, True)
    try:
        with db.begin():
            yield
    finally:
        if db.in_transaction():  # rolled back by hand inside the block
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


# A table's indexes that enforce nothing (not unique, so not the primary key either) and its
# foreign keys, each with the statement that makes it again.
_SECONDARY = sa.text(
    "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
    " JOIN pg_class c ON c.oid = x.indexrelid"
    " WHERE x.indrelid = CAST(:t AS regclass) AND NOT x.indisunique ORDER BY c.relname"
)
_FOREIGN_KEYS = sa.text(
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' ORDER BY conname"
)
_UNIQUE = sa.text(
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid = CAST(:t AS regclass) AND contype = 'u' ORDER BY conname"
)
NOT_OWNER = "42501"  # insufficient_privilege: e.g. DROP INDEX by a role that does not own it
BUILD_MEMORY = "256MB"  # the server's sort memory for rebuilding an index (not ours)


def drop_secondary(conn: sa.Connection, table: str) -> list[tuple[str, str]]:
    """Drop ``table``'s non-unique indexes and its foreign keys for a bulk load; return
    ``(name, statement that makes it again)`` for each (:func:`restore_secondary`).

    The unique indexes stay, so a repeated key is still refused as rows arrive. Inside the
    load's transaction: readers of the table wait for its COMMIT (DDL locks the table).
    """
    quote = conn.dialect.identifier_preparer.quote
    out: list[tuple[str, str]] = []
    for name, sql in conn.execute(_SECONDARY, {"t": table}).all():
        conn.execute(sa.text(f"DROP INDEX {quote(name)}"))
        out.append((name, sql))
    for name, sql in conn.execute(_FOREIGN_KEYS, {"t": table}).all():
        conn.execute(sa.text(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}"))
        out.append((name, f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {sql}"))
    return out


def drop_unique(conn: sa.Connection, table: str) -> list[tuple[str, str]]:
    """Drop ``table``'s unique constraints (not its primary key) for a bulk load whose
    repeats are looked for afterwards; ``(name, statement that makes it again)`` for each."""
    quote = conn.dialect.identifier_preparer.quote
    out: list[tuple[str, str]] = []
    for name, sql in conn.execute(_UNIQUE, {"t": table}).all():
        conn.execute(sa.text(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}"))
        out.append((name, f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {sql}"))
    return out


def restore_secondary(conn: sa.Connection, sqls: list[str]) -> None:
    """Run the statements :func:`drop_secondary` returned: each index built once from
    sorted rows, each foreign key checked with one join (a bad row fails the load)."""
    if not sqls:
        return
    conn.execute(sa.text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
    for sql in sqls:
        conn.execute(sa.text(sql))
