"""Corrections as dated ledger entries: reversing a payment (退票) and voiding an invoice.

Reports as of a date before the correction show what the ledger said then; after it, the
invoices reopen (reversal) or disappear (void) and the credit is re-applied by the rule.
"""

from __future__ import annotations

from datetime import date

import pytest
from store_helpers import Book, fen

from huikuan.core.errors import Conflict, NotFound
from huikuan.store import corrections as K

CUR = "CNY"


def _reverse(book: Book, pid: int, day: str, reason: str = "退票") -> K.Reversal:
    with book.led.transaction() as conn:
        return K.reverse_payment(conn, pid, on=date.fromisoformat(day), reason=reason, user="u")


def _void(book: Book, number: str, day: str, reverse: bool = False) -> K.Void:
    with book.led.transaction() as conn:
        return K.void_invoice(
            conn, number, on=date.fromisoformat(day), reason="wrong customer", user="u",
            reverse_allocations=reverse,
        )  # fmt: skip


@pytest.fixture
def paid(book: Book) -> int:
    """C001: A 1,000 (due 01-31) and B 500 (due 02-28); a 1,200 payment on 02-10."""
    book.customer("C001")
    book.invoice("A", "C001", "2026-01-01", "1000", due="2026-01-31")
    book.invoice("B", "C001", "2026-01-15", "500", due="2026-02-28")
    return book.payment("C001", "2026-02-10", "1200", reference="S1")


def test_reversal_reopens_the_invoices_from_its_date_only(book: Book, paid: int) -> None:
    result = _reverse(book, paid, "2026-03-05")
    assert [(a.invoice, a.amount) for a in result.freed] == [("A", fen("1000")), ("B", fen("200"))]
    assert result.reapplied == ()
    assert book.open() == {"A": fen("1000"), "B": fen("500")}
    assert book.unapplied(paid) == 0
    assert book.open_as_of("2026-03-04") == {"B": fen("300")}  # as the ledger said then
    assert book.open_as_of("2026-03-05") == {"A": fen("1000"), "B": fen("500")}
    assert book.credit("2026-03-04") == {}
    assert book.allocations(paid)[-2:] == [
        ("A", -fen("1000"), "2026-03-05"),
        ("B", -fen("200"), "2026-03-05"),
    ]


def test_reversal_reapplies_waiting_credit_on_its_date(book: Book, paid: int) -> None:
    other = book.payment("C001", "2026-02-20", "400")  # 300 to B, 100 waits as credit
    assert book.unapplied(other) == fen("100")
    result = _reverse(book, paid, "2026-03-05")
    assert [(a.payment_id, a.invoice, a.amount) for a in result.reapplied] == [
        (other, "A", fen("100"))
    ]
    assert book.open() == {"A": fen("900"), "B": fen("200")}
    assert book.credit("2026-03-04") == {("C001", CUR): fen("100")}
    assert book.credit("2026-03-05") == {}
    assert book.open_as_of("2026-03-04") == {}
    assert book.open_as_of("2026-03-05") == {"A": fen("900"), "B": fen("200")}


def test_a_reversed_payment_held_its_credit_until_it_bounced(book: Book, paid: int) -> None:
    extra = book.payment("C001", "2026-02-25", "700")  # 300 to B, 400 credit
    _reverse(book, extra, "2026-03-10")
    assert book.credit("2026-03-09") == {("C001", CUR): fen("400")}
    assert book.credit("2026-03-10") == {}
    assert book.open() == {"A": 0, "B": fen("300")}


def test_reversal_is_refused_twice_before_its_date_and_for_other_kinds(
    book: Book, paid: int
) -> None:
    _reverse(book, paid, "2026-03-05")
    with pytest.raises(Conflict, match="already reversed on 2026-03-05"):
        _reverse(book, paid, "2026-03-06")
    again = book.payment("C001", "2026-03-01", "100")
    with pytest.raises(Conflict, match="before the payment's date 2026-03-01"):
        _reverse(book, again, "2026-02-28")
    note = book.payment("C001", "2026-03-01", "50", kind="credit_note")
    with pytest.raises(Conflict, match="is a credit note, not money received"):
        _reverse(book, note, "2026-03-02")
    with pytest.raises(NotFound, match="unknown payment 999"):
        _reverse(book, 999, "2026-03-02")


def test_reversal_is_audited_with_before_and_after(book: Book, paid: int) -> None:
    import json

    _reverse(book, paid, "2026-03-05", reason="退票: 账户冻结")
    action, entity, key, detail = book.execute(
        "SELECT action, entity, key, detail FROM audit ORDER BY id DESC LIMIT 1"
    )[0]
    assert (action, entity, key) == ("reverse", "payment", str(paid))
    got = json.loads(detail)
    assert got["reason"] == "退票: 账户冻结"
    assert got["before"]["applied"][0] == {"payment": paid, "invoice": "A", "amount": 100000}
    assert got["after"] == {"unapplied": 0, "reapplied": [], "reversed_on": "2026-03-05"}


def test_find_payment_by_id_or_reference(book: Book, paid: int) -> None:
    with book.led.transaction() as conn:
        assert K.find_payment(conn, str(paid)) == paid
        assert K.find_payment(conn, "S1") == paid
        with pytest.raises(NotFound, match="unknown payment 'S9'"):
            K.find_payment(conn, "S9")


def test_void_closes_the_invoice_from_its_date_only(book: Book) -> None:
    book.customer("C001")
    book.invoice("A", "C001", "2026-01-01", "1000", due="2026-01-31")
    result = _void(book, "A", "2026-02-15")
    assert (result.amount, result.freed, result.reapplied) == (fen("1000"), (), ())
    assert book.open() == {"A": 0}
    assert book.open_as_of("2026-02-14") == {"A": fen("1000")}
    assert book.open_as_of("2026-02-15") == {}
    assert book.credit("2026-02-15") == {}
    with pytest.raises(Conflict, match="already void"):
        _void(book, "A", "2026-02-16")


def test_void_with_allocations_needs_reverse_and_reapplies_them(book: Book, paid: int) -> None:
    with pytest.raises(Conflict, match=r"CNY 1000\.00 applied to it; pass --reverse-allocations"):
        _void(book, "A", "2026-03-01")
    result = _void(book, "A", "2026-03-01", reverse=True)
    assert [(a.invoice, a.amount) for a in result.freed] == [("A", fen("1000"))]
    assert [(a.invoice, a.amount) for a in result.reapplied] == [("B", fen("300"))]
    assert book.open() == {"A": 0, "B": 0}
    assert book.unapplied(paid) == fen("700")
    assert book.credit("2026-02-28") == {}
    assert book.open_as_of("2026-02-28") == {"B": fen("300")}
    assert book.credit("2026-03-01") == {("C001", CUR): fen("700")}
    assert book.open_as_of("2026-03-01") == {}


def test_void_refuses_a_written_off_invoice_and_a_date_before_issue(book: Book) -> None:
    book.customer("C001")
    book.invoice("A", "C001", "2026-01-01", "1000", due="2026-01-31")
    with pytest.raises(Conflict, match="before the invoice's issue date 2026-01-01"):
        _void(book, "A", "2025-12-31")
    book.write_off("A", "2026-06-30", "200")
    with pytest.raises(Conflict, match="has a write-off"):
        _void(book, "A", "2026-07-01", reverse=True)
    with pytest.raises(NotFound, match="unknown invoice 'Z'"):
        _void(book, "Z", "2026-07-01")


def test_credit_history_ignores_voids_and_bounced_payments(book: Book, paid: int) -> None:
    from huikuan.store import credit

    def record(as_of: str) -> tuple[int, int, int]:
        h = credit.history(book.conn, 1, CUR, date.fromisoformat(as_of))
        return h.invoices_due, h.worst_overdue, h.late_fen_days

    # A (due 01-31) paid 10 days late; B (due 02-28) 300 open for 4 days
    assert record("2026-03-04") == (2, 4, fen("1000") * 10 + fen("300") * 4)
    _reverse(book, paid, "2026-03-05")
    assert record("2026-03-04") == (2, 4, fen("1000") * 10 + fen("300") * 4)  # unchanged
    assert record("2026-03-05") == (2, 33, fen("1000") * 33 + fen("500") * 5)  # never paid
    with book.led.transaction() as conn:
        assert credit.unapplied(conn, 1, CUR, date(2026, 3, 5)) == 0
    _void(book, "B", "2026-03-06")
    assert record("2026-03-06") == (1, 34, fen("1000") * 34)  # a voided invoice was never owed


def test_kpi_takes_a_void_out_of_the_sales_of_its_period(book: Book) -> None:
    from huikuan.store import kpi

    book.customer("C001")
    book.invoice("A", "C001", "2026-01-05", "1000", due="2026-02-04")
    _void(book, "A", "2026-02-10")
    periods = [("2026-01", date(2026, 1, 1), date(2026, 1, 31)),
               ("2026-02", date(2026, 2, 1), date(2026, 2, 28))]  # fmt: skip
    sums: dict = {}
    kpi._balances(book.led.conn.sa, "all", periods, sums)
    got = {k[2]: (s.credit_sales, s.opening, s.closing) for k, s in sums.items()}
    assert got == {
        "2026-01": (fen("1000"), 0, fen("1000")),
        "2026-02": (-fen("1000"), fen("1000"), 0),
    }
