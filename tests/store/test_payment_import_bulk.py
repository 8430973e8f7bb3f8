"""Big payment files on SQLite: indexes of payment and allocation dropped and rebuilt once,
repeated references found in one query at the end, the same rows as the chunked path."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from store_helpers import Book, write_csv

from huikuan.core.errors import ImportFailed
from huikuan.store import importer
from huikuan.store import ledger as L

PAY_HEADER = ["customer", "date", "amount", "invoice", "currency", "reference", "method"]


def _ledger(path: Path, tmp_path: Path) -> Book:
    book = Book(path)
    book.import_(
        "customers", write_csv(tmp_path / "c.csv", ["code", "name"], [["C1", "A"], ["C2", "B"]])
    )
    rows = [[f"N{i}", f"C{i % 2 + 1}", f"2026-01-{i % 28 + 1:02d}", f"{i % 7 + 1}00", "2026-03-01", ("USD" if i % 5 == 0 else "CNY")] for i in range(60)]  # fmt: skip
    book.import_("invoices", write_csv(tmp_path / "i.csv", ["number", "customer", "issue_date", "amount", "due_date", "currency"], rows))  # fmt: skip
    book.payment("C1", "2025-12-01", "10", reference="OLD-1")
    return book


def _payments(tmp_path: Path, extra: list[list[str]] = []) -> Path:  # noqa: B006
    rng = random.Random(7)
    rows = []
    for i in range(400):
        n = rng.randrange(60)
        named = f"N{n}" if rng.random() < 0.5 else ""
        cur = "USD" if (n % 5 == 0 and named) else "CNY"
        rows.append([f"C{n % 2 + 1}", f"2026-02-{rng.randrange(1, 28):02d}", f"{rng.randrange(1, 90)}0", named, cur, f"R{i}", "bank"])  # fmt: skip
    return write_csv(tmp_path / "p.csv", PAY_HEADER, rows + extra)


def _state(book: Book) -> tuple[object, ...]:
    return (
        book.conn.execute("SELECT * FROM payment ORDER BY id").fetchall(),
        book.conn.execute(
            "SELECT payment_id, invoice_id, amount, date FROM allocation ORDER BY payment_id, id"
        ).fetchall(),
        book.open(),
    )


def _indexes(book: Book) -> list[str]:
    sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('payment', 'allocation')"
    return sorted(r[0] for r in book.conn.execute(sql) if r[0])


def test_the_bulk_path_gives_the_chunked_paths_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunked = _ledger(tmp_path / "chunked.db", tmp_path)
    file = _payments(tmp_path)
    chunked.import_("payments", file)
    bulk = _ledger(tmp_path / "bulk.db", tmp_path)
    before = _indexes(bulk)
    dropped: list[tuple[str, ...]] = []
    real_drop = L.drop_indexes
    monkeypatch.setattr(
        L, "drop_indexes", lambda conn, *t: dropped.append(t) or real_drop(conn, *t)
    )
    monkeypatch.setattr(importer, "BULK_BYTES", 0)
    assert bulk.import_("payments", file).rows == 400
    assert dropped == [("payment", "allocation")]
    assert _indexes(bulk) == before and "payment_reference" in str(before)
    assert _state(bulk) == _state(chunked)
    assert bulk.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    chunked.close()
    bulk.close()


def test_repeated_references_on_the_bulk_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = _ledger(tmp_path / "bulk.db", tmp_path)
    before, state = _indexes(book), _state(book)
    monkeypatch.setattr(importer, "BULK_BYTES", 0)
    r3 = _payments(tmp_path).read_text().splitlines()[4].split(",")  # the row of R3
    assert r3[5] == "R3"
    extra = [[r3[0], "2026-02-02", "5", "", "CNY", "R3", ""], ["C1", "2026-02-02", "5", "", "CNY", "OLD-1", ""]]  # fmt: skip
    file = _payments(tmp_path, extra)
    with pytest.raises(ImportFailed) as info:
        book.import_("payments", file)
    said = "is already recorded for this customer"
    assert info.value.messages == [
        f"{file}:402: reference: a payment with reference 'R3' {said}",
        f"{file}:403: reference: a payment with reference 'OLD-1' {said}",
    ]
    assert _indexes(book) == before and _state(book) == state  # nothing written
    book.close()
