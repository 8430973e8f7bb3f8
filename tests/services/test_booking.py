"""``services.booking`` without the CLI: what ``provision --since D`` compares with — the
run booked as of D, the last one before D, or D's figures rebuilt from the ledger."""

from __future__ import annotations

from datetime import date

import pytest
from store_helpers import Book

from huikuan.core.provision import make_provision
from huikuan.services.booking import earlier_figures
from huikuan.store import provision as P
from huikuan.store.analytics import provision_rows

D = date(2026, 6, 30)
POLICY = make_provision({"customers": {"K2": "30%"}})
AT = "2026-07-01T02:00:00+00:00"


@pytest.fixture
def ledger(book: Book) -> Book:
    book.customer("K1", segment="制造")
    book.customer("K2", segment="制造")
    book.invoice("Q1", "K1", "2026-01-10", "1000", due="2026-02-09")
    book.invoice("Q2", "K2", "2026-02-01", "200", due="2026-03-03")
    return book


def _book(b: Book, day: date) -> int:
    with b.led.transaction() as conn:
        return P.book(conn, "ann", (day, AT), POLICY, provision_rows(conn, POLICY, day))


def test_rebuilt_when_nothing_was_booked(ledger: Book) -> None:
    found = earlier_figures(ledger.conn, POLICY, D, "customer")
    assert found.run is None and found.since == D
    assert [(r.key, r.open, r.provision, r.source) for r in found.rows] == [
        ("K1", 100000, 5000, "matrix"),  # 5% within a year
        ("K2", 20000, 6000, "individual"),  # its own 30%
    ]
    assert found.document() == {"since": "2026-06-30", "since_source": "rebuilt",
                                 "compared_with": None}  # fmt: skip
    assert "rebuilt from the ledger" in found.notes[0]


def test_the_run_booked_that_day(ledger: Book) -> None:
    run = _book(ledger, D)
    ledger.invoice("Q3", "K1", "2026-03-01", "5000", due="2026-03-31")  # after the booking
    found = earlier_figures(ledger.conn, POLICY, D, "customer")
    assert found.run is not None and found.run.id == run
    assert [(r.key, r.open) for r in found.rows] == [("K1", 100000), ("K2", 20000)]
    assert found.document()["compared_with"] == {
        "run": run, "as_of": "2026-06-30", "booked_at": AT, "booked_by": "ann",
    }  # fmt: skip
    assert found.notes[0].startswith("Compared with the provision booked on")


def test_the_last_run_before_the_day_by_segment(ledger: Book) -> None:
    _book(ledger, date(2026, 3, 31))
    found = earlier_figures(ledger.conn, POLICY, D, "segment")
    assert found.run is not None and found.run.as_of == date(2026, 3, 31)
    assert [(r.key, r.open, r.provision) for r in found.rows] == [("制造", 120000, 11000)]
    assert found.notes[0].startswith(f"No provision booked as of {D}: compared with the last")
