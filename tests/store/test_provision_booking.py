"""store/provision.py: booked runs (one live run per date, replaced runs kept, audited) and
the litigation flag's history read from the audit log (m010)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import Book

from huikuan.core.errors import Conflict
from huikuan.core.provision import FlagChange, make_provision
from huikuan.store import ledger as L
from huikuan.store import provision as P
from huikuan.store.analytics import provision_rows
from huikuan.store.db import open_ledger, sa_of

D = date(2026, 6, 30)
POLICY = make_provision({"litigation_rate": "100%", "customers": {"K2": "30%"}})


@pytest.fixture
def ledger(book: Book) -> Book:
    book.customer("K1")
    book.customer("K2")
    book.invoice("Q1", "K1", "2026-01-10", "1000", due="2026-02-09")
    book.invoice("Q2", "K1", "2025-03-01", "2000", due="2025-03-31")
    book.invoice("Q3", "K2", "2026-02-01", "333.35", due="2026-03-03")
    book.invoice("Q4", "K2", "2026-02-01", "10", due="2026-03-03", currency="USD")
    return book


def _book(b: Book, day: date = D, again: bool = False, reason: str | None = None) -> int:
    with b.led.transaction() as conn:
        rows = provision_rows(conn, POLICY, day)
        return P.book(
            conn, "ann", (day, "2026-07-01T02:00:00+00:00"), POLICY, rows, (again, reason)
        )


def test_book_records_policy_lines_and_audit(ledger: Book) -> None:
    run = _book(ledger)
    got = ledger.execute(
        "SELECT as_of, booked_at, booked_by, policy, reason, replaces, superseded"
        " FROM provision_run"
    ).fetchall()
    policy = json.loads(got[0][3])
    assert got == [("2026-06-30", "2026-07-01T02:00:00+00:00", "ann", got[0][3], None, None, 0)]
    assert make_provision(policy) == POLICY
    lines = ledger.execute(
        "SELECT c.code, currency, band, open, rate, provision, rate_source FROM provision_line l"
        " JOIN customer c ON c.id = l.customer_id WHERE run_id = ? ORDER BY 1, 2, 3", (run,)
    ).fetchall()  # fmt: skip
    assert lines == [
        ("K1", "CNY", 0, 100000, "0.05", 5000, "matrix"),  # Q1: 171 days
        ("K1", "CNY", 1, 200000, "0.2", 40000, "matrix"),  # Q2: 486 days
        ("K2", "CNY", 0, 33335, "0.3", 10001, "individual"),  # 333.35 × 30% = 100.005 -> 100.01
        ("K2", "USD", 0, 1000, "0.3", 300, "individual"),
    ]
    (action, key, detail), = ledger.execute(
        "SELECT action, key, detail FROM audit WHERE entity = 'provision'"
    ).fetchall()  # fmt: skip
    assert (action, key) == ("book", "2026-06-30")
    assert json.loads(detail) == {"run": run, "replaces": None, "reason": None,
                                  "totals": {"CNY": 55001, "USD": 300}}  # fmt: skip


def test_run_rows_give_back_the_booked_figures(ledger: Book) -> None:
    run_id = _book(ledger)
    run = P.run_on_or_before(ledger.conn, D)
    assert run is not None and run.id == run_id and run.as_of == D and run.width == 4
    booked = {(r.key, r.currency): r for r in P.run_rows(ledger.conn, run)}
    computed = {(r.key, r.currency): r for r in provision_rows(ledger.conn, POLICY, D)}
    assert booked == computed


def test_one_live_run_per_date_and_a_replaced_run_is_kept(ledger: Book) -> None:
    first = _book(ledger)
    before = ledger.count("provision_line")
    with pytest.raises(
        Conflict, match=r"already booked \(run 1, at 2026-07-01T02:00:00\+00:00 by ann\)"
    ):
        _book(ledger)
    assert ledger.count("provision_run") == 1 and ledger.count("provision_line") == before
    ledger.payment("K1", "2026-06-15", "1000", invoice="Q1")  # recorded late, dated before D
    second = _book(ledger, again=True, reason="late payment")
    rows = ledger.execute(
        "SELECT id, reason, replaces, superseded FROM provision_run ORDER BY id"
    ).fetchall()
    assert rows == [(first, None, None, 1), (second, "late payment", first, 0)]
    live = P.live_run(ledger.conn, D)
    assert live is not None and live.id == second
    assert ledger.count("provision_line") == before + 3  # K1 1-2y only now, K2 CNY and USD


def test_the_run_on_or_before_a_day(ledger: Book) -> None:
    assert P.run_on_or_before(ledger.conn, D) is None
    _book(ledger, date(2026, 3, 31))
    _book(ledger, date(2026, 5, 31))
    _book(ledger, date(2026, 9, 30))
    found = P.run_on_or_before(ledger.conn, D)
    assert found is not None and found.as_of == date(2026, 5, 31)
    assert P.run_on_or_before(ledger.conn, date(2026, 3, 30)) is None


def test_legal_changes_from_the_audit_log(ledger: Book) -> None:
    with ledger.led.transaction() as conn:
        L.update_customer(conn, "ann", "K1", {"legal": 1})
        L.update_customer(conn, "ann", "K2", {"name": "乙"})  # not a flag change
        L.audit(conn, "old", "edit", "customer", "K2", {"new": {"legal": 1}})  # no old value
    ledger.execute("UPDATE audit SET at = '2026-09-01T04:00:00+00:00'")
    assert P.legal_changes(ledger.conn) == [
        FlagChange("K1", date(2026, 9, 1), False, True),
        FlagChange("K2", date(2026, 9, 1), None, True),
    ]
    assert P.legal_now(ledger.conn) == {"K1": True, "K2": False}


def test_the_migration_upgrades_a_ledger_without_runs(db_path: Path) -> None:
    led = open_ledger(db_path, "ann", create=True)
    try:
        tables = sa.inspect(sa_of(led.conn)).get_table_names()
        assert "provision_run" in tables and "provision_line" in tables
        assert P.run_on_or_before(led.conn, D) is None
    finally:
        led.close()
