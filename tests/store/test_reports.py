"""reports.py / statement.py: aging as of a date (DESIGN §3, §5), exact numbers."""

from __future__ import annotations

from datetime import date

import pytest
from store_helpers import Book

from huikuan.core.aging import Buckets, summarize
from huikuan.core.rows import plain
from huikuan.store import reports as R
from huikuan.store.statement import statement

D = "2026-06-30"
NONE = [0] * 7


def _b(**cells: int) -> list[int]:
    """Default buckets from keyword cells: _b(current=1, d1_30=2, d91_180=3)."""
    names = ["current", "d1_30", "d31_60", "d61_90", "d91_180", "d181_365", "d365"]
    return [cells.get(n, 0) for n in names]


@pytest.fixture
def ledger(book: Book) -> Book:
    """C1: three invoices by D and one after; a payment before D and an overpayment after.
    C2: credit before D, partly used by an invoice issued after D."""
    b = book
    b.customer("C1", salesperson="张伟", segment="制造", region="华东")
    b.customer("C2", salesperson="李娜", segment="科技", region="华北")
    b.invoice("I1", "C1", "2026-01-01", "1000", due="2026-01-31")  # 150 days late at D
    b.invoice("I2", "C1", "2026-05-01", "500", due="2026-05-31", salesperson="王芳")  # 30 days
    b.invoice("I3", "C1", "2026-05-15", "300", due="2026-07-14")  # not yet due at D
    b.payment("C1", "2026-06-15", "200")  # -> I1
    b.payment("C2", "2026-06-01", "100")  # credit, no invoices yet
    # recorded later, dated after D
    b.invoice("I4", "C1", "2026-07-05", "700", due="2026-08-04")
    b.payment("C1", "2026-07-10", "2600")  # pays everything, 300 left over
    b.invoice("J1", "C2", "2026-07-20", "60", due="2026-08-19")  # takes 60 of C2's credit
    return b


def test_current_state(ledger: Book) -> None:
    assert ledger.open() == {"I1": 0, "I2": 0, "I3": 0, "I4": 0, "J1": 0}
    assert ledger.aging("2026-12-31") == {}
    assert ledger.credit("2026-12-31") == {("C1", "CNY"): 30000, ("C2", "CNY"): 4000}


def test_aging_as_of_past_date(ledger: Book) -> None:
    assert ledger.aging(D) == {("C1", "CNY"): _b(current=30000, d1_30=50000, d91_180=80000)}
    assert ledger.open_as_of(D) == {"I1": 80000, "I2": 50000, "I3": 30000}
    # credit as of D: C2's 100.00 (J1 did not exist yet), nothing for C1 (paid after D)
    assert ledger.credit(D) == {("C2", "CNY"): 10000}


def test_aging_before_the_first_payment(ledger: Book) -> None:
    assert ledger.aging("2026-06-10") == {
        ("C1", "CNY"): _b(current=30000, d1_30=50000, d91_180=100000)
    }
    assert ledger.credit("2026-06-10") == {("C2", "CNY"): 10000}
    assert ledger.credit("2026-05-31") == {}


def test_invoice_issued_after_as_of_is_not_counted(ledger: Book) -> None:
    assert "I4" not in ledger.open_as_of("2026-07-04")
    assert ledger.open_as_of("2026-07-05")["I4"] == 70000
    assert ledger.aging("2026-07-05") == {
        ("C1", "CNY"): _b(current=70000 + 30000, d31_60=50000, d91_180=80000)
    }


def test_between_payment_and_later_invoice(ledger: Book) -> None:
    # 2026-07-15: C1 fully paid with 300.00 credit; C2 still has all its credit (J1 on 07-20)
    assert ledger.aging("2026-07-15") == {}
    assert ledger.credit("2026-07-15") == {("C1", "CNY"): 30000, ("C2", "CNY"): 10000}
    assert ledger.credit("2026-07-20") == {("C1", "CNY"): 30000, ("C2", "CNY"): 4000}


def test_aging_invoices_detail_order_and_filters(ledger: Book) -> None:
    rows = list(R.aging_invoices(ledger.conn, date.fromisoformat(D), overdue_only=False))
    assert [(r[0], r[1], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("I1", "C1", "2026-01-01", "2026-01-31", 80000, "CNY"),
        ("I2", "C1", "2026-05-01", "2026-05-31", 50000, "CNY"),
        ("I3", "C1", "2026-05-15", "2026-07-14", 30000, "CNY"),
    ]
    overdue = R.aging_invoices(ledger.conn, date.fromisoformat(D), overdue_only=True)
    assert [r[0] for r in overdue] == ["I1", "I2"]
    assert list(R.aging_invoices(ledger.conn, date.fromisoformat(D), False, customer="C2")) == []


def test_overdue_only(ledger: Book) -> None:
    assert ledger.aging(D, overdue_only=True) == {("C1", "CNY"): _b(d1_30=50000, d91_180=80000)}


def test_group_by_salesperson_segment_region(ledger: Book) -> None:
    # the invoice's salesperson wins over the customer's
    assert ledger.aging(D, by="salesperson") == {
        ("张伟", "CNY"): _b(current=30000, d91_180=80000),
        ("王芳", "CNY"): _b(d1_30=50000),
    }
    assert ledger.aging(D, by="segment") == {
        ("制造", "CNY"): _b(current=30000, d1_30=50000, d91_180=80000)
    }
    assert ledger.credit(D, by="region") == {("华北", "CNY"): 10000}


def test_issue_basis_and_custom_buckets(ledger: Book) -> None:
    issue = Buckets(basis="issue")
    assert issue.labels[0] == "0-30"
    # days since issue at D: I1 180, I2 60, I3 46
    assert ledger.aging(D, issue) == {("C1", "CNY"): [0, 30000 + 50000, 0, 80000, 0, 0]}
    custom = Buckets((10, 100))
    assert custom.labels == ["current", "1-10", "11-100", "100+"]
    assert ledger.aging(D, custom) == {("C1", "CNY"): [30000, 0, 50000, 80000]}


def test_summarize_rows_and_totals(ledger: Book) -> None:
    b = Buckets()
    day = date.fromisoformat(D)
    rows, totals = summarize(
        R.aging_cells(ledger.conn, day, b, "customer", False),
        R.unapplied_as_of(ledger.conn, day, "customer"),
        len(b.labels),
    )
    assert [(r.key, r.total, r.unapplied) for r in rows] == [("C1", 160000, 0), ("C2", 0, 10000)]
    assert [(t.currency, t.total, t.unapplied) for t in totals] == [("CNY", 160000, 10000)]


@pytest.mark.parametrize(
    ("due", "bucket"),
    [
        ("2026-07-01", 0),  # not yet due
        ("2026-06-30", 0),  # due today: not late
        ("2026-06-29", 1),  # 1 day
        ("2026-05-31", 1),  # 30 days
        ("2026-05-30", 2),  # 31 days
        ("2026-05-01", 2),  # 60 days
        ("2026-04-30", 3),  # 61
        ("2026-04-01", 3),  # 90
        ("2026-03-31", 4),  # 91
        ("2026-01-01", 4),  # 180
        ("2025-12-31", 5),  # 181
        ("2025-06-30", 5),  # 365
        ("2025-06-29", 6),  # 366
    ],
)
def test_bucket_boundaries(book: Book, due: str, bucket: int) -> None:
    book.customer("C1")
    book.invoice("X", "C1", "2025-01-01", "12.34", due=due)
    expected = [0] * 7
    expected[bucket] = 1234
    assert book.aging(D) == {("C1", "CNY"): expected}


def test_currencies_are_separate_rows(book: Book) -> None:
    book.customer("C1")
    book.invoice("A", "C1", "2026-06-01", "100", due="2026-06-20")
    book.invoice("B", "C1", "2026-06-01", "7", due="2026-06-20", currency="USD")
    book.payment("C1", "2026-06-25", "50", currency="USD")
    assert book.aging(D) == {("C1", "CNY"): _b(d1_30=10000)}
    assert book.credit(D) == {("C1", "USD"): 4300}
    assert book.aging("2026-06-24") == {
        ("C1", "CNY"): _b(d1_30=10000),
        ("C1", "USD"): _b(d1_30=700),
    }


def test_credit_notes_and_write_offs_count_by_their_dates(book: Book) -> None:
    book.customer("C1")
    book.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    book.payment("C1", "2026-03-01", "10", invoice="A", kind="credit_note")
    book.write_off("A", "2026-09-30")
    assert book.aging("2026-02-28") == {("C1", "CNY"): _b(d1_30=10000)}
    assert book.aging(D) == {("C1", "CNY"): _b(d91_180=9000)}
    assert book.aging("2026-09-30") == {}


def test_statement_running_balance(book: Book) -> None:
    book.customer("C1")
    book.invoice("A", "C1", "2026-01-10", "100", due="2026-02-09")
    book.invoice("B", "C1", "2026-02-10", "50", due="2026-03-12")
    book.payment("C1", "2026-02-20", "120", reference="BANK1")
    book.payment("C1", "2026-03-01", "5", kind="credit_note")
    lines, summary = statement(book.conn, "C1", date(2026, 3, 31), None)
    assert [(x.date, x.type, x.debit, x.credit, x.balance) for x in lines] == [
        (date(2026, 1, 10), "invoice", 10000, 0, 10000),
        (date(2026, 2, 10), "invoice", 5000, 0, 15000),
        (date(2026, 2, 20), "payment", 0, 12000, 3000),
        (date(2026, 3, 1), "credit_note", 0, 500, 2500),
    ]
    assert [plain(x) for x in summary] == [
        {
            "currency": "CNY",
            "opening": "0.00",
            "invoiced": "150.00",
            "paid": "120.00",
            "credited": "5.00",
            "written_off": "0.00",
            "balance": "25.00",
        }
    ]
    lines, summary = statement(book.conn, "C1", date(2026, 3, 31), date(2026, 2, 15))
    assert [(x.type, x.balance) for x in lines] == [
        ("opening", 15000),
        ("payment", 3000),
        ("credit_note", 2500),
    ]
    assert (summary[0].opening, summary[0].balance) == (15000, 2500)
