"""admin.py: backup, doctor, the demo ledger."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from store_helpers import Book

from huikuan.core.calendar import make_calendar
from huikuan.core.errors import HuikuanError, ImportFailed
from huikuan.store.admin import Check, backup, doctor, load_demo
from huikuan.store.db import open_ledger

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TABLES = ("customer", "contact", "invoice", "payment", "allocation")
TODAY = date(2026, 11, 22)


def _csv_rows(name: str) -> int:
    lines = (EXAMPLES / f"{name}.csv").read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines[1:] if line.strip())


def _dump(db: sqlite3.Connection | Book) -> dict[str, list[tuple[object, ...]]]:
    """The rows of :data:`TABLES` (a copy's, or the ledger's on either engine)."""
    return {t: list(db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()) for t in TABLES}


@pytest.fixture
def small(book: Book) -> Book:
    book.customer("C1", "上海宏达")
    book.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    book.invoice("B", "C1", "2026-01-02", "50", due="2026-02-01")
    book.payment("C1", "2026-02-10", "120", reference="R1")
    return book


def _status(checks: list[Check], name: str) -> str:
    return next(c.status for c in checks if c.check == name)


# --- backup ----------------------------------------------------------------------------------


def test_backup_is_a_readable_copy_with_the_same_rows(small: Book, tmp_path: Path) -> None:
    dest = tmp_path / "backups" / "copy.db"
    dest.parent.mkdir()
    size = backup(small.led, dest, force=False)
    assert size == dest.stat().st_size > 0
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert _dump(copy) == _dump(small)
        assert copy.execute("SELECT name FROM customer").fetchone() == ("上海宏达",)
    finally:
        copy.close()
    # and it opens as a ledger
    led = open_ledger(dest, "tester")
    try:
        assert led.conn.execute("SELECT SUM(open_amount) FROM invoice").fetchone() == (3000,)
    finally:
        led.close()


def test_backup_sees_committed_changes_only(small: Book, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), small.led.transaction():
        small.execute("DELETE FROM allocation")
        raise RuntimeError("rolled back")
    dest = tmp_path / "copy.db"
    backup(small.led, dest, force=False)
    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("SELECT COUNT(*) FROM allocation").fetchone()[0] == 2
    finally:
        copy.close()


def test_backup_refuses_to_overwrite_or_copy_onto_itself(small: Book, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    dest.write_text("precious")
    with pytest.raises(HuikuanError, match="exists"):
        backup(small.led, dest, force=False)
    assert dest.read_text() == "precious"
    backup(small.led, dest, force=True)
    copy = sqlite3.connect(dest)
    try:
        assert copy.execute("SELECT COUNT(*) FROM invoice").fetchone()[0] == 2
    finally:
        copy.close()


@pytest.mark.sqlite_only("a backup onto the ledger file itself")
def test_backup_refuses_to_copy_onto_the_ledger_itself(small: Book) -> None:
    with pytest.raises(HuikuanError, match="must not be the ledger itself"):
        backup(small.led, small.path, force=True)
    assert small.count("invoice") == 2


def test_backup_to_unwritable_place(small: Book, tmp_path: Path) -> None:
    with pytest.raises(HuikuanError, match="cannot write"):
        backup(small.led, tmp_path / "no" / "such" / "dir" / "copy.db", force=False)


# --- doctor ----------------------------------------------------------------------------------


def test_doctor_ok_on_a_good_ledger(small: Book) -> None:
    checks = doctor(small.led, TODAY, make_calendar("none"))
    assert {c.status for c in checks} == {"ok"}, [c for c in checks if c.status != "ok"]
    names = {c.check for c in checks}
    assert {"schema", "invoice open amounts"} <= names
    sqlite_checks = {"sqlite integrity", "foreign keys"}  # PostgreSQL enforces both itself
    assert (sqlite_checks <= names) == (small.led.dialect == "sqlite")


@pytest.mark.parametrize(
    ("sql", "broken"),
    [
        (
            "UPDATE invoice SET open_amount = open_amount + 1 WHERE number = 'B'",
            "invoice open amounts",
        ),
        ("UPDATE payment SET unapplied = 1", "payment unapplied amounts"),
        ("UPDATE invoice SET currency = 'USD' WHERE number = 'A'", "allocation currencies"),
        ("UPDATE alembic_version SET version_num = '0000'", "schema"),
    ],
)
def test_doctor_fails_when_an_invariant_is_broken(small: Book, sql: str, broken: str) -> None:
    small.execute(sql)
    checks = doctor(small.led, TODAY, make_calendar("none"))
    assert _status(checks, broken) == "fail"


def test_doctor_finds_credit_left_beside_open_invoices(small: Book) -> None:
    small.payment("C1", "2026-03-01", "40")  # pays B's 30.00; 10.00 credit, nothing open
    # an invoice slipped in by raw SQL, without applying the credit
    small.execute(
        "INSERT INTO invoice (number, customer_id, issue_date, due_date, amount, currency,"
        " open_amount) VALUES ('Z', 1, '2026-03-02', '2026-04-01', 500, 'CNY', 500)"
    )
    checks = doctor(small.led, TODAY, make_calendar("none"))
    assert _status(checks, "credit left beside open invoices") == "fail"
    assert _status(checks, "invoice open amounts") == "ok"


@pytest.mark.sqlite_only("the ledger file's mode")
def test_doctor_fails_on_loose_permissions_warns_on_missing_calendar_year(small: Book) -> None:
    small.path.chmod(0o644)
    cal = make_calendar("CN")
    last = cal.data_years.stop - 1
    checks = doctor(small.led, date(last, 6, 1), cal)
    assert _status(checks, "file permissions") == "fail"
    assert _status(checks, f"calendar {last}") == "ok"
    assert _status(checks, f"calendar {last + 1}") == "warn"


# --- the demo --------------------------------------------------------------------------------


def test_load_demo(book: Book) -> None:
    counts = load_demo(book.led, EXAMPLES, "CNY", make_calendar("CN"))
    assert counts == {
        "customers": _csv_rows("customers"),
        "invoices": _csv_rows("invoices"),
        "payments": _csv_rows("payments"),
        "contacts": _csv_rows("contacts"),
        "disputes": _csv_rows("disputes"),
    }
    assert book.count("customer") == counts["customers"] > 0
    assert book.count("invoice") == counts["invoices"] > 0
    assert book.execute("SELECT COUNT(*) FROM invoice WHERE disputed = TRUE").fetchone()[0] == 1
    checks = doctor(book.led, TODAY, make_calendar("none"))
    assert {c.status for c in checks} == {"ok"}, [c for c in checks if c.status != "ok"]


def test_load_demo_refuses_a_ledger_with_data(small: Book) -> None:
    before = _dump(small)
    with pytest.raises(HuikuanError, match="already holds data"):
        load_demo(small.led, EXAMPLES, "CNY", make_calendar("CN"))
    assert _dump(small) == before


def test_failed_demo_writes_nothing(book: Book, tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES, examples)
    with (examples / "payments.csv").open("a", encoding="utf-8") as fh:
        fh.write("C001,2026-02-30,100.00,,,,bank\n")
    with pytest.raises(ImportFailed):
        load_demo(book.led, examples, "CNY", make_calendar("CN"))
    assert {t: book.count(t) for t in TABLES} == dict.fromkeys(TABLES, 0)
    # so the demo can be loaded once the data is fixed
    assert load_demo(book.led, EXAMPLES, "CNY", make_calendar("CN"))["customers"] > 0
