"""The engine from a URL: a SQLite file (a path or ``sqlite:///…``) or PostgreSQL.

SQLite gets the ledger's pragmas on every connection (WAL, foreign keys, a busy timeout) and
takes the write lock at the start of each write transaction (``BEGIN IMMEDIATE``), so what a
write transaction reads cannot be changed by another writer before it commits. PostgreSQL goes through psycopg 3 (the
``huikuan[postgres]`` extra); a password comes only from the environment (``PGPASSWORD``,
``~/.pgpass``), never from the URL saved anywhere by huikuan.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from huikuan.core.errors import HuikuanError

BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 32 * 1024


@dataclass(frozen=True)
class LedgerURL:
    """Where the ledger is: ``path`` for SQLite, ``url`` (SQLAlchemy form) for PostgreSQL."""

    engine: str  # "sqlite" | "postgresql"
    path: Path | None = None
    url: str | None = None

    def display(self) -> str:
        """For messages: the file, or the URL without a password."""
        if self.path is not None:
            return str(self.path)
        url = sa.engine.make_url(self.url or "").set(drivername="postgresql")
        return url.render_as_string(hide_password=True)


def parse_ledger_url(value: str | Path) -> LedgerURL:
    """A path or ``sqlite:///path`` → SQLite; ``postgresql://…`` → PostgreSQL."""
    text = str(value)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return LedgerURL("sqlite", path=Path(text).expanduser())
    scheme = scheme.lower()
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise HuikuanError(f"--db {text}: write sqlite:///relative/path or sqlite:////abs/path")
        return LedgerURL("sqlite", path=Path(rest[1:]).expanduser())
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        url = sa.engine.make_url("postgresql+psycopg://" + rest)
        if url.password:
            raise HuikuanError(
                "--db: a password in the URL is refused (it would end up in shell history and "
                "cron files); use PGPASSWORD or ~/.pgpass"
            )
        return LedgerURL("postgresql", url=url.render_as_string(hide_password=False))
    raise HuikuanError(
        f"--db {text}: unknown kind of ledger {scheme!r} (a file path or postgresql://…)"
    )


def make_engine(where: LedgerURL) -> sa.Engine:
    """An engine for the ledger (PostgreSQL needs the ``postgres`` extra)."""
    if where.engine == "sqlite":
        return _sqlite_engine(where.path or Path("ledger.db"))
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise HuikuanError(
            "a PostgreSQL ledger needs the postgres extra: pip install 'huikuan[postgres]'"
        ) from None
    return sa.create_engine(where.url or "", pool_pre_ping=True)


def _sqlite_engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(
        "sqlite://",
        creator=lambda: _sqlite_connect(path),
        poolclass=sa.pool.NullPool,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    """A connection whose WAL and shared-memory files are created owner-only, like the ledger."""
    old = os.umask(0o077)
    try:
        return sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    finally:
        os.umask(old)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    for pragma in (
        f"busy_timeout = {BUSY_TIMEOUT_MS}",
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = NORMAL",
        f"cache_size = -{CACHE_KIB}",
    ):
        dbapi_conn.execute(f"PRAGMA {pragma}")


def _sqlite_begin(conn: sa.Connection) -> None:
    """Writes take the lock at BEGIN (``BEGIN IMMEDIATE``); reads begin deferred, so a report
    never waits for a writer (WAL lets it read the last committed state)."""
    write = conn.get_execution_options().get("huikuan_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
