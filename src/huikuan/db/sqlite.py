"""What only a SQLite ledger file has: its write transactions and housekeeping, its integrity
check, foreign-key check and online backup.

Each takes the ledger's DB-API connection (``sqlite3.Connection``); the ledger and ``admin``
call them for a SQLite ledger (:mod:`huikuan.db.postgres` is the PostgreSQL counterpart), so
the store itself holds no engine-specific SQL.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for types: opening a SQLite ledger does not import SQLAlchemy
    import sqlalchemy as sa

BUSY_TIMEOUT_MS = 10_000
OPTIMIZE_WAIT_MS = 200  # post-commit housekeeping waits this long for a lock at most


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolls back on any exception (all-or-nothing).

    Inside another transaction it is a savepoint, so steps (e.g. the demo's imports) can
    be combined into one all-or-nothing change.
    """
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


SMALL_CACHE_KIB = 2 * 1024  # SQLite's default


@contextlib.contextmanager
def small_cache(conn: sqlite3.Connection) -> Iterator[None]:
    """The connection with SQLite's default page cache (2 MiB) instead of the ledger's,
    for one pass over much of the ledger: peak memory stays lower, the pages stay in the
    OS's cache."""
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = -{SMALL_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


@contextlib.contextmanager
def streaming(conn: sqlite3.Connection) -> Iterator[None]:
    """Nothing: SQLite steps through a result row by row anyway (the PostgreSQL ledger reads
    long results through a server-side cursor here)."""
    yield


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """A read transaction (``BEGIN`` … ``ROLLBACK``): every statement in it sees the ledger as
    its first read found it, however long it lasts (WAL). Inside a transaction already
    open: that one."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.rollback()


def optimize(conn: sqlite3.Connection) -> None:
    """Refresh the query planner's statistics after a big change such as an import.

    Best-effort: it runs after the COMMIT, so it must never change the outcome. When
    another writer holds the lock (or took it since our snapshot) it is skipped at once;
    the next import refreshes the statistics. Inside a bigger transaction it waits for it.
    """
    if conn.in_transaction:
        return
    try:
        conn.execute(f"PRAGMA busy_timeout = {OPTIMIZE_WAIT_MS}")
        conn.execute("PRAGMA analysis_limit = 1000")
        conn.execute("PRAGMA optimize = 0x10002")
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.rollback()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def integrity(conn: sqlite3.Connection, full: bool = True) -> str:
    """``PRAGMA integrity_check``'s first line: ``ok`` for a sound file.

    Without ``full``, ``PRAGMA quick_check``: every page, record, NOT NULL and CHECK
    constraint in one pass (O(N)), but not whether each index holds exactly its table's
    rows, which takes a lookup per row and index (O(N log N), most of a big ledger's check).
    """
    row = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchone()
    return str(row[0])


def one_snapshot(conn: sqlite3.Connection, other: sqlite3.Connection) -> bool:
    """Begin a read transaction on each connection so that both read the same snapshot of
    the file; False (both ended again) when a commit fell between them.

    ``other``'s ``PRAGMA data_version`` changes exactly when another connection committed
    since it last read: read before ``conn``'s transaction begins and again as ``other``'s
    own begins, an unchanged value means no commit came between the two."""
    (before,) = other.execute("PRAGMA data_version").fetchone()
    conn.execute("BEGIN")
    conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # the snapshot is taken
    other.execute("BEGIN")
    (after,) = other.execute("PRAGMA data_version").fetchone()
    if before == after:
        return True
    other.execute("ROLLBACK")
    conn.execute("ROLLBACK")
    return False


def file_of(conn: sqlite3.Connection) -> Path | None:
    """The file the connection's main database is (None: in memory or temporary)."""
    for _, name, where in conn.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(where) if where else None
    return None


def broken_references(conn: sqlite3.Connection) -> int:
    """How many rows point at a row that does not exist (``PRAGMA foreign_key_check``)."""
    return sum(1 for _ in conn.execute("PRAGMA foreign_key_check"))


def backup_to(conn: sqlite3.Connection, path: Path) -> None:
    """Copy the database with SQLite's online backup API into the file ``path``."""
    target = sqlite3.connect(path)
    try:
        conn.backup(target)
    finally:
        target.close()


def reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """Nothing to do: SQLite gives a new row the largest id + 1 (and keeps ``sqlite_sequence``
    up to date when rows are inserted with their ids)."""
    return None


Unavailable = sqlite3.OperationalError
"""What SQLite raises for a ledger file it cannot use now (locked, unreadable, not a database):
the CLI says it in one line."""

Failure = sqlite3.Error
"""Any error of SQLite's: where a second connection is only a help, it falls back on it."""
