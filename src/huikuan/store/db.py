"""Opening the ledger: SQLite with WAL, foreign keys, a busy timeout, owner-only files;
or a PostgreSQL database (:mod:`huikuan.store.pgopen`)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # imported lazily: opening a ledger stays fast
    import sqlalchemy as sa

from huikuan.core.errors import HuikuanError
from huikuan.db import sqlite as sqlite_engine
from huikuan.db.sqlite import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from huikuan.db.sqlite import OPTIMIZE_WAIT_MS as OPTIMIZE_WAIT_MS

CACHE_KIB = 32 * 1024  # page cache: big imports and reports stay off the disk


class LedgerConnection(sqlite3.Connection):
    """The ledger's connection: raw SQL as before, and :attr:`sa` for SQLAlchemy statements.

    ``sa`` is a SQLAlchemy connection over this very DB-API connection, so statements built
    over the models (``select(Invoice)…``) and raw SQL run in one transaction, opened and
    committed by :meth:`Ledger.transaction` as always (never by SQLAlchemy). Modules move to
    SQLAlchemy one by one; SQLAlchemy is imported only when one of them is used.
    """

    _sa: sa.Connection | None = None

    @property
    def sa(self) -> sa.Connection:
        """A ``sqlalchemy.Connection`` sharing this connection and its transaction."""
        if self._sa is None:
            from huikuan.db.bridge import sharing

            self._sa = sharing(self)
        return self._sa

    def close(self) -> None:
        if self._sa is not None:
            self._sa.close()
            self._sa = None
        super().close()


class Connection(Protocol):
    """What store and service functions take as ``conn``: the ledger's connection.

    Both engines' connections have this surface: :class:`LedgerConnection` (SQLite) and
    :class:`huikuan.db.postgres.PgConnection`. Queries go through :attr:`sa`; raw DB-API calls
    (``execute``) are SQLite's only and stay in the engine-specific modules, which narrow
    ``conn`` with ``isinstance`` first. No module outside the engine code imports ``sqlite3``.
    """

    @property
    def sa(self) -> sa.Connection:
        """A SQLAlchemy connection sharing this connection and its transaction."""

    @property
    def in_transaction(self) -> bool:
        """Whether a ledger transaction is open."""

    def rollback(self) -> None:
        """Undo the open transaction."""

    def close(self) -> None:
        """Close the connection."""


def sa_of(conn: Connection) -> sa.Connection:
    """The SQLAlchemy connection sharing ``conn`` (a ledger connection) and its transaction."""
    return conn.sa


def sqlite_of(conn: Connection) -> LedgerConnection:
    """``conn`` as SQLite's connection, for the raw DB-API calls of SQLite-only code paths
    (bulk writes); a :class:`TypeError` for another engine's connection (a bug of ours)."""
    if not isinstance(conn, LedgerConnection):
        raise TypeError("not a SQLite ledger connection")
    return conn


class Ledger:
    """A connection to one ledger (a SQLite file, or a PostgreSQL database: ``path`` None).

    ``conn`` is a :class:`LedgerConnection` for SQLite, a ``PgConnection`` with the surface
    the store uses (``sa``, ``in_transaction``, ``rollback``) for PostgreSQL. What differs
    between the engines (write transactions, housekeeping) is the engine module's
    (:mod:`huikuan.db.sqlite`, :mod:`huikuan.db.postgres`), chosen once when it is opened.
    Use :meth:`transaction` for every change.
    """

    def __init__(
        self,
        path: Path | None,
        conn: Connection,
        user: str,
        *,
        engine: ModuleType = sqlite_engine,
        name: str | None = None,
    ) -> None:
        self.path = path
        self.conn = conn
        self.user = user
        self.engine = engine
        self.name = name or str(path)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "sqlite" if self.engine is sqlite_engine else "postgresql"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; rolls back on any exception (all-or-nothing).

        SQLite: ``BEGIN IMMEDIATE`` … ``COMMIT``; PostgreSQL: ``BEGIN``, the write lock …
        ``COMMIT``. Inside another transaction it is a savepoint, so steps (e.g. the demo's
        imports) can be combined into one all-or-nothing change.
        """
        with self.engine.transaction(self.conn) as conn:
            yield conn

    @contextlib.contextmanager
    def small_cache(self) -> Iterator[None]:
        """A small page cache for one pass over much of the ledger (e.g. ``bank import``):
        pages read once need not stay in memory (SQLite; PostgreSQL: nothing)."""
        with self.engine.small_cache(self.conn):
            yield

    @contextlib.contextmanager
    def streaming(self) -> Iterator[None]:
        """A long streamed read (PostgreSQL: in a read transaction, through a server-side
        cursor, so the rows never sit in memory all at once; SQLite: nothing to do)."""
        with self.engine.streaming(self.conn):
            yield

    def optimize(self) -> None:
        """Post-commit housekeeping after a big change such as an import (best-effort)."""
        self.engine.optimize(self.conn)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def open_ledger(path: Path | str, user: str, *, create: bool = False) -> Ledger:
    """Open (and with ``create`` make) the ledger at ``path`` (a file, or a URL such as
    ``postgresql://user@host/db``), bringing its schema to the head."""
    if "://" in str(path):
        from huikuan.db.engine import parse_ledger_url

        where = parse_ledger_url(path)
        if where.engine == "postgresql":
            from huikuan.store.pgopen import open_postgres

            return open_postgres(where, user, create=create)
        path = where.path or Path(str(path))
    path = Path(path)
    if not path.exists():
        if not create:
            raise HuikuanError(
                f"no ledger at {path} (run `huikuan init`, or point --db / HUIKUAN_DB at yours)"
            )
        _create_file(path)
    try:
        conn = connect(path)
    except sqlite3.OperationalError:
        raise  # locked, unreadable, …: reported as such by the caller
    except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
        raise HuikuanError(f"{path} is not a huikuan ledger: {exc}") from None
    try:
        if not _at_head(conn):
            _upgrade(path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HuikuanError(f"{path} is not a huikuan ledger: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return Ledger(path, conn, user)


def _at_head(conn: sqlite3.Connection) -> bool:
    """Whether the ledger's schema revision is this huikuan's (one query, nothing imported)."""
    from huikuan.db.revision import HEAD

    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return False
        raise
    return bool(row and row[0] == HEAD)


def _upgrade(path: Path) -> None:
    """Create, adopt (a 0.1 ledger) or upgrade the schema: see :mod:`huikuan.db.schema`."""
    import sqlalchemy as sa

    from huikuan.db.engine import LedgerURL, make_engine
    from huikuan.db.schema import ensure_schema

    engine = make_engine(LedgerURL("sqlite", path=path))
    try:
        ensure_schema(engine)
    except sa.exc.OperationalError as exc:
        raise sqlite3.OperationalError(str(exc.orig)) from None  # locked, …: said as today
    except sa.exc.DatabaseError as exc:
        raise sqlite3.DatabaseError(str(exc.orig)) from None
    finally:
        engine.dispose()


def connect(path: Path, *, any_thread: bool = False) -> LedgerConnection:
    """A raw connection with the ledger's pragmas (autocommit; transactions are explicit);
    ``any_thread``: usable from another thread than this one (one at a time)."""
    old = os.umask(0o077)  # WAL and shm files are created owner-only too
    try:
        conn = sqlite3.connect(
            path,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            factory=LedgerConnection,
            check_same_thread=not any_thread,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        except BaseException:
            conn.close()
            raise
    finally:
        os.umask(old)
    return conn


def read_only(
    path: Path, *, any_thread: bool = False, cache_kib: int = CACHE_KIB
) -> LedgerConnection:
    """A second connection to the ledger file at ``path`` that only reads (it never makes
    the file, changes its mode or takes a write lock; SQLite's ``quick_check`` runs in
    about half the time on it), with the ledger's busy timeout and page cache (or
    ``cache_kib``); with ``any_thread`` usable from a thread other than the one that
    opened it."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(
        uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
        factory=LedgerConnection, check_same_thread=not any_thread,
    )  # fmt: skip
    try:
        conn.execute(f"PRAGMA cache_size = -{cache_kib}")
    except BaseException:
        conn.close()
        raise
    return conn


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise HuikuanError(f"cannot create ledger {path}: {exc.strerror}") from None
    os.close(fd)
