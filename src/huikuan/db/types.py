"""Column types shared by the models."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class Timestamp(sa.types.TypeDecorator[dt.datetime]):
    """A UTC timestamp: ``timestamptz`` on PostgreSQL, ISO 8601 text on SQLite.

    SQLite keeps the text form huikuan 0.1 wrote (``2026-11-22T10:00:00+00:00``), so a 0.1
    ledger needs no rewrite; values come back as aware ``datetime`` objects in UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"timestamp without a time zone: {value!r}")
        value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="seconds") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        stamp: dt.datetime = value
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)
