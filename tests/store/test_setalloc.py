"""Set-wise allocation of an import's payments gives exactly what the per-payment path gives.

Each seeded case builds a ledger (customers, invoices in two currencies with tied due and
issue dates, earlier payments that leave invoices part or fully paid and credit unapplied),
copies it, and imports the same payments file into the two copies: once through the
per-payment path (:func:`setalloc.allocate_each`), once set-wise. Every allocation row, open
amount and unapplied amount must be the same (allocation ids aside: the set-wise path numbers them customer batch by
customer batch, so allocations are compared in payment order).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from store_helpers import Book, write_csv

from huikuan.core.allocation import allocate_in_order
from huikuan.store import setalloc
from huikuan.store.importer import _Importer

PAY_HEADER = ["customer", "date", "amount", "invoice", "currency", "reference"]
CURRENCIES = ("CNY", "USD")


def _day(rng: random.Random) -> str:
    return f"2026-0{rng.randint(1, 3)}-{rng.choice([1, 2, 15, 28]):02d}"


def _build(path: Path, rng: random.Random) -> list[tuple[str, str, str]]:
    """A ledger with random invoices and earlier payments; its invoices (number, customer, currency)."""
    book = Book(path)
    customers = [f"C{i}" for i in range(rng.randint(1, 4))]
    for code in customers:
        book.customer(code)
    invoices = []
    for n in rng.sample(range(100, 999), rng.randint(3, 14)):
        code, cur = rng.choice(customers), rng.choice(CURRENCIES)
        issue = _day(rng)
        due = rng.choice([None, "2026-04-30", "2026-05-31"])
        book.invoice(f"N{n}", code, issue, str(rng.randint(1, 40) * 50), due=due, currency=cur)
        invoices.append((f"N{n}", code, cur))
        if rng.random() < 0.3:  # earlier payments: part paid, fully paid, credit left
            number, pcode, pcur = rng.choice(invoices)
            named = number if rng.random() < 0.5 else None
            book.payment(
                pcode, _day(rng), str(rng.randint(1, 60) * 50), invoice=named, currency=pcur
            )
    book.close()
    return invoices


def _payments(rng: random.Random, invoices: list[tuple[str, str, str]]) -> list[list[Any]]:
    rows = []
    for i in range(rng.randint(1, 25)):
        number, code, cur = rng.choice(invoices)
        named = number if rng.random() < 0.4 else ""
        ref = f"R{i}" if rng.random() < 0.5 else ""
        rows.append([code, _day(rng), str(rng.randint(1, 80) * 25), named, cur, ref])
    return rows


def _state(path: Path) -> dict[str, Any]:
    book = Book(path)
    try:
        q = book.execute
        return {
            "allocation": q(
                "SELECT payment_id, invoice_id, amount, date FROM allocation"
                " ORDER BY payment_id, id"
            ).fetchall(),
            "invoice": q("SELECT id, number, open_amount FROM invoice ORDER BY id").fetchall(),
            "payment": q("SELECT id, date, amount, unapplied FROM payment ORDER BY id").fetchall(),
        }
    finally:
        book.close()


def _import(path: Path, file: Path) -> None:
    book = Book(path)
    try:
        book.import_("payments", file)
    finally:
        book.close()


@pytest.mark.parametrize("writer", ["sqlite", "sqlalchemy"])
@pytest.mark.parametrize("seed", range(40))
def test_set_wise_import_allocates_as_the_per_payment_path(
    seed: int, writer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sqlalchemy``: the engine-neutral writer PostgreSQL's importer uses, run on SQLite;
    ``sqlite`` takes customers two at a time (several batches)."""
    monkeypatch.setattr(setalloc, "CUSTOMERS", 2 if writer == "sqlite" else 500)
    if writer == "sqlalchemy":
        monkeypatch.setattr(_Importer, "ALLOCATION_WRITER", staticmethod(setalloc.write_rows))
    rng = random.Random(seed)
    base = tmp_path / "base.db"
    invoices = _build(base, rng)
    file = write_csv(tmp_path / "payments.csv", PAY_HEADER, _payments(rng, invoices))
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copy(base, old)
    shutil.copy(base, new)
    _import(new, file)
    monkeypatch.setattr(setalloc, "allocate_new_payments", setalloc.allocate_each)
    _import(old, file)
    before, expected, got = _state(base), _state(old), _state(new)
    assert got == expected
    assert len(expected["allocation"]) > len(before["allocation"]) or seed % 7  # mostly allocates


def test_payments_on_one_day_go_in_file_order_and_named_first() -> None:
    """Two payments, same key: the first takes the oldest invoice; a named one skips to its own."""
    queues = {(1, "CNY"): [10, 11, 12]}
    opens = {10: 100, 11: 100, 12: 100}
    payments = [(1, (1, "CNY"), 150, None), (2, (1, "CNY"), 120, 12), (3, (1, "CNY"), 90, None)]
    parts, unapplied = allocate_in_order(payments, queues, opens)
    assert parts == [(1, 10, 100), (1, 11, 50), (2, 12, 100), (2, 11, 20), (3, 11, 30)]
    assert unapplied == {1: 0, 2: 0, 3: 60}
    assert opens == {10: 100, 11: 100, 12: 100}  # the caller's balances are not changed


def test_a_fully_paid_named_invoice_sends_the_payment_to_the_oldest_open_one() -> None:
    parts, unapplied = allocate_in_order([(5, (2, "USD"), 70, 9)], {(2, "USD"): [8]}, {8: 50, 9: 0})
    assert parts == [(5, 8, 50)]
    assert unapplied == {5: 20}
