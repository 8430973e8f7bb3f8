"""Opening the ledger: SQLite with WAL, foreign keys, a busy timeout, owner-only files."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily: opening a ledger stays fast
    import sqlalchemy as sa

from huikuan.core.errors import HuikuanError

BUSY_TIMEOUT_MS = 10_000
OPTIMIZE_WAIT_MS = 200  # post-commit housekeeping waits this long for a lock at most
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


def sa_of(conn: sqlite3.Connection) -> sa.Connection:
    """The SQLAlchemy connection sharing ``conn`` (a ledger connection) and its transaction."""
    if not isinstance(conn, LedgerConnection):
        raise TypeError("not a ledger connection (open it with open_ledger)")
    return conn.sa


class Ledger:
    """A connection to one ledger file. Use :meth:`transaction` for every change."""

    def __init__(self, path: Path, conn: sqlite3.Connection, user: str) -> None:
        self.path = path
        self.conn = conn
        self.user = user

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolls back on any exception (all-or-nothing).

        Inside another transaction it is a savepoint, so steps (e.g. the demo's imports) can
        be combined into one all-or-nothing change.
        """
        if self.conn.in_transaction:
            self.conn.execute("SAVEPOINT nested")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
                raise
            self.conn.execute("RELEASE nested")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    def optimize(self) -> None:
        """Refresh the query planner's statistics after a big change such as an import.

        Best-effort: it runs after the COMMIT, so it must never change the outcome. When
        another writer holds the lock (or took it since our snapshot) it is skipped at once;
        the next import refreshes the statistics. Inside a bigger transaction it waits for it.
        """
        if self.conn.in_transaction:
            return
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {OPTIMIZE_WAIT_MS}")
            self.conn.execute("PRAGMA analysis_limit = 1000")
            self.conn.execute("PRAGMA optimize = 0x10002")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                if self.conn.in_transaction:
                    self.conn.rollback()
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def open_ledger(path: Path, user: str, *, create: bool = False) -> Ledger:
    """Open (and with ``create`` make) the ledger at ``path``, bringing its schema to the head."""
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


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection with the ledger's pragmas (autocommit; transactions are explicit)."""
    old = os.umask(0o077)  # WAL and shm files are created owner-only too
    try:
        conn = sqlite3.connect(
            path,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            factory=LedgerConnection,
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


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise HuikuanError(f"cannot create ledger {path}: {exc.strerror}") from None
    os.close(fd)
