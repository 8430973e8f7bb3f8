"""Reading (and in "a ledger from before" tests, changing) the test's ledger with plain SQL on
either engine: SQLAlchemy over ``HUIKUAN_DB``, values as a SQLite ledger gives them.

PostgreSQL returns dates, timestamps and ``SUM``s of integers as ``date``, ``datetime`` and
``Decimal``; :func:`ledger_rows` turns them into the ISO text and ``int`` a SQLite ledger
holds, so one expected value fits both engines.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def sa_url(ledger: str | Path) -> str:
    """A ledger (file path or ``postgresql://`` URL) as a SQLAlchemy URL."""
    text = str(ledger)
    if "://" not in text:
        return f"sqlite:///{text}"
    return "postgresql+psycopg://" + text.partition("://")[2]


def ledger_rows(sql: str, /, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of one statement (``:name`` parameters) on the test's ledger, committed."""
    engine = sa.create_engine(sa_url(os.environ["HUIKUAN_DB"]), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            if not result.returns_rows:
                return []
            return [tuple(_plain(v) for v in row) for row in result]
    finally:
        engine.dispose()


def _plain(value: Any) -> Any:
    """A PostgreSQL value as SQLite holds it (dates as ISO text, whole numbers as int)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


class LedgerDB:
    """A stand-in for ``sqlite3.connect(ledger)`` in tests: ``execute(sql, params)`` with
    ``?`` placeholders, ``fetchone``/``fetchall`` on the result, committed when the ``with``
    block ends, on either engine (values as :func:`ledger_rows` gives them)."""

    def __init__(self) -> None:
        self.engine = sa.create_engine(sa_url(os.environ["HUIKUAN_DB"]), poolclass=sa.pool.NullPool)
        self.conn = self.engine.connect()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Rows:
        return execute(self.conn, sql, params)

    def __enter__(self) -> LedgerDB:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.conn.commit()
        self.close()

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


def execute(conn: sa.Connection, sql: str, params: Sequence[Any] = ()) -> Rows:
    """Run ``sql`` written for SQLite (``?`` placeholders) on ``conn``, of either engine."""
    if conn.dialect.name == "postgresql":  # psycopg's placeholders are %s; a literal % is %%
        sql = sql.replace("%", "%%").replace("?", "%s")
    result = conn.exec_driver_sql(sql, tuple(params))
    return Rows([tuple(_plain(v) for v in r) for r in result] if result.returns_rows else [])


class Rows(list[tuple[Any, ...]]):
    """A result's rows, read like a DB-API cursor's."""

    def fetchone(self) -> tuple[Any, ...] | None:
        return self[0] if self else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self)


def ledger_db() -> LedgerDB:
    """``with ledger_db() as db: db.execute(sql, params).fetchall()`` on the test's ledger."""
    return LedgerDB()


def ledger_exists() -> bool:
    """Whether the test's ledger exists: the file, or on PostgreSQL any table in its database
    (the database itself always exists: the test made it)."""
    where = os.environ["HUIKUAN_DB"]
    if "://" not in where:
        return Path(where).exists()
    engine = sa.create_engine(sa_url(where), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return bool(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
