"""Imports into a PostgreSQL ledger: the SQLite importer's checks, PostgreSQL's inserts.

Rows are checked and allocated exactly as on SQLite (:class:`importer._Importer`,
:mod:`setalloc`); what
differs is how they go in: invoices and payments by ``COPY … FROM STDIN``, customers by
SQLAlchemy ``insert()`` (many parameter sets per chunk), ids from the database's sequences, each chunk in a savepoint (a duplicate rolls the chunk back
and its rows are retried one by one, each in its own savepoint, to name the bad lines). The
whole import is one transaction under the ledger's write lock, so ids given out from its
start on are this import's.

Invoices go as SQLite's do: a big CSV file is checked in a forked child (:mod:`pipeline`),
which also turns each chunk into ``COPY`` text (:mod:`pgcopy`), so this process only streams
bytes to the server. A chunk that meets a duplicate number is rolled back to its savepoint
and sent again without the repeats, all found with one query.

A file whose rows outnumber the table's (a bulk load) goes another way, to keep the server's
work per row near a bare ``COPY``'s: the table's indexes other than the primary key and its
foreign key are dropped and made again at the end (:func:`postgres.drop_secondary`,
:func:`postgres.drop_unique`: one sort per index, one join to check every customer id), and
all chunks stream through one ``COPY`` while the child checks the next ones. Repeated numbers are then
found by one grouped query when the unique index cannot be made again, and reported at their
lines, in the order the chunk-by-chunk path reports them.
"""

from __future__ import annotations

import array
import bisect
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.records import InvoiceRef
from huikuan.db import postgres
from huikuan.db.models import Customer, Invoice, Payment
from huikuan.db.tables import table_of
from huikuan.store import importer, pgcopy, setalloc
from huikuan.store import ledger as L
from huikuan.store.bulk import PAYMENT_COLUMNS, REPEATED_REFERENCE
from huikuan.store.db import sa_of
from huikuan.store.importer import ImportOptions, _Importer
from huikuan.store.paylookup import IN_BATCH

TABLES = {"customer": Customer, "invoice": Invoice, "payment": Payment}


def _integrity_errors() -> tuple[type[BaseException], ...]:
    import psycopg

    return (sa.exc.IntegrityError, psycopg.IntegrityError)


class PgImporter(_Importer):
    """The importer for a PostgreSQL ledger."""

    PARALLEL = True  # big CSV invoice files: checked and made COPY text in a second process
    ALLOCATION_WRITER = staticmethod(lambda conn, a, o, u: write_allocations(conn, a, o, u))

    def __init__(self, conn: Any, label: str, opts: ImportOptions, *, size: int = 0) -> None:
        super().__init__(conn, label, opts, size=size)
        self.bulk = opts.kind == "invoices" and _big(size, self.first_new_id - 1)
        self.streamed = False  # a bulk load: all chunks through one COPY
        self.unique: list[str] = []  # a bulk load: the unique constraints to make again
        self.ends = array.array("q")  # a bulk load: the rows sent by the end of each chunk
        self.marks = array.array("q")  # … and len(problems) when each chunk came

    def _packed(self, chunks: Any) -> Any:
        return pgcopy.packed(chunks) if self.opts.kind == "invoices" else chunks

    def _drop_indexes(self, *tables: str) -> list[tuple[str, str]]:
        """Drop them when this role may (it owns the tables): else keep them, as for a small
        file (slower, the same rows)."""
        db = sa_of(self.conn)
        try:
            with db.begin_nested():
                dropped = [row for t in tables for row in postgres.drop_secondary(db, t)]
                self.unique = [sql for t in tables for _, sql in postgres.drop_unique(db, t)]
        except sa.exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != postgres.NOT_OWNER:
                raise
            self.bulk = False
            return []
        self.streamed = True
        return dropped

    def _create_indexes(self, sqls: list[str]) -> None:
        """The unique constraints first (a repeated number is reported at its line), then
        the rest, unless the import failed (its rollback brings them all back)."""
        db = sa_of(self.conn)
        if self.unique and not self._unique_again(db):
            return
        if not self.problems:
            postgres.restore_secondary(db, sqls)

    def _insert_all(self, chunks: Iterator[Any]) -> int:
        return self._stream(chunks) if self.streamed else super()._insert_all(chunks)

    def _stream(self, chunks: Iterator[pgcopy.CopyChunk]) -> int:
        """Every block through one ``COPY`` (a new one where the columns change), so the
        server takes rows while the child checks the next ones; the line of each row and
        where each chunk ends kept for :meth:`_report_repeats`."""
        driver: Any = sa_of(self.conn).connection.driver_connection
        count, columns, copy = 0, None, None
        with contextlib.ExitStack() as stack:
            for chunk in chunks:
                if chunk.columns != columns:
                    stack.close()
                    cur = stack.enter_context(driver.cursor())
                    copy = stack.enter_context(cur.copy(_copy_sql(chunk.columns)))
                    columns = chunk.columns
                copy.write(_encoded(driver, chunk.data))  # type: ignore[union-attr]
                count += len(chunk.lines)
                self.lines.extend(chunk.lines)
                self.ends.append(count)
                self.marks.append(len(self.problems))
        return count

    def _unique_again(self, db: sa.Connection) -> bool:
        """Make the unique constraints again; False when a repeated number stops it (each
        repeat reported)."""
        try:
            with db.begin_nested():
                postgres.restore_secondary(db, self.unique)
            return True
        except _integrity_errors():
            self._report_repeats(db)
            return False

    def _report_repeats(self, db: sa.Connection) -> None:
        """Every row of this load whose number an earlier row holds, reported at its line
        as the chunk-by-chunk path would (after the problems of its chunk's checks)."""
        found: dict[int, list[str]] = {}
        for k, number, first in db.execute(_REPEATS, {"new": self.first_new_id}):
            where = (
                "earlier in this file" if first >= self.first_new_id else "already in the ledger"
            )
            found.setdefault(bisect.bisect_right(self.ends, k), []).append(
                f"{self.label}:{self.lines[k]}: number: duplicate {number!r} ({where})"
            )
        for chunk in sorted(found, reverse=True):
            at = self.marks[chunk]
            self.problems[at:at] = found[chunk]

    def _customers(self) -> Any:
        stmt = sa.select(L.id_of(Customer), Customer.code, Customer.terms)  # type: ignore[call-overload]
        return sa_of(self.conn).execute(stmt)

    def _max_id(self, table: str) -> int:
        model = TABLES[table]
        stmt = sa.select(sa.func.coalesce(sa.func.max(L.id_of(model)), 0))
        return int(sa_of(self.conn).execute(stmt).scalar_one())

    def _insert(self, chunk: Any) -> int:
        if isinstance(chunk, pgcopy.CopyChunk):
            return self._copy_invoices(chunk)
        insert: Callable[[Any, list[Any]], Any] = {  # type: ignore[assignment]
            "customers": L.insert_customers,
            "payments": self._insert_payments,
        }[self.opts.kind]
        db, errors = sa_of(self.conn), _integrity_errors()
        try:
            with db.begin_nested():
                insert(self.conn, [rec for _, rec in chunk])
            return len(chunk)
        except errors:
            if self.opts.kind == "payments":
                return self._insert_unrepeated(chunk, insert)
        count = 0
        for line, rec in chunk:  # find the duplicates one by one
            try:
                with db.begin_nested():
                    insert(self.conn, [rec])
                count += 1
            except errors:
                self.problems.append(f"{self.label}:{line}: {self._duplicate(rec)}")
        return count

    def _copy_invoices(self, chunk: pgcopy.CopyChunk) -> int:
        """A block of invoices by ``COPY`` in a savepoint; when a number repeats, the block
        again without the repeats (each reported at its line)."""
        db = sa_of(self.conn)
        try:
            with db.begin_nested():
                _copy_text(db, chunk.data, chunk.columns)
            return len(chunk.lines)
        except _integrity_errors():
            pass
        rows = pgcopy.lines_of(chunk.data)
        keep = self._unrepeated(chunk.lines, rows)
        with db.begin_nested():
            _copy_text(db, b"".join(keep), chunk.columns)
        return len(keep)

    def _unrepeated(self, lines: Any, rows: list[bytes]) -> list[bytes]:
        """The rows whose number is new; the others reported, as the row-by-row retry would
        (a number already taken by this import is "earlier in this file")."""
        numbers = pgcopy.numbers(rows)
        taken = self._taken(sorted(set(numbers)))
        keep: list[bytes] = []
        for line, number, row in zip(lines, numbers, rows):
            if number in taken:
                where = (
                    "earlier in this file"
                    if taken[number] >= self.first_new_id
                    else "already in the ledger"
                )
                self.problems.append(f"{self.label}:{line}: number: duplicate {number!r} ({where})")
                continue
            taken[number] = self.first_new_id  # from here on, a repeat within this chunk
            keep.append(row)
        return keep

    def _taken(self, numbers: list[str]) -> dict[str, int]:
        """``number -> id`` of the invoices that already carry one of ``numbers``."""
        db, out = sa_of(self.conn), dict[str, int]()
        for i in range(0, len(numbers), IN_BATCH):
            stmt = sa.select(col(Invoice.number), L.id_of(Invoice)).where(
                col(Invoice.number).in_(numbers[i : i + IN_BATCH])
            )
            out.update((number, iid) for number, iid in db.execute(stmt))
        return out

    def _duplicate(self, rec: Any) -> str:
        if self.opts.kind == "payments":
            return super()._duplicate(rec)
        model, col = (Customer, "code") if self.opts.kind == "customers" else (Invoice, "number")
        value = rec[0] if isinstance(rec, tuple) else rec[col]
        stmt = sa.select(L.id_of(model)).where(getattr(model, col) == value)
        rid = sa_of(self.conn).execute(stmt).scalar_one()
        where = "earlier in this file" if rid >= self.first_new_id else "already in the ledger"
        return f"{col}: duplicate {value!r} ({where})"

    def _insert_payments(self, conn: Any, rows: list[tuple[Any, ...]]) -> None:
        """Payment tuples (``ledger.PAYMENT_FIELDS`` order) by ``COPY``, then one query for
        a reference repeated within them or from the ledger (an integrity error, as on SQLite)."""
        db = sa_of(conn)
        first = db.execute(
            sa.select(sa.func.coalesce(sa.func.max(L.id_of(Payment)), 0))
        ).scalar_one()
        driver = db.connection.driver_connection
        sql = f"COPY payment ({PAYMENT_COLUMNS}) FROM STDIN"
        with driver.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row((row[0], L.day_of(row[1]), *row[2:], row[2]))
        if db.execute(
            sa.text(REPEATED_REFERENCE.replace("?", ":first")), {"first": first + 1}
        ).first():
            raise sa.exc.IntegrityError("duplicate reference", None, Exception())

    def _fetch_refs(self, numbers: list[str]) -> dict[str, InvoiceRef]:
        out: dict[str, InvoiceRef] = {}
        db = sa_of(self.conn)
        for i in range(0, len(numbers), IN_BATCH):
            stmt = _REFS.where(col(Invoice.number).in_(numbers[i : i + IN_BATCH]))
            out.update((n, InvoiceRef(i, c, cur)) for n, i, c, cur in db.execute(stmt))
        return out

    def _invoice_rows(self, numbers: list[str]) -> dict[str, tuple[int, int, str]]:
        refs = self._fetch_refs(numbers).items()
        return {n: (ref.id, ref.customer_id, ref.currency) for n, ref in refs}

    def _all_currencies(self) -> Any:
        stmt = sa.select(col(Invoice.customer_id), col(Invoice.currency)).distinct()
        return sa_of(self.conn).execute(stmt)


_REFS = sa.select(
    col(Invoice.number), L.id_of(Invoice), col(Invoice.customer_id), col(Invoice.currency)
)


def _big(size: int, have: int) -> bool:
    """Whether an invoice file is big enough, next to the table, to rebuild its indexes and
    foreign key after it (SQLite's rule: its rows, at about 60 bytes each, outnumber the
    table's)."""
    return size >= importer.BULK_BYTES and size // 60 > have


def _copy_text(db: sa.Connection, data: bytes, columns: tuple[str, ...]) -> None:
    """``COPY invoice (columns) FROM STDIN`` of a block of :mod:`pgcopy` text."""
    driver: Any = db.connection.driver_connection
    with driver.cursor() as cur, cur.copy(_copy_sql(columns)) as copy:
        copy.write(_encoded(driver, data))


def _copy_sql(columns: tuple[str, ...]) -> str:
    return f"COPY invoice ({', '.join(columns)}) FROM STDIN"


def _encoded(driver: Any, data: bytes) -> bytes | str:
    """UTF-8 :mod:`pgcopy` text as the connection takes it (text when it is not UTF-8)."""
    return data if driver.info.encoding == "utf-8" else data.decode("utf-8")


_INV = table_of(Invoice)
_FIRST = (
    sa.select(_INV.c.number, sa.func.min(_INV.c.id).label("first"))
    .group_by(_INV.c.number)
    .having(sa.func.count() > 1)
    .subquery("f")
)
# this load's rows (ids from :new on: each row's place k in the load, in id order) ...
_LOAD = (
    sa.select(
        _INV.c.id,
        _INV.c.number,
        (sa.func.row_number().over(order_by=_INV.c.id) - 1).label("k"),
    )
    .where(_INV.c.id >= sa.bindparam("new"))
    .subquery("n")
)
# ... (k, number, id of its first holder) of each whose number an earlier row holds
_REPEATS = (
    sa.select(_LOAD.c.k, _LOAD.c.number, _FIRST.c.first)
    .join_from(_LOAD, _FIRST, _FIRST.c.number == _LOAD.c.number)
    .where(_LOAD.c.id != _FIRST.c.first)
    .order_by(_LOAD.c.id)
)


def write_allocations(
    conn: Any,
    allocations: list[setalloc.AllocationRow],
    opens: list[tuple[int, int]],
    unapplied: list[tuple[int, int]],
) -> None:
    """PostgreSQL's writer for :func:`setalloc.allocate_new_payments`: the allocations by
    ``COPY``, the new open and unapplied amounts by ``COPY`` into a temporary table and one
    ``UPDATE … FROM`` each (not a statement per row)."""
    driver = sa_of(conn).connection.driver_connection
    with driver.cursor() as cur:  # type: ignore[union-attr]
        _copy(cur, "allocation (payment_id, invoice_id, amount, date)", allocations)
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS huikuan_new_amount (id BIGINT, amount BIGINT) ON COMMIT DROP"
        )
        for table, column, rows in (
            ("invoice", "open_amount", opens),
            ("payment", "unapplied", unapplied),
        ):
            cur.execute("TRUNCATE huikuan_new_amount")
            _copy(cur, "huikuan_new_amount (amount, id)", rows)
            cur.execute(
                f"UPDATE {table} t SET {column} = n.amount FROM huikuan_new_amount n WHERE t.id = n.id"
            )


def _copy(cur: Any, target: str, rows: list[Any]) -> None:
    with cur.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
