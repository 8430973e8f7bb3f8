"""ledger.py: the allocation rule of DESIGN §3 on real ledger rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import Book, write_csv

from huikuan.core.errors import Conflict
from huikuan.store import queries as Q


@pytest.fixture
def c1(book: Book) -> Book:
    book.customer("C1")
    book.customer("C2")
    return book


def test_named_invoice_first_then_oldest_due(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("B", "C1", "2026-01-10", "200", due="2026-02-09")
    c1.invoice("C", "C1", "2026-01-05", "300", due="2026-03-01")
    pid = c1.payment("C1", "2026-02-15", "450", invoice="C")
    assert c1.allocations(pid) == [
        ("C", 30000, "2026-02-15"),
        ("A", 10000, "2026-02-15"),
        ("B", 5000, "2026-02-15"),
    ]
    assert c1.open() == {"A": 0, "B": 15000, "C": 0}
    assert c1.unapplied(pid) == 0


def test_named_invoice_smaller_than_payment_named_partly(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("B", "C1", "2026-01-10", "200", due="2026-02-09")
    pid = c1.payment("C1", "2026-02-15", "50", invoice="B")
    assert c1.allocations(pid) == [("B", 5000, "2026-02-15")]
    assert c1.open() == {"A": 10000, "B": 15000}


def test_unnamed_payment_goes_oldest_due_first(c1: Book) -> None:
    # recorded in an order unrelated to the due dates
    c1.invoice("LATE", "C1", "2026-01-01", "100", due="2026-04-30")
    c1.invoice("EARLY", "C1", "2026-02-01", "100", due="2026-02-10")
    c1.invoice("MID", "C1", "2026-01-15", "100", due="2026-03-15")
    pid = c1.payment("C1", "2026-03-01", "150")
    assert [(n, a) for n, a, _ in c1.allocations(pid)] == [("EARLY", 10000), ("MID", 5000)]
    assert c1.open() == {"EARLY": 0, "LATE": 10000, "MID": 5000}


def test_ties_on_due_date_break_by_issue_date_then_number(c1: Book) -> None:
    c1.invoice("Z-OLD", "C1", "2026-01-01", "100", due="2026-03-31")
    c1.invoice("B-NEW", "C1", "2026-01-20", "100", due="2026-03-31")
    c1.invoice("A-NEW", "C1", "2026-01-20", "100", due="2026-03-31")
    pid = c1.payment("C1", "2026-04-01", "250")
    assert [(n, a) for n, a, _ in c1.allocations(pid)] == [
        ("Z-OLD", 10000),
        ("A-NEW", 10000),
        ("B-NEW", 5000),
    ]


def test_named_invoice_already_paid_falls_through_to_oldest(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("B", "C1", "2026-01-02", "100", due="2026-02-01")
    c1.payment("C1", "2026-02-01", "100", invoice="B")
    pid = c1.payment("C1", "2026-02-02", "60", invoice="B")
    assert c1.allocations(pid) == [("A", 6000, "2026-02-02")]
    assert c1.open() == {"A": 4000, "B": 0}


def test_overpayment_leaves_unapplied_credit(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("B", "C1", "2026-01-02", "50.50", due="2026-02-01")
    pid = c1.payment("C1", "2026-02-10", "200")
    assert c1.open() == {"A": 0, "B": 0}
    assert c1.unapplied(pid) == 4950
    # the credit is kept, and shown in the queries the reports use
    assert Q.applied_to(c1.conn, pid)[-1] == ("(unapplied credit)", 4950, None)
    assert Q.applied(c1.conn, pid)[-1] == {
        "invoice": "(unapplied credit)",
        "amount": "49.50",
        "open_after": None,
    }
    assert c1.credit("2026-02-10") == {("C1", "CNY"): 4950}


def test_payment_with_no_open_invoice_is_all_credit(c1: Book) -> None:
    pid = c1.payment("C1", "2026-01-05", "80")
    assert c1.allocations(pid) == []
    assert c1.unapplied(pid) == 8000


def test_credit_is_applied_to_later_invoices_with_the_payment_date(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    pid = c1.payment("C1", "2026-02-10", "250")
    assert c1.unapplied(pid) == 15000
    c1.invoice("B", "C1", "2026-03-01", "100", due="2026-03-31")
    assert c1.unapplied(pid) == 5000
    c1.invoice("C", "C1", "2026-03-05", "80", due="2026-04-04")
    assert c1.unapplied(pid) == 0
    assert c1.allocations(pid) == [
        ("A", 10000, "2026-02-10"),
        ("B", 10000, "2026-02-10"),
        ("C", 5000, "2026-02-10"),
    ]
    assert c1.open() == {"A": 0, "B": 0, "C": 3000}


def test_several_credits_are_used_oldest_first(c1: Book) -> None:
    p_new = c1.payment("C1", "2026-02-20", "30")
    p_old = c1.payment("C1", "2026-02-01", "50")
    c1.invoice("A", "C1", "2026-03-01", "60", due="2026-03-31")
    assert c1.allocations(p_old) == [("A", 5000, "2026-02-01")]
    assert c1.allocations(p_new) == [("A", 1000, "2026-02-20")]
    assert (c1.unapplied(p_old), c1.unapplied(p_new)) == (0, 2000)


def test_credit_from_import_applies_to_imported_invoices(c1: Book, tmp_path: Path) -> None:
    pid = c1.payment("C1", "2026-02-01", "500")
    f = write_csv(
        tmp_path / "inv.csv",
        ["number", "customer", "issue_date", "amount", "due_date"],
        [
            ["N2", "C1", "2026-03-01", "300", "2026-04-30"],
            ["N1", "C1", "2026-03-02", "300", "2026-03-31"],
        ],
    )
    c1.import_("invoices", f)
    assert c1.allocations(pid) == [("N1", 30000, "2026-02-01"), ("N2", 20000, "2026-02-01")]
    assert c1.open() == {"N1": 0, "N2": 10000}


def test_customers_never_share_payments(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    pid = c1.payment("C2", "2026-02-01", "100")
    assert c1.allocations(pid) == []
    assert c1.open() == {"A": 10000}
    c1.invoice("B", "C2", "2026-02-05", "40", due="2026-03-07")
    assert c1.allocations(pid) == [("B", 4000, "2026-02-01")]
    assert c1.open() == {"A": 10000, "B": 0}


def test_currencies_never_mix(c1: Book) -> None:
    c1.invoice("CNY1", "C1", "2026-01-01", "100", due="2026-01-31")
    usd = c1.payment("C1", "2026-02-01", "100", currency="USD")
    assert c1.allocations(usd) == []
    assert c1.unapplied(usd) == 10000
    assert c1.open() == {"CNY1": 10000}
    # USD credit is not used for a later CNY invoice ...
    c1.invoice("CNY2", "C1", "2026-02-05", "10", due="2026-03-07")
    assert c1.open()["CNY2"] == 1000
    # ... but is for a later USD invoice
    c1.invoice("USD1", "C1", "2026-02-06", "30", due="2026-03-08", currency="USD")
    assert c1.allocations(usd) == [("USD1", 3000, "2026-02-01")]
    # a CNY payment pays CNY invoices only, even with an older USD invoice open
    # (the rest of the USD credit, 70.00, goes to it when it is recorded)
    c1.invoice("USD0", "C1", "2025-12-01", "500", due="2025-12-31", currency="usd")
    assert c1.unapplied(usd) == 0
    cny = c1.payment("C1", "2026-02-10", "1000")
    assert [(n, a) for n, a, _ in c1.allocations(cny)] == [("CNY1", 10000), ("CNY2", 1000)]
    assert c1.unapplied(cny) == 100000 - 10000 - 1000
    assert c1.open() == {"CNY1": 0, "CNY2": 0, "USD0": 50000 - 7000, "USD1": 0}
    assert c1.credit("2026-02-10") == {("C1", "CNY"): 89000}


def test_payment_currency_is_taken_from_named_invoice(c1: Book) -> None:
    c1.invoice("U", "C1", "2026-01-01", "100", due="2026-01-31", currency="USD")
    c1.invoice("R", "C1", "2025-01-01", "100", due="2025-01-31")
    pid = c1.payment("C1", "2026-02-01", "100", invoice="U")
    assert c1.allocations(pid) == [("U", 10000, "2026-02-01")]
    assert c1.open() == {"R": 10000, "U": 0}


def test_credit_note_reduces_open_amount_like_a_payment(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("B", "C1", "2026-01-02", "100", due="2026-02-01")
    cn = c1.payment("C1", "2026-01-20", "30", invoice="B", kind="credit_note")
    assert c1.allocations(cn) == [("B", 3000, "2026-01-20")]
    assert c1.open() == {"A": 10000, "B": 7000}
    kinds = [r.kind for r in Q.payments(c1.conn, "C1", None, None, None)]
    assert kinds == ["credit_note"]
    assert list(Q.payments(c1.conn, "C1", "payment", None, None)) == []  # kept apart from cash


def test_write_off_reduces_open_amount(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("B", "C1", "2026-01-02", "100", due="2026-02-01")
    part = c1.write_off("B", "2026-06-30", "40")
    assert c1.allocations(part) == [("B", 4000, "2026-06-30")]
    rest = c1.write_off("B", "2026-07-31")  # the whole remaining open amount
    assert c1.allocations(rest) == [("B", 6000, "2026-07-31")]
    assert c1.open() == {"A": 10000, "B": 0}
    kinds = {r.kind for r in Q.payments(c1.conn, "C1", None, None, None)}
    assert kinds == {"write_off"}
    # as of a date between the two write-offs, only the first counts
    assert c1.open_as_of("2026-07-01") == {"A": 10000, "B": 6000}


@pytest.mark.parametrize(
    ("amount", "day", "match"),
    [
        ("100.01", "2026-06-30", "exceeds the open amount"),
        ("10", "2025-12-31", "before the invoice's issue date"),
    ],
)
def test_bad_write_offs_are_refused(c1: Book, amount: str, day: str, match: str) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    with pytest.raises(Conflict, match=match):
        c1.write_off("A", day, amount)
    assert c1.open() == {"A": 10000}
    assert c1.count("payment") == 0


def test_write_off_of_paid_invoice_is_refused(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.payment("C1", "2026-02-01", "100")
    with pytest.raises(Conflict, match="nothing open"):
        c1.write_off("A", "2026-03-01")


def test_imported_payments_allocate_in_date_order(c1: Book, tmp_path: Path) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("B", "C1", "2026-01-02", "100", due="2026-02-01")
    f = write_csv(
        tmp_path / "pay.csv",
        ["customer", "date", "amount", "reference"],
        [["C1", "2026-03-01", "100", "LATER"], ["C1", "2026-02-01", "150", "EARLIER"]],
    )
    assert c1.import_("payments", f).rows == 2
    rows = c1.execute(
        "SELECT p.reference, i.number, a.amount, a.date FROM allocation a"
        " JOIN payment p ON p.id = a.payment_id JOIN invoice i ON i.id = a.invoice_id"
        " ORDER BY a.id"
    ).fetchall()
    assert rows == [
        ("EARLIER", "A", 10000, "2026-02-01"),
        ("EARLIER", "B", 5000, "2026-02-01"),
        ("LATER", "B", 5000, "2026-03-01"),
    ]
    assert c1.execute("SELECT reference, unapplied FROM payment ORDER BY id").fetchall() == [
        ("LATER", 5000),
        ("EARLIER", 0),
    ]


def test_every_allocation_matches_payment_and_invoice(c1: Book) -> None:
    c1.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    c1.invoice("U", "C1", "2026-01-01", "70", due="2026-01-31", currency="USD")
    c1.payment("C1", "2026-02-01", "30")
    c1.payment("C1", "2026-02-02", "500", currency="USD")
    c1.payment("C1", "2026-02-03", "500")
    c1.invoice("B", "C1", "2026-03-01", "200", due="2026-03-31")
    c1.invoice("V", "C1", "2026-03-01", "20", due="2026-03-31", currency="USD")
    bad = c1.execute(
        "SELECT COUNT(*) FROM allocation a JOIN payment p ON p.id = a.payment_id"
        " JOIN invoice i ON i.id = a.invoice_id"
        " WHERE a.date != p.date OR i.currency != p.currency OR i.customer_id != p.customer_id"
    ).fetchone()[0]
    assert bad == 0
    assert c1.open() == {"A": 0, "B": 0, "U": 0, "V": 0}
    assert c1.execute(
        "SELECT currency, SUM(unapplied) FROM payment GROUP BY currency ORDER BY currency"
    ).fetchall() == [("CNY", 53000 - 30000), ("USD", 50000 - 9000)]
