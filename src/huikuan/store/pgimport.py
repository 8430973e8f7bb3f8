"""Imports into a PostgreSQL ledger: the SQLite importer's checks, PostgreSQL's inserts.

Rows are checked and allocated exactly as on SQLite (:class:`importer._Importer`,
:mod:`setalloc`); what
differs is how they go in: invoices by ``COPY … FROM STDIN``, customers and payments by
SQLAlchemy ``insert()`` (many parameter sets per chunk), ids from the database's sequences, each chunk in a savepoint (a duplicate rolls the chunk back
and its rows are retried one by one, each in its own savepoint, to name the bad lines). The
whole import is one transaction under the ledger's write lock, so ids given out from its
start on are this import's. No index rebuild, no second process: those are SQLite's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from huikuan.core.records import InvoiceRef
from huikuan.db.models import Customer, Invoice, Payment
from huikuan.store import ledger as L
from huikuan.store import setalloc
from huikuan.store.db import sa_of
from huikuan.store.importer import Item, _Importer

TABLES = {"customer": Customer, "invoice": Invoice, "payment": Payment}


def _integrity_errors() -> tuple[type[BaseException], ...]:
    import psycopg

    return (sa.exc.IntegrityError, psycopg.IntegrityError)


class PgImporter(_Importer):
    """The importer for a PostgreSQL ledger."""

    PARALLEL = False
    ALLOCATION_WRITER = staticmethod(setalloc.write_rows)

    def _customers(self) -> Any:
        stmt = sa.select(L.id_of(Customer), Customer.code, Customer.terms)  # type: ignore[call-overload]
        return sa_of(self.conn).execute(stmt)

    def _invoice_ref(self, number: str) -> InvoiceRef | None:
        return L.invoice_ref(self.conn, number)

    def _max_id(self, table: str) -> int:
        model = TABLES[table]
        stmt = sa.select(sa.func.coalesce(sa.func.max(L.id_of(model)), 0))
        return int(sa_of(self.conn).execute(stmt).scalar_one())

    def _insert(self, chunk: list[Item]) -> int:
        insert: Callable[[Any, list[Any]], Any] = {  # type: ignore[assignment]
            "customers": L.insert_customers,
            "invoices": _insert_invoices,
            "payments": self._insert_payments,
        }[self.opts.kind]
        db, errors = sa_of(self.conn), _integrity_errors()
        try:
            with db.begin_nested():
                insert(self.conn, [rec for _, rec in chunk])
            return len(chunk)
        except errors:
            pass
        count = 0
        for line, rec in chunk:  # find the duplicates one by one
            try:
                with db.begin_nested():
                    insert(self.conn, [rec])
                count += 1
            except errors:
                self.problems.append(f"{self.label}:{line}: {self._duplicate(rec)}")
        return count

    def _duplicate(self, rec: Any) -> str:
        if self.opts.kind == "payments":
            return super()._duplicate(rec)
        model, col = (Customer, "code") if self.opts.kind == "customers" else (Invoice, "number")
        value = rec[0] if isinstance(rec, tuple) else rec[col]
        stmt = sa.select(L.id_of(model)).where(getattr(model, col) == value)
        rid = sa_of(self.conn).execute(stmt).scalar_one()
        where = "earlier in this file" if rid >= self.first_new_id else "already in the ledger"
        return f"{col}: duplicate {value!r} ({where})"

    def _insert_payments(self, conn: Any, recs: list[dict[str, Any]]) -> None:
        db = sa_of(conn)
        for rec in recs:
            if rec["reference"] and db.execute(_SAME_REFERENCE, rec).first():
                raise sa.exc.IntegrityError("duplicate reference", None, Exception())
            values = {c: rec[c] for c in L.PAYMENT_FIELDS}
            values["date"] = L.day_of(rec["date"])
            db.execute(sa.insert(Payment).values(**values, unapplied=rec["amount"]))


_SAME_REFERENCE = sa.select(sa.literal(1)).where(
    Payment.customer_id == sa.bindparam("customer_id"),  # type: ignore[arg-type]
    Payment.reference == sa.bindparam("reference"),  # type: ignore[arg-type]
    Payment.kind == "payment",  # type: ignore[arg-type]
)


def _insert_invoices(conn: Any, rows: list[tuple[Any, ...]]) -> int:
    """Insert invoice tuples (:func:`ledger.invoice_row`: 7 or 11 fields, open = amount)
    with ``COPY … FROM STDIN``; ids and other defaults from the table."""
    if not rows:
        return 0
    columns = ", ".join((*L.INVOICE_FIELDS, "open_amount"))
    empty = (None,) * (len(L.INVOICE_FIELDS) - 7)
    driver = sa_of(conn).connection.driver_connection
    with driver.cursor() as cur, cur.copy(f"COPY invoice ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            full = row if len(row) > 7 else (*row, *empty)
            copy.write_row((*full[:2], L.day_of(full[2]), L.day_of(full[3]), *full[4:], full[4]))
    return len(rows)
