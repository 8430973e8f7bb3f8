"""The look-ups of a payments import, made per chunk of rows rather than per row.

Mixed into the importer: the invoices a chunk's payments name are read in a few ``IN (…)``
queries before its rows are checked, the customers' invoiced currencies once (for a big file,
one pass over the invoices); well-formed rows take :class:`huikuan.core.quickpay.QuickPayment`.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.quickpay import NamedRow, QuickPayment
from huikuan.core.records import Context, InvoiceRef, check_payment
from huikuan.db.models import Payment
from huikuan.store import bulk, pipeline
from huikuan.store import ledger as L
from huikuan.store.db import LedgerConnection, sa_of
from huikuan.store.sources import ROW_PROBLEM

CHUNK = 5000  # records whose invoices are looked up together
IN_BATCH = 500  # invoice numbers per IN (…) look-up
BIG_BYTES = 8 << 20  # payment files from this size read every customer's currencies at once


class PaymentLookups:
    """Per-chunk invoice look-ups and cached currencies for the importer (SQLite's SQL;
    :class:`huikuan.store.pgimport.PgImporter` overrides the two queries)."""

    conn: LedgerConnection
    size: int
    bulk: bool
    opts: Any  # importer.ImportOptions
    reader: str | None  # the ledger file a child checking the rows reads
    named: dict[str, NamedRow | None]  # the invoices this chunk's payments name
    asked: set[str]  # the numbers looked up for this chunk
    ahead: LedgerConnection | None  # a child's connection for looking up a chunk ahead
    cols: list[str]
    _clean: Callable[[Any, Any, bool], Iterator[tuple[int, Any]]]  # the importer's
    currencies: dict[int, list[str]]
    all_currencies: bool
    quickpay: QuickPayment
    ctx: Context

    def payments_apart(self, fmt: str) -> bool:
        """Whether to check a big CSV payments file in a second process (2+ cores): on a
        ledger file in WAL mode, where the child can read the invoices through a connection
        of its own while this one writes (:func:`huikuan.store.bulk.open_reader`)."""
        if fmt != "csv" or self.opts.kind != "payments" or not self.bulk:
            return False
        self.reader = bulk.reader_path(self.conn)
        return self.reader is not None and pipeline.available()

    def _rows(self) -> int:
        """About how many rows the file has (45 bytes a row)."""
        return self.size // 45

    def _invoice_ref(self, number: str) -> InvoiceRef | None:
        """The invoice a payment names: from the chunk's look-up, else one indexed query."""
        if number in self.asked:
            named = self.named.get(number)
            return None if named is None else InvoiceRef(*named)
        return self._fetch_refs([number]).get(number)

    def _fetch_refs(self, numbers: list[str]) -> dict[str, InvoiceRef]:
        """The invoices with these numbers (those that exist)."""
        return {n: InvoiceRef(*named) for n, named in self._invoice_rows(numbers).items()}

    def _invoice_rows(self, numbers: list[str]) -> dict[str, NamedRow]:
        """``number -> (id, customer id, currency)`` of the invoices with these numbers, in
        one query: the numbers go as one JSON array (for 160K look-ups at 1M invoices, two
        thirds of the time of ``IN (?, …)`` lists of 500)."""
        return named_rows(self.conn, numbers)

    def _currencies_of(self, customer_id: int) -> list[str]:
        """The currencies a customer is invoiced in; for a big payment file, read for every
        customer at the first need (one pass over the invoices, not one query each)."""
        if customer_id in self.currencies:
            return self.currencies[customer_id]
        if self.all_currencies or self.size < BIG_BYTES:
            found = [] if self.all_currencies else L.customer_currencies(self.conn, customer_id)
            return self.currencies.setdefault(customer_id, found)
        self.all_currencies = True
        for cid, currency in self._all_currencies():
            self.currencies.setdefault(cid, []).append(currency)
        return self.currencies.setdefault(customer_id, [])

    def _all_currencies(self) -> Any:
        """Every (customer id, currency) pair invoiced: the pairs made distinct here, which on
        SQLite takes a third of the time ``DISTINCT``'s temporary index takes (1M invoices)."""
        return set(self.conn.execute("SELECT customer_id, currency FROM invoice"))

    def _prefetched(self, records: Any) -> Iterator[tuple[int, Any]]:
        """``records`` as they come, the invoices each chunk names looked up in one go first."""
        it = iter(records)
        while chunk := list(itertools.islice(it, CHUNK)):
            names = {r.get("invoice") for _, r in chunk if isinstance(r, dict)}
            self._look_up(n.strip() for n in names if isinstance(n, str))
            yield from chunk
        self._look_up(iter(()))

    def _look_up(self, numbers: Iterator[str]) -> None:
        """:attr:`named` for a chunk: the invoices of ``numbers`` (blank: none), all
        :attr:`asked` (those not in :attr:`named` do not exist)."""
        wanted = set(numbers)
        wanted.discard("")
        self.named.clear()
        self.named.update(self._invoice_rows(list(wanted)))
        self.asked = wanted

    def _payment_chunks(
        self, rows: Any, check: Callable[[Any], Any], check_columns: bool
    ) -> Iterator[list[tuple[int, Any]]]:
        """Chunks of clean payment rows from CSV field lists: a chunk's invoices looked up in
        one query, then the chunk converted at once (:meth:`QuickPayment.for_chunks`) or, when
        that steps aside, row by row (:meth:`_payment_rows`)."""
        whole = self.quickpay.for_chunks(self.cols, self.named)
        for chunk, (wanted, found) in self._with_invoices(rows):
            self.named.clear()
            self.named.update(found)
            self.asked = wanted
            lines, fields = map(list, zip(*chunk))
            done = whole(fields) if str not in set(map(type, fields)) else None  # a str: a problem
            if done is None:
                clean = list(self._payment_rows(chunk, check, check_columns))
                if clean:
                    yield clean
                continue
            yield list(zip(lines, done))
        self._look_up(iter(()))

    def _with_invoices(self, rows: Any) -> Iterator[tuple[list[Any], tuple[set[str], Any]]]:
        """Each chunk with the numbers its rows name and their invoices (:meth:`_invoice_rows`).

        In a child with a connection of its own for it (:attr:`ahead`), a thread looks up the
        next chunk's invoices while this one is checked: SQLite searches without the GIL, so
        the parent's idle time does it (a sixth of the child's time at 750K rows)."""
        at = operator.itemgetter(self.cols.index("invoice")) if "invoice" in self.cols else None
        it = iter(rows)
        chunks = iter(lambda: list(itertools.islice(it, CHUNK)), [])

        def wanted(chunk: list[Any]) -> set[str]:
            if at is None:
                return set()
            found = set(map(str.strip, map(at, (f for _, f in chunk if f.__class__ is list))))
            found.discard("")
            return found

        if self.ahead is None:
            for chunk in chunks:
                numbers = wanted(chunk)
                yield chunk, (numbers, self._invoice_rows(list(numbers)))
            return
        with ThreadPoolExecutor(1) as pool:
            last: tuple[list[Any], set[str], Future[Any]] | None = None
            for chunk in chunks:
                numbers = wanted(chunk)
                looking = pool.submit(named_rows, self.ahead, list(numbers))
                if last is not None:
                    yield last[0], (last[1], last[2].result())
                last = (chunk, numbers, looking)
            if last is not None:
                yield last[0], (last[1], last[2].result())

    def _payment_rows(
        self, chunk: list[tuple[int, Any]], check: Callable[[Any], Any], check_columns: bool
    ) -> Iterator[tuple[int, Any]]:
        """A chunk's clean rows one by one: well-formed rows by
        :meth:`QuickPayment.for_columns`, any other made a record and checked in full
        (``_clean``, which reports its problems)."""
        fast, cols = self.quickpay.for_columns(self.cols, self.named), self.cols
        for line, fields in chunk:
            row = fast(fields) if fields.__class__ is list else None
            if row is not None:
                yield line, row
                continue
            rec = {ROW_PROBLEM: fields} if isinstance(fields, str) else dict(zip(cols, fields))
            yield from self._clean(iter(((line, rec),)), check, check_columns)

    def _check_payment(self, raw: Any) -> tuple[Any, list[tuple[str, str]]]:
        row = self.quickpay(raw)
        if row is not None:
            return row, []
        rec, probs = check_payment(raw, self.ctx)
        return (rec if probs else tuple(rec[c] for c in L.PAYMENT_FIELDS)), probs

    def _recorded_references(self, pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
        """Those of the ``(customer id, reference)`` pairs the ledger has payments with."""
        refs = sorted({ref for _, ref in pairs})
        found: set[tuple[int, str]] = set()
        for i in range(0, len(refs), IN_BATCH):
            stmt = RECORDED.where(col(Payment.reference).in_(refs[i : i + IN_BATCH]))
            found.update((int(c), str(r)) for c, r in sa_of(self.conn).execute(stmt))
        return found & pairs


def named_rows(conn: LedgerConnection, numbers: list[str]) -> dict[str, NamedRow]:
    """:meth:`PaymentLookups._invoice_rows` on SQLite, through ``conn``."""
    if not numbers:
        return {}
    rows = conn.execute(NAMED, (json.dumps(numbers, ensure_ascii=False),)).fetchall()
    if not rows:
        return {}
    number, *rest = zip(*rows)  # made column by column: no Python code per row
    return dict(zip(number, zip(*rest)))


NAMED = (
    "SELECT number, id, customer_id, currency FROM invoice"
    " WHERE number IN (SELECT value FROM json_each(?))"
)
RECORDED = sa.select(col(Payment.customer_id), col(Payment.reference)).where(
    col(Payment.kind) == "payment"
)
