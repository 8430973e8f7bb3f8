"""``doctor``'s invariants read the allocations grouped per invoice or payment
(:mod:`huikuan.store.invariants`): on ledgers broken in random ways they count exactly the rows
the plain statements below count (one allocation sum per row, joined; every allocation joined
to its invoice and payment), on both engines; and the file checks run beside them on a
second connection, falling back to the ledger's own when that cannot be opened."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book

from huikuan.core.calendar import make_calendar
from huikuan.db.models import Allocation, Invoice, Payment
from huikuan.db.tables import table_of
from huikuan.store import beside as beside_module
from huikuan.store.admin import doctor
from huikuan.store.db import sa_of
from huikuan.store.invariants import invariants
from huikuan.store.reports import ZERO

INV, PAY, ALLOC = table_of(Invoice), table_of(Payment), table_of(Allocation)
TODAY = date(2026, 11, 22)


def _plain_unallocated(table: sa.Table, key: str, rest: str) -> sa.Select[Any]:
    """The statement before the grouped one: the allocations summed per row, outer-joined."""
    a = ALLOC.c
    used = sa.select(a[key].label("id"), sa.func.sum(a.amount).label("used"))
    sums = used.group_by(a[key]).subquery("used")
    expected: sa.ColumnElement[Any] = table.c.amount - sa.func.coalesce(sums.c.used, ZERO)
    if "reversed_on" in table.c:
        expected = sa.case((table.c.reversed_on.is_not(None), ZERO), else_=expected)
    joined = table.outerjoin(sums, sums.c.id == table.c.id)
    return sa.select(sa.func.count()).select_from(joined).where(table.c[rest] != expected)


def _plain_crossed() -> sa.Select[Any]:
    joined = ALLOC.join(INV, INV.c.id == ALLOC.c.invoice_id).join(
        PAY, PAY.c.id == ALLOC.c.payment_id
    )
    wrong = sa.or_(INV.c.currency != PAY.c.currency, INV.c.customer_id != PAY.c.customer_id)
    return sa.select(sa.func.count()).select_from(joined).where(wrong)


PLAIN = {
    "invoice open amounts": _plain_unallocated(INV, "invoice_id", "open_amount"),
    "payment unapplied amounts": _plain_unallocated(PAY, "payment_id", "unapplied"),
    "allocation currencies": _plain_crossed(),
}


@pytest.fixture
def ledger(book: Book) -> Book:
    """Customers with invoices in two currencies, paid in part, in full, ahead (credit) and
    not at all; a write-off; invoices and payments with no allocation."""
    for code in ("C1", "C2", "C3"):
        book.customer(code)
    rng = random.Random(7)
    for n in range(24):
        cur = "USD" if n % 5 == 0 else None
        day = f"2026-{1 + n % 9:02d}-{1 + n % 27:02d}"
        book.invoice(f"I{n:02d}", f"C{1 + n % 3}", day, str(rng.randint(50, 900)), currency=cur)
    for n in range(14):
        named = f"I{n * 2 % 24:02d}" if n % 3 == 0 else None
        cur = "USD" if named and int(named[1:]) % 5 == 0 else None
        day = f"2026-{3 + n % 8:02d}-{2 + n:02d}"
        book.payment(f"C{1 + n % 3}", day, str(rng.randint(20, 1500)), invoice=named, currency=cur)
    (still_open,) = book.execute("SELECT max(number) FROM invoice WHERE open_amount > 0").fetchone()
    book.write_off(still_open, "2026-10-01")
    return book


def _counts(book: Book, statements: dict[str, sa.Select[Any]]) -> dict[str, int]:
    db = sa_of(book.conn)
    return {name: int(db.execute(statements[name]).scalar_one()) for name in PLAIN}


def _ids(book: Book, sql: str) -> list[int]:
    return [int(r[0]) for r in book.execute(sql).fetchall()]


def _break(book: Book, rng: random.Random) -> None:
    """A few random wrongs: open amounts and unapplied credit off (rows with and without
    allocations), reversed payments, currencies and customers swapped, allocations lost."""
    invoices = _ids(book, "SELECT id FROM invoice")
    payments = _ids(book, "SELECT id FROM payment")
    customers = _ids(book, "SELECT id FROM customer")
    for _ in range(rng.randint(1, 6)):
        what = rng.randrange(6)
        if what == 0:
            book.execute(
                "UPDATE invoice SET open_amount = CASE WHEN open_amount > 0 THEN open_amount - 1 "
                "ELSE 1 END WHERE id = ?",
                (rng.choice(invoices),),
            )
        elif what == 1:
            book.execute(
                "UPDATE payment SET unapplied = CASE WHEN unapplied > 0 THEN 0 ELSE 1 END "
                "WHERE id = ?",
                (rng.choice(payments),),
            )
        elif what == 2:
            book.execute(
                "UPDATE payment SET reversed_on = '2026-11-01' WHERE id = ?",
                (rng.choice(payments),),
            )
        elif what == 3:
            cur = rng.choice(("USD", "CNY", "EUR"))
            table = rng.choice(("invoice", "payment"))
            ids = invoices if table == "invoice" else payments
            book.execute(f"UPDATE {table} SET currency = ? WHERE id = ?", (cur, rng.choice(ids)))
        elif what == 4:
            book.execute(
                "UPDATE payment SET customer_id = ? WHERE id = ?",
                (rng.choice(customers), rng.choice(payments)),
            )
        elif allocations := _ids(book, "SELECT id FROM allocation"):
            book.execute("DELETE FROM allocation WHERE id = ?", (rng.choice(allocations),))


class Undo(Exception):
    """Rolls a broken ledger back."""


def test_grouped_invariants_count_what_the_plain_statements_count(ledger: Book) -> None:
    assert _counts(ledger, invariants()) == _counts(ledger, PLAIN) == dict.fromkeys(PLAIN, 0)
    seen: set[str] = set()
    for seed in range(30):
        with pytest.raises(Undo), ledger.led.transaction():
            _break(ledger, random.Random(seed))
            grouped, plain = _counts(ledger, invariants()), _counts(ledger, PLAIN)
            assert grouped == plain == _counts(ledger, invariants(grouped=False)), seed
            seen |= {name for name, bad in plain.items() if bad}
            raise Undo
    assert seen == set(PLAIN)  # every invariant was broken by some seed


def test_an_invoice_with_no_allocation_and_a_wrong_open_amount_is_found(book: Book) -> None:
    book.customer("C1")
    book.invoice("A", "C1", "2026-01-01", "100")
    book.invoice("B", "C1", "2026-01-02", "50")
    book.payment("C1", "2026-02-01", "30", invoice="B")
    book.execute("UPDATE invoice SET open_amount = 9999 WHERE number = 'A'")  # no allocation
    book.execute("UPDATE invoice SET open_amount = 2001 WHERE number = 'B'")  # 30.00 paid of 50
    assert _counts(book, invariants())["invoice open amounts"] == 2


def test_the_file_checks_fall_back_to_the_ledger_connection(
    ledger: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second connection that cannot be opened: the same checks, on the ledger's own."""
    before = doctor(ledger.led, TODAY, make_calendar("none"))

    def refuse(path: Path) -> Any:
        raise OSError("no second connection here")

    monkeypatch.setattr(beside_module, "read_only", refuse)
    assert doctor(ledger.led, TODAY, make_calendar("none")) == before
