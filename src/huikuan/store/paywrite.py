"""The payment writes of an import on SQLite: chunks inserted (allocated as they go on the
big-file path, :mod:`huikuan.store.paystream`), repeated references reported, the rest
allocated set-wise, indexes made again (mixed into :class:`huikuan.store.importer._Importer`).
"""

from __future__ import annotations

import array
from collections.abc import Callable
from typing import Any

from huikuan.store import ledger as L
from huikuan.store import setalloc
from huikuan.store.db import LedgerConnection
from huikuan.store.paylookup import PaymentLookups
from huikuan.store.paystream import StreamAllocator

Item = tuple[int, Any]  # (line, row)
REPEATED = "reference: a payment with reference {reference!r} is already recorded for this customer"


class PaymentWrites(PaymentLookups):
    """Inserting, checking for repeated references and allocating a payments import."""

    ALLOCATION_WRITER: setalloc.Writer
    label: str
    problems: list[str]
    lines: array.array[int]  # bulk: the line of each row inserted, in id order
    first_new_id: int
    customer_count: int
    stream: StreamAllocator | None
    _duplicate: Callable[[Any], str]

    def _payments_done(self, dropped: list[tuple[str, str]]) -> None:
        """After a bulk insert, the repeated references (all at once), then the allocation,
        then the other indexes (allocating updates fewer of them)."""
        L.create_indexes(self.conn, [sql for name, sql in dropped if name == "payment_reference"])
        if self.bulk:
            self.problems += [
                f"{self.label}:{self.lines[pid - self.first_new_id]}: "
                + REPEATED.format(reference=reference)
                for pid, reference in L.repeated_references(self.conn, self.first_new_id)
            ]
        if self.stream is not None:
            self.stream.finish()
        if not self.problems:
            self._allocate_new()
        L.create_indexes(self.conn, [sql for name, sql in dropped if name != "payment_reference"])

    def _insert_payments(self, conn: LedgerConnection, rows: list[tuple[Any, ...]]) -> None:
        if self.bulk and self.stream is None:  # made once the child has started: its scan
            self.stream = StreamAllocator(  # of the open invoices overlaps the child's reading
                self.conn, self.first_new_id, self._rows(), self.customer_count
            )
        if self.stream is not None:
            self.stream.insert(rows)
        else:
            L.insert_payment_rows(conn, rows, check=not self.bulk)

    def _insert_unrepeated(self, chunk: list[Item], insert: Callable[..., Any]) -> int:
        """A chunk of payments that repeats a reference: each repeat reported (the ledger's
        references looked up for the whole chunk at once), the other rows inserted."""
        seen = self._recorded_references({(rec[0], rec[5]) for _, rec in chunk if rec[5]})
        keep: list[Item] = []
        for line, rec in chunk:
            if rec[5] and (rec[0], rec[5]) in seen:
                self.problems.append(f"{self.label}:{line}: {self._duplicate(rec)}")
                continue
            keep.append((line, rec))
            seen.add((rec[0], rec[5]))
        insert(self.conn, [rec for _, rec in keep])
        if self.bulk:
            self.lines.extend(line for line, _ in keep)
        return len(keep)

    def _allocate_new(self) -> None:
        """Allocate this import's payments set-wise (:mod:`huikuan.store.setalloc`), unless
        they were allocated as they went in (:mod:`huikuan.store.paystream`)."""
        if self.stream is not None and self.stream.ordered:
            return
        setalloc.allocate_new_payments(self.conn, self.first_new_id, self.ALLOCATION_WRITER)
