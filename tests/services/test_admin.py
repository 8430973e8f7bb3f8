"""``services.admin`` without the CLI: the demo data, backup, doctor, copying the ledger
into a new file, and the due date of payment terms."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.calendar import make_calendar
from huikuan.core.errors import HuikuanError
from huikuan.services import admin
from huikuan.services.admin import CopyTotals, DoctorReport
from huikuan.services.context import Context
from huikuan.services.reports import AgingLine, AgingQuery, aging
from huikuan.store.admin import Check
from huikuan.store.db import open_ledger

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DAY = "2026-11-22"


@pytest.fixture
def small(book: Book) -> Book:
    """C1 owes 30.00 of two invoices; C2 has 40.00 of unapplied credit."""
    book.customer("C1", "上海宏达")
    book.customer("C2", "苏州小厂")
    book.invoice("A", "C1", "2026-01-01", "100", due="2026-01-31")
    book.invoice("B", "C1", "2026-01-02", "50", due="2026-02-01")
    book.payment("C1", "2026-02-10", "120", reference="R1")
    book.payment("C2", "2026-03-01", "40")
    return book


def _csv_rows(name: str) -> int:
    lines = (EXAMPLES / f"{name}.csv").read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines[1:] if line.strip())


def test_the_demo_loads_once(book: Book, make_ctx: MakeCtx) -> None:
    ctx = make_ctx(DAY)
    counts = admin.load_demo(ctx)  # the shipped examples
    names = ("customers", "invoices", "payments", "contacts", "disputes")
    assert counts == {n: _csv_rows(n) for n in names}
    assert aging(ctx, AgingQuery()).rows  # the demo owes something
    with pytest.raises(HuikuanError, match="already holds data"):
        admin.load_demo(ctx, EXAMPLES)


def test_backup_is_an_owner_only_ledger_with_the_same_aging(
    small: Book, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    dest = tmp_path / "backup.db"
    ctx = make_ctx(DAY)
    size = admin.backup(ctx, dest, force=False)
    assert size == dest.stat().st_size > 0
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert _aging_of(ctx, dest) == _aging_of(ctx, None) != ([], [])
    with pytest.raises(HuikuanError, match="exists"):
        admin.backup(ctx, dest, force=False)
    small.payment("C1", "2026-03-01", "30")
    assert admin.backup(ctx, dest, force=True) == dest.stat().st_size
    assert _aging_of(ctx, dest) == _aging_of(ctx, None)  # replaced by the newer state


def _aging_of(ctx: Context, other: Path | None) -> tuple[list[AgingLine], list[AgingLine]]:
    """The aging rows and totals of the context's ledger, or of the ledger file ``other``."""
    if other is None:
        report = aging(ctx, AgingQuery())
        return report.rows, report.totals
    led = open_ledger(other, "tester")
    try:
        return _aging_of(replace(ctx, ledger=led), None)
    finally:
        led.close()


def test_doctor_on_a_sound_ledger(small: Book, make_ctx: MakeCtx) -> None:
    report = admin.doctor(make_ctx("2031-05-01"))
    assert not report.failed
    status = {c.check: c.status for c in report.checks}
    assert status["schema"] == status["invoice open amounts"] == "ok"
    assert status["credit left beside open invoices"] == "ok"
    assert status["calendar 2031"] == status["calendar 2032"] == "ok"  # the context's day


def test_doctor_fails_when_one_check_fails() -> None:
    checks = [Check("a", "ok", ""), Check("b", "warn", "x")]
    assert not DoctorReport(checks).failed
    assert DoctorReport([*checks, Check("c", "fail", "y")]).failed


def test_copy_into_a_new_file_checks_rows_and_totals(
    small: Book, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    report = admin.copy_ledger(make_ctx(DAY), str(target))
    assert report.target == str(target)
    assert (report.rows["customer"], report.rows["invoice"], report.rows["payment"]) == (2, 2, 2)
    assert report.total_rows == sum(report.rows.values())
    assert report.totals == [CopyTotals("CNY", Decimal("30.00"), Decimal("40.00"))]
    with pytest.raises(HuikuanError, match="already holds data"):
        admin.copy_ledger(make_ctx(DAY), str(target))  # a target with data is refused


def test_due_dates_roll_to_the_next_working_day() -> None:
    issue = date(2026, 9, 1)
    assert admin.due_date(make_calendar("CN"), "NET30", issue) == date(2026, 10, 8)  # 国庆
    assert admin.due_date(make_calendar("none"), "账期30天", issue) == date(2026, 10, 1)
    cod = admin.due_date(make_calendar("none"), "货到付款", issue, date(2026, 9, 5))
    assert cod == date(2026, 9, 5)
    with pytest.raises(HuikuanError):
        admin.due_date(make_calendar("none"), "NET-1", issue)
