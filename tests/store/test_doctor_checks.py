"""``doctor``'s checks as grouped SQL: quick_check by default, integrity_check with ``full``;
references to no row counted as ``PRAGMA foreign_key_check`` counts them; open amounts and
crossed allocations found row by row, on both engines."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from store_helpers import Book

from huikuan.core.calendar import make_calendar
from huikuan.store.admin import Check, doctor

TODAY = date(2026, 11, 22)


@pytest.fixture
def small(book: Book) -> Book:
    book.customer("C1", "上海宏达")
    book.customer("C2", "苏州小厂")
    book.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    book.invoice("B", "C1", "2026-01-02", "50", due="2026-02-01")
    book.invoice("C", "C2", "2026-01-03", "70", due="2026-02-02")
    book.payment("C1", "2026-02-10", "120", reference="R1")
    book.payment("C2", "2026-02-11", "30", reference="R2")
    return book


def _checks(book: Book, full: bool = False) -> dict[str, Check]:
    return {c.check: c for c in doctor(book.led, TODAY, make_calendar("none"), full)}


@pytest.mark.sqlite_only("SQLite's own integrity checks")
def test_default_runs_quick_check_and_full_the_integrity_check(small: Book) -> None:
    quick, full = _checks(small)["sqlite integrity"], _checks(small, True)["sqlite integrity"]
    assert (quick.status, quick.detail) == ("ok", "ok (quick_check; --full: integrity_check)")
    assert (full.status, full.detail) == ("ok", "ok (integrity_check)")


@pytest.mark.sqlite_only("a reference to no row can only be written with foreign keys off")
def test_references_to_no_row_are_counted_alike_in_both_modes(small: Book) -> None:
    assert _checks(small)["foreign keys"].detail == "0 broken reference(s)"
    raw = sqlite3.connect(small.path)  # foreign keys are off on a plain connection
    try:
        raw.execute("UPDATE payment SET invoice_id = 999 WHERE reference = 'R2'")
        raw.execute("UPDATE allocation SET payment_id = 998")
        raw.commit()
        (allocations,) = raw.execute("SELECT COUNT(*) FROM allocation").fetchone()
        pragma = len(raw.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        raw.close()
    for full in (False, True):
        fks = _checks(small, full)["foreign keys"]
        assert (fks.status, fks.detail) == ("fail", f"{1 + allocations} broken reference(s)")
    assert pragma == 1 + allocations


def test_open_amounts_that_disagree_with_allocations_are_found(small: Book) -> None:
    assert _checks(small)["invoice open amounts"].status == "ok"
    # the totals still agree (one 分 moved from A to B): only the rows show it
    small.execute("UPDATE invoice SET open_amount = open_amount + 1 WHERE number = 'A'")
    small.execute("UPDATE invoice SET open_amount = open_amount - 1 WHERE number = 'B'")
    for full in (False, True):
        check = _checks(small, full)["invoice open amounts"]
        assert (check.status, check.detail) == ("fail", "2 row(s) wrong")


def test_unapplied_amounts_that_disagree_with_allocations_are_found(small: Book) -> None:
    small.execute("UPDATE payment SET unapplied = unapplied + 1 WHERE reference = 'R1'")
    check = _checks(small)["payment unapplied amounts"]
    assert (check.status, check.detail) == ("fail", "1 row(s) wrong")


def test_each_crossed_allocation_counts_once(small: Book) -> None:
    assert _checks(small)["allocation currencies"].detail == "consistent"
    small.execute("UPDATE invoice SET currency = 'USD' WHERE number = 'A'")
    assert _checks(small)["allocation currencies"].detail == "1 row(s) wrong"
    (c2,) = small.execute("SELECT id FROM customer WHERE code = 'C2'").fetchone()
    small.execute("UPDATE payment SET customer_id = ? WHERE reference = 'R1'", (c2,))
    # R1 paid A and B: A is now crossed twice over (customer and currency), B once
    assert _checks(small)["allocation currencies"].detail == "2 row(s) wrong"
