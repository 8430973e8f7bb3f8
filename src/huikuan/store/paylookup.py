"""The look-ups of a payments import, made per chunk of rows rather than per row.

Mixed into the importer: the invoices a chunk's payments name are read in a few ``IN (…)``
queries before its rows are checked, the customers' invoiced currencies once (for a big file,
one pass over the invoices); well-formed rows take :class:`huikuan.core.quickpay.QuickPayment`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.quickpay import QuickPayment
from huikuan.core.records import Context, InvoiceRef, check_payment
from huikuan.db.models import Payment
from huikuan.store import bulk, pipeline
from huikuan.store import ledger as L
from huikuan.store.db import LedgerConnection, sa_of

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
    refs: dict[str, InvoiceRef | None]
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
        if number in self.refs:
            return self.refs[number]
        found = self._fetch_refs([number])
        return found.get(number)

    def _fetch_refs(self, numbers: list[str]) -> dict[str, InvoiceRef]:
        """The invoices with these numbers (those that exist), in one query: the numbers go
        as one JSON array (for 160K look-ups at 1M invoices, two thirds of the time of
        ``IN (?, …)`` lists of 500)."""
        if not numbers:
            return {}
        rows = self.conn.execute(NAMED, (json.dumps(numbers, ensure_ascii=False),))
        return {n: InvoiceRef(i, c, cur) for n, i, c, cur in rows}

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
            numbers = [n.strip() for n in names if isinstance(n, str) and n.strip()]
            found = self._fetch_refs(numbers)
            self.refs = {n: found.get(n) for n in numbers}
            yield from chunk
        self.refs = {}

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


NAMED = (
    "SELECT number, id, customer_id, currency FROM invoice"
    " WHERE number IN (SELECT value FROM json_each(?))"
)
RECORDED = sa.select(col(Payment.customer_id), col(Payment.reference)).where(
    col(Payment.kind) == "payment"
)
