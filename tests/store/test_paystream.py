"""A big payments file allocated as its rows go in (:mod:`huikuan.store.paystream`) gives
exactly what the per-payment path gives (:func:`setalloc.allocate_each`, i.e.
``ledger.allocate_payment`` payment by payment in date order).

Each seeded case generates a ledger (customers, invoices in two currencies with tied due and
issue dates, earlier payments leaving invoices part or fully paid and credit unapplied) and a
payments file, and imports the file into two copies: once the small-file way with the
per-payment allocation, once the big-file way — in date order (allocated while inserting,
rows checked here or in a forked child, open invoices read all at once or per customer), or
out of order after some chunks were allocated (that work undone, allocated at the end).
Payments, allocations and open amounts must be the same.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from store_helpers import Book, write_csv

from huikuan.core.errors import ImportFailed
from huikuan.store import bulk, importer, paylookup, pipeline, setalloc
from huikuan.store.importer import _Importer
from huikuan.store.paystream import StreamAllocator

pytestmark = pytest.mark.sqlite_only("the big-file payments path is SQLite's")

PAY_HEADER = ["customer", "date", "amount", "invoice", "currency", "reference", "method"]
CURRENCIES = ("CNY", "USD")


def _day(rng: random.Random) -> str:
    return f"2026-0{rng.randint(1, 4)}-{rng.choice([1, 2, 15, 28]):02d}"


def _build(path: Path, rng: random.Random) -> list[tuple[str, str, str]]:
    """A generated ledger; its invoices as (number, customer, currency)."""
    book = Book(path)
    customers = [f"C{i}" for i in range(rng.randint(1, 6))]
    for code in customers:
        book.customer(code)
    invoices = []
    for n in rng.sample(range(100, 999), rng.randint(3, 30)):
        code, cur = rng.choice(customers), rng.choice(CURRENCIES)
        due = rng.choice([None, "2026-04-30", "2026-05-31"])
        book.invoice(f"N{n}", code, _day(rng), str(rng.randint(1, 40) * 50), due=due, currency=cur)
        invoices.append((f"N{n}", code, cur))
        if rng.random() < 0.3:  # earlier payments: part paid, fully paid, credit left
            number, pcode, pcur = rng.choice(invoices)
            named = number if rng.random() < 0.5 else None
            book.payment(pcode, _day(rng), str(rng.randint(1, 60) * 50), invoice=named, currency=pcur)  # fmt: skip
    book.close()
    return invoices


def _rows(rng: random.Random, invoices: list[tuple[str, str, str]]) -> list[list[str]]:
    """Payments in date order: named or not, some in a currency never invoiced (all credit)."""
    rows = []
    for i in range(rng.randint(1, 60)):
        number, code, cur = rng.choice(invoices)
        named = number if rng.random() < 0.4 else ""
        if not named and rng.random() < 0.1:
            cur = "EUR"
        ref = f"R{i}" if rng.random() < 0.5 else ""
        rows.append([code, _day(rng), str(rng.randint(1, 80) * 25), named, cur, ref, "bank"])
    return sorted(rows, key=lambda r: r[1])


def _state(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        return {
            "allocation": conn.execute(
                "SELECT payment_id, invoice_id, amount, date FROM allocation"
                " ORDER BY payment_id, id"
            ).fetchall(),
            "invoice": conn.execute("SELECT id, open_amount FROM invoice ORDER BY id").fetchall(),
            "payment": conn.execute("SELECT * FROM payment ORDER BY id").fetchall(),
            "indexes": conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            ).fetchall(),
        }
    finally:
        conn.close()


def _import(path: Path, file: Path) -> None:
    book = Book(path)
    try:
        book.import_("payments", file)
    finally:
        book.close()


def _expected(base: Path, file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The per-payment path's result (small-file import, one payment at a time)."""
    old = tmp_path / "old.db"
    shutil.copy(base, old)
    with monkeypatch.context() as m:
        m.setattr(setalloc, "allocate_new_payments", setalloc.allocate_each)
        _import(old, file)
    return _state(old)


# The file's estimated rows: 0 (open invoices read customer by customer, open-invoice index
# kept), 6 (read at once: as many rows as customers) or many (read at once, index rebuilt).
ROWS = {0: 0, 1: 6, 2: 10**9}


def _big(monkeypatch: pytest.MonkeyPatch, *, child: bool, rows: int, chunk: int) -> None:
    """Make any file take the big-file path (chunks of ``chunk`` rows)."""
    monkeypatch.setattr(importer, "_bulk", lambda conn, kind, size: kind == "payments")
    monkeypatch.setattr(paylookup, "BIG_BYTES", 0)
    monkeypatch.setattr(importer, "CHUNK", chunk)
    monkeypatch.setattr(paylookup, "CHUNK", chunk)
    monkeypatch.setattr(pipeline, "available", lambda: child)
    monkeypatch.setattr(_Importer, "_rows", lambda self: ROWS[rows])


def _case(seed: int, tmp_path: Path) -> tuple[Path, list[list[str]], list[tuple[str, str, str]]]:
    rng = random.Random(seed)
    base = tmp_path / "base.db"
    invoices = _build(base, rng)
    return base, _rows(rng, invoices), invoices


@pytest.mark.parametrize("seed", range(30))
def test_in_date_order_allocated_while_inserting_as_one_by_one(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, rows, _ = _case(seed, tmp_path)
    file = write_csv(tmp_path / "p.csv", PAY_HEADER, rows)
    expected = _expected(base, file, tmp_path, monkeypatch)
    _big(monkeypatch, child=False, rows=seed % 3, chunk=1 + seed % 7)
    monkeypatch.setattr(setalloc, "allocate_new_payments", _not_called)
    new = tmp_path / "new.db"
    shutil.copy(base, new)
    _import(new, file)
    assert _state(new) == expected


@pytest.mark.parametrize("seed", range(30, 45))
def test_rows_checked_in_a_child_give_the_same_ledger(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child reads the invoices through its own read-only connection (WAL ledger)."""
    base, rows, _ = _case(seed, tmp_path)
    file = write_csv(tmp_path / "p.csv", PAY_HEADER, rows)
    expected = _expected(base, file, tmp_path, monkeypatch)
    _big(monkeypatch, child=True, rows=seed % 3, chunk=4)
    children: list[object] = []
    real = pipeline.checked_in_child
    monkeypatch.setattr(pipeline, "checked_in_child", lambda *a: children.append(1) or real(*a))
    new = tmp_path / "new.db"
    shutil.copy(base, new)
    _import(new, file)
    assert children and _state(new) == expected


@pytest.mark.parametrize("seed", range(45, 65))
def test_a_row_out_of_date_order_undoes_and_allocates_at_the_end(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, rows, invoices = _case(seed, tmp_path)
    code = invoices[0][1]
    rows = [*rows, [code, "2025-12-31", "75", "", "CNY", "LATE", ""]]  # the earliest, last
    rows += [[code, "2026-06-01", "10", "", "CNY", "", ""]]
    file = write_csv(tmp_path / "p.csv", PAY_HEADER, rows)
    expected = _expected(base, file, tmp_path, monkeypatch)
    _big(monkeypatch, child=seed % 3 == 0, rows=seed % 3, chunk=5)
    undone: list[int] = []
    real = StreamAllocator._undo
    monkeypatch.setattr(StreamAllocator, "_undo", lambda self: undone.append(1) or real(self))
    new = tmp_path / "new.db"
    shutil.copy(base, new)
    _import(new, file)
    assert _state(new) == expected
    assert undone == [1] or seed % 3 == 0  # (in the child's case the undo is the parent's too)


def test_bad_rows_checked_in_the_child_are_reported_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, rows, _ = _case(3, tmp_path)
    at = len(rows) // 2
    rows[at:at] = [["C0", "2026-02-30", "5", "", "CNY", "", ""]]
    rows += [["C0", "2026-05-01", "5", "N1", "CNY", "", ""]]
    rows += [["C0", "2026-05-02", "5", "", "CNY", "TWICE", ""]] * 2
    file = write_csv(tmp_path / "p.csv", PAY_HEADER, rows)
    _big(monkeypatch, child=True, rows=2, chunk=3)
    before = _state(base)
    with pytest.raises(ImportFailed) as info:
        _import(base, file)
    said = [m.split(": ", 1)[0].rsplit(":", 1)[1] for m in info.value.messages]
    assert said == [str(at + 2), str(len(rows) - 1), str(len(rows) + 1)]
    assert "unknown invoice 'N1'" in info.value.messages[1]
    assert "'TWICE' is already recorded" in info.value.messages[2]
    assert _state(base) == before


def test_a_ledger_file_in_wal_mode_can_be_read_by_a_second_connection(tmp_path: Path) -> None:
    tmp_path = tmp_path / "a b#?%20账"  # the reader's URI quotes what needs it
    tmp_path.mkdir()
    wal = sqlite3.connect(tmp_path / "wal.db")
    wal.execute("PRAGMA journal_mode = WAL")
    wal.execute("CREATE TABLE t (x)")
    wal.commit()
    wal.execute("BEGIN IMMEDIATE")
    wal.execute("INSERT INTO t VALUES (1)")
    path = bulk.reader_path(wal)
    assert path == str(tmp_path / "wal.db")
    reader = bulk.open_reader(path)
    assert reader.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)  # the last commit
    with pytest.raises(sqlite3.OperationalError):
        reader.execute("INSERT INTO t VALUES (2)")
    reader.close()
    wal.rollback()
    wal.close()
    assert bulk.reader_path(sqlite3.connect(tmp_path / "plain.db")) is None  # rollback journal
    assert bulk.reader_path(sqlite3.connect(":memory:")) is None


def _not_called(*args: Any) -> int:
    raise AssertionError("allocated at the end, not as the rows went in")


def test_repeated_references_found_in_one_pass_as_the_chunked_path_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A credit note's reference is not a payment's; the first payment with a reference is
    not a repeat, the later ones are (also of a payment already in the ledger)."""
    base = tmp_path / "base.db"
    book = Book(base)
    for code in ("C0", "C1"):
        book.customer(code)
    book.invoice("N1", "C0", "2026-01-05", "500")
    book.payment("C0", "2026-01-06", "50", reference="OLD", kind="credit_note")
    book.payment("C1", "2026-01-06", "50", reference="PAID")
    book.close()
    rows = [
        ["C0", "2026-02-01", "10", "", "CNY", "OLD", ""],  # 2: a credit note's: fine
        ["C1", "2026-02-01", "10", "", "CNY", "OLD", ""],  # 3: another customer: fine
        ["C1", "2026-02-02", "10", "", "CNY", "PAID", ""],  # 4: the ledger's
        ["C0", "2026-02-03", "10", "", "CNY", "TWICE", ""],  # 5: first: fine
        ["C0", "2026-02-04", "10", "", "CNY", "TWICE", ""],  # 6
        ["C0", "2026-02-05", "10", "", "CNY", "OLD", ""],  # 7: repeats line 2
        ["C0", "2026-02-05", "10", "", "CNY", "TWICE", ""],  # 8
    ]
    file = write_csv(tmp_path / "p.csv", PAY_HEADER, rows)
    messages = []
    for big in (False, True):
        copy = tmp_path / f"{big}.db"
        shutil.copy(base, copy)
        with monkeypatch.context() as m:
            if big:
                _big(m, child=False, rows=2, chunk=3)
            with pytest.raises(ImportFailed) as info:
                _import(copy, file)
        messages.append(info.value.messages)
        assert _state(copy) == _state(base)
    said = [m.split(": ", 1)[0].rsplit(":", 1)[1] for m in messages[1]]
    assert said == ["4", "6", "7", "8"] and messages[0] == messages[1]


def test_invoice_numbers_with_quotes_and_other_scripts_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunk's numbers go to SQLite as one JSON array: any text must come back intact."""
    base = tmp_path / "base.db"
    book = Book(base)
    book.customer("C0")
    numbers = ['N"1', "N\\2", "发票-3", "N,4 ", "😀5", "[6]"]
    for n, number in enumerate(numbers):
        book.invoice(number.strip(), "C0", f"2026-01-0{n + 1}", "100")
    book.close()
    rows = [["C0", "2026-02-01", "60", number.strip(), "CNY", "", ""] for number in numbers]
    file = write_csv(tmp_path / "p.csv", PAY_HEADER, rows)
    expected = _expected(base, file, tmp_path, monkeypatch)
    _big(monkeypatch, child=True, rows=2, chunk=4)
    _import(base, file)
    got = _state(base)
    assert got == expected
    assert [inv for _, inv, _, _ in got["allocation"]] == [1, 2, 3, 4, 5, 6]
