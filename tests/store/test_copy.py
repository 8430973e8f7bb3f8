"""``copy_ledger``/``copy_to`` without the CLI: every row, ids kept, checked, in batches."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from store_helpers import Book

from huikuan.core.errors import HuikuanError
from huikuan.store import copy as copy_module
from huikuan.store.copy import copy_ledger, copy_to, table_counts
from huikuan.store.db import open_ledger

TODAY = date(2026, 11, 22)


@pytest.fixture
def small(book: Book) -> Book:
    book.customer("C1", "上海宏达")
    book.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    book.invoice("B", "C1", "2026-01-02", "50", due="2026-02-01")
    book.payment("C1", "2026-02-10", "120", reference="R1")
    book.customer("C2", "Acme")
    book.invoice("U", "C2", "2026-03-01", "80", currency="USD", due="2026-03-31")
    return book


def test_every_row_is_copied_in_small_batches(
    small: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(copy_module, "BATCH", 1)  # many batches, as on a big ledger
    name, result = copy_to(small.led, str(tmp_path / "copy.db"), "tester", TODAY)
    assert name == str(tmp_path / "copy.db")
    target = open_ledger(tmp_path / "copy.db", "tester")
    try:
        assert table_counts(target) == table_counts(small.led) == result.rows
    finally:
        target.close()
    assert result.rows["invoice"] == 3 and result.rows["payment"] == 1
    assert result.totals == {"CNY": (3000, 0), "USD": (8000, 0)}


def test_a_target_with_rows_is_refused_untouched(small: Book, tmp_path: Path) -> None:
    target = open_ledger(tmp_path / "t.db", "tester", create=True)
    try:
        copy_ledger(small.led, target, TODAY)
        before = table_counts(target)
        with pytest.raises(HuikuanError, match="already holds data"):
            copy_ledger(small.led, target, TODAY)
        assert table_counts(target) == before
    finally:
        target.close()
