"""Writing an import's bank lines and payments as tuples in their tables' column order
(``bank import``: no dict per row, no reordering, each day's date converted once)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.db.models import Payment
from huikuan.db.models_bank import BankLine
from huikuan.store import direct
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import id_of

LINE_FIELDS = (
    "account",
    "date",
    "amount",
    "currency",
    "direction",
    "counterparty",
    "counterparty_account",
    "memo",
    "serial",
)


LINE_COLUMNS = (
    "import_id",
    *LINE_FIELDS,
    "dedup_key",
    "status",
    "customer_id",
    "payment_id",
    "invoices",
    "reason",
    "score",
)  # the table's order (no reordering per row)


def day_value(conn: Connection) -> Callable[[date], Any]:
    """A date as the driver takes it for a date column (``bank_line.date``,
    ``payment.date``), worked out once per day."""
    proc = direct.bind_processor(sa_of(conn), col(BankLine.date))
    return functools.lru_cache(maxsize=None)(proc) if proc is not None else _same


def _same(day: date) -> Any:
    return day


def insert_line_rows(conn: Connection, rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert lines as tuples of :data:`LINE_COLUMNS` (the date through :func:`day_value`);
    return their ids in order (see :func:`ids_above`)."""
    db = sa_of(conn)
    before = db.execute(sa.select(sa.func.coalesce(sa.func.max(id_of(BankLine)), 0))).scalar_one()
    direct.executemany_prepared(db, sa.insert(BankLine), LINE_COLUMNS, rows)
    return ids_above(db, BankLine, before, len(rows))


def ids_above(db: sa.Connection, model: Any, before: int, count: int) -> list[int]:
    """The ids above ``before`` (the rows just inserted: the write lock keeps other writers
    out), checked to be ``count``."""
    found = sa.select(id_of(model)).where(id_of(model) > before).order_by(id_of(model))
    ids = [i for (i,) in direct.rows(db, found)]
    if len(ids) != count:
        raise RuntimeError(f"{model.__tablename__}: {len(ids)} new rows, expected {count}")
    return ids


PAYMENT_COLUMNS = (
    "kind",
    "customer_id",
    "date",
    "amount",
    "currency",
    "invoice_id",
    "reference",
    "method",
    "note",
    "unapplied",
)  # the table's order


def insert_payment_rows(conn: Connection, rows: list[tuple[Any, ...]]) -> list[int]:
    """:func:`insert_payments` of tuples: customer_id, date (through :func:`day_value`),
    amount, currency, invoice_id, reference, unapplied; ids in order."""
    db = sa_of(conn)
    before = db.execute(sa.select(sa.func.coalesce(sa.func.max(id_of(Payment)), 0))).scalar_one()
    full = [("payment", c, d, a, k, i, r, "bank", None, u) for c, d, a, k, i, r, u in rows]
    direct.executemany_prepared(db, sa.insert(Payment), PAYMENT_COLUMNS, full)
    return ids_above(db, Payment, before, len(rows))
