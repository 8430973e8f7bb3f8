"""SQLAlchemy over an open ledger connection, while the store moves to SQLAlchemy.

:func:`sharing` gives a ``sqlalchemy.Connection`` over the very DB-API connection the ledger
already has open. SQLAlchemy never begins, commits or rolls back anything on it (not even the
rollback it does after first connecting), so its statements join whatever transaction
``Ledger.transaction`` opened, and that alone ends it.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite


class SharedSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite without the functions it defines on connecting (``regexp``, ``floor``).

    The ledger's connection may be in the middle of a raw query when SQLAlchemy first uses
    it, and SQLite refuses to (re)define a function while statements are active.
    """

    supports_statement_cache = True

    def on_connect(self) -> None:  # type: ignore[override]
        return None


registry.register("sqlite.huikuan_shared", __name__, "SharedSQLiteDialect")


def sharing(raw: sqlite3.Connection) -> sa.Connection:
    """A SQLAlchemy connection using ``raw`` and its transaction (never ending either)."""
    engine = sa.create_engine(
        "sqlite+huikuan_shared://",
        creator=lambda: raw,
        poolclass=sa.pool.StaticPool,
        pool_reset_on_return=None,
    )
    passive = _Passive()
    engine.dialect.do_begin = passive  # type: ignore[method-assign]
    engine.dialect.do_commit = passive  # type: ignore[method-assign]
    engine.dialect.do_rollback = passive  # type: ignore[method-assign]
    return engine.connect()


class _Passive:
    """Stands in for the dialect's begin/commit/rollback: the ledger owns the transaction."""

    def __call__(self, dbapi_connection: object) -> None:
        return None
