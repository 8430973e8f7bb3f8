"""Looking after the ledger: the demo data, backup, doctor, copying to another database, and
the due date of payment terms (no ledger needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huikuan.core.calendar import WorkCalendar
    from huikuan.services.context import Context
    from huikuan.store.admin import Check


@dataclass(frozen=True, slots=True)
class CopyTotals:
    """One currency's aging totals, equal on both sides of a copy."""

    currency: str
    open: Decimal
    unapplied: Decimal


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What ``db copy`` did: the target (no password), rows per table, the checked totals."""

    target: str
    rows: dict[str, int]
    totals: list[CopyTotals]

    @property
    def total_rows(self) -> int:
        """All rows copied."""
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """The doctor's checks, in order; ``failed`` when any says ``fail``."""

    checks: list[Check]

    @property
    def failed(self) -> bool:
        """Whether a check failed (a warning is not a failure)."""
        return any(c.status == "fail" for c in self.checks)


def load_demo(ctx: Context, examples: Path | None = None) -> dict[str, int]:
    """Load the demo files (``examples/``, the shipped ones by default) into the ledger,
    all or nothing; refused when the ledger already holds data. Rows loaded per file."""
    from huikuan.resources import resource_dir
    from huikuan.store.admin import load_demo as load

    where = examples or resource_dir("examples")
    return load(ctx.ledger, where, ctx.config.currency, ctx.calendar)


def backup(ctx: Context, dest: Path, force: bool) -> int:
    """Copy the ledger into the owner-only SQLite file ``dest`` (replaced whole with
    ``force``); a PostgreSQL ledger is copied and checked as of ``ctx.as_of``. Bytes written."""
    from huikuan.store.admin import backup as run_backup

    return run_backup(ctx.ledger, dest, force, ctx.as_of)


def doctor(ctx: Context, full: bool = False) -> DoctorReport:
    """Check the ledger's integrity, invariants, files and the calendar data as of the day;
    ``full``: SQLite's complete integrity check (every index against its table, slower)."""
    from huikuan.store.admin import doctor as run_doctor

    return DoctorReport(run_doctor(ctx.ledger, ctx.as_of, ctx.calendar, full))


def copy_ledger(ctx: Context, to: str) -> CopyReport:
    """Copy the ledger into the empty ledger at ``to`` (a path or URL) and check rows per table
    and the aging totals as of ``ctx.as_of`` on both sides."""
    from huikuan.core.money import to_decimal
    from huikuan.store.copy import copy_to

    name, result = copy_to(ctx.ledger, to, ctx.user, ctx.as_of)
    totals = [
        CopyTotals(cur, to_decimal(opened), to_decimal(credit))
        for cur, (opened, credit) in result.totals.items()
    ]
    return CopyReport(name, dict(result.rows), totals)


def due_date(calendar: WorkCalendar, code: str, issue: date, delivery: date | None = None) -> date:
    """The due date of terms ``code`` for an invoice issued on ``issue`` (COD: delivered on
    ``delivery``), rolled to the calendar's next working day."""
    from huikuan.core.terms import due_date as due
    from huikuan.core.terms import parse_terms

    return due(parse_terms(code), issue, calendar, delivery)
