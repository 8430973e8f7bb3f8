"""Store test helpers: a small ledger facade over the test's ledger, and file writers.

The facade goes through the same functions the CLI uses (``check_*`` then ``store.ledger``),
so allocation and reports are exercised on real rows. ``tests/store/conftest.py`` puts this
directory on ``sys.path`` (the suite runs with ``--import-mode=importlib``).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from ledger_sql import Rows, execute

from huikuan.core.aging import Buckets
from huikuan.core.calendar import WorkCalendar, make_calendar
from huikuan.core.money import parse_fen
from huikuan.core.records import Context, check_customer, check_invoice, check_payment
from huikuan.store import ledger as L
from huikuan.store import reports as R
from huikuan.store.db import Ledger, open_ledger, sa_of
from huikuan.store.importer import ImportOptions, ImportResult, import_file

NO_CAL = make_calendar("none")


def fen(text: str) -> int:
    """``"1,234.50"`` -> 123450 (test shorthand)."""
    return parse_fen(text)


class Book:
    """A ledger file plus the few operations the tests need."""

    def __init__(
        self,
        path: Path,
        *,
        calendar: WorkCalendar | None = None,
        currency: str = "CNY",
        user: str = "tester",
    ) -> None:
        self.path = path
        self.calendar = calendar or NO_CAL
        self.currency = currency
        self.led: Ledger = open_ledger(path, user, create=True)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.led.conn

    def close(self) -> None:
        self.led.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        """Raw SQL as written for SQLite (``?`` placeholders) on the ledger, on either engine,
        in the ledger's connection (and its transaction, if one is open)."""
        return execute(sa_of(self.conn), sql, params)

    # --- writes (one transaction each, like the CLI) ----------------------------------------

    def _ctx(self, conn: sqlite3.Connection) -> Context:
        return Context(
            self.currency,
            self.calendar,
            lambda c: L.customer_ref(conn, c),
            lambda n: L.invoice_ref(conn, n),
        )

    def customer(
        self, code: str, name: str | None = None, terms: str | None = None, **extra: str
    ) -> None:
        """Add a customer; ``extra`` takes segment, region, salesperson, … as text."""
        rec, problems = check_customer(
            {"code": code, "name": name or f"Customer {code}", "terms": terms, **extra}
        )
        assert not problems, problems
        with self.led.transaction() as conn:
            L.insert_customers(conn, [rec])

    def invoice(
        self,
        number: str,
        customer: str,
        issue: str,
        amount: str,
        *,
        due: str | None = None,
        terms: str | None = None,
        currency: str | None = None,
        salesperson: str | None = None,
    ) -> dict[str, Any]:
        """Add an invoice (NET30 unless ``due`` or ``terms`` is given) and apply credit."""
        row = {
            "salesperson": salesperson,
            "number": number,
            "customer": customer,
            "issue_date": issue,
            "amount": amount,
            "due_date": due,
            "terms": terms if (terms or due) else "NET30",
            "currency": currency,
        }
        with self.led.transaction() as conn:
            rec, problems = check_invoice(row, self._ctx(conn))
            assert not problems, problems
            L.insert_invoices(conn, [rec])
            L.apply_credit(conn, rec["customer_id"], rec["currency"])
        return rec

    def payment(
        self,
        customer: str,
        day: str,
        amount: str,
        *,
        invoice: str | None = None,
        currency: str | None = None,
        reference: str | None = None,
        kind: str = "payment",
    ) -> int:
        row = {
            "customer": customer,
            "date": day,
            "amount": amount,
            "invoice": invoice,
            "currency": currency,
            "reference": reference,
        }
        with self.led.transaction() as conn:
            rec, problems = check_payment(row, self._ctx(conn))
            assert not problems, problems
            return L.insert_payment(conn, rec, kind)

    def write_off(self, number: str, day: str, amount: str | None = None) -> int:
        with self.led.transaction() as conn:
            inv = L.require_invoice(conn, number)
            pid, _ = L.write_off(
                conn, inv.id, fen(amount) if amount else None, day, "uncollectable"
            )
            return pid

    def import_(self, kind: str, file: str | Path, **kw: Any) -> ImportResult:
        opts = ImportOptions(kind, str(file), self.currency, self.calendar, **kw)
        return import_file(self.led, opts)

    # --- reads ------------------------------------------------------------------------------

    def open(self) -> dict[str, int]:
        """Invoice number -> current open amount (分)."""
        return dict(self.execute("SELECT number, open_amount FROM invoice ORDER BY number"))

    def due(self, number: str) -> str:
        return self.execute("SELECT due_date FROM invoice WHERE number = ?", (number,)).fetchone()[
            0
        ]

    def allocations(self, pid: int) -> list[tuple[str, int, str]]:
        """(invoice number, 分, date) of one payment, in the order they were made."""
        return self.execute(
            "SELECT i.number, a.amount, a.date FROM allocation a JOIN invoice i ON i.id = a.invoice_id"
            " WHERE a.payment_id = ? ORDER BY a.id",
            (pid,),
        ).fetchall()

    def unapplied(self, pid: int) -> int:
        return self.execute("SELECT unapplied FROM payment WHERE id = ?", (pid,)).fetchone()[0]

    def count(self, table: str) -> int:
        return self.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def aging(
        self,
        as_of: str,
        buckets: Buckets | None = None,
        by: str = "customer",
        overdue_only: bool = False,
    ) -> dict[tuple[str, str], list[int]]:
        """(key, currency) -> open 分 per bucket, as of the date."""
        b = buckets or Buckets()
        out: dict[tuple[str, str], list[int]] = {}
        n = len(b.labels)
        for key, _name, cur, idx, amount in R.aging_cells(
            self.conn, date.fromisoformat(as_of), b, by, overdue_only
        ):
            out.setdefault((key, cur), [0] * n)[idx] += amount
        return out

    def credit(self, as_of: str, by: str = "customer") -> dict[tuple[str, str], int]:
        """(key, currency) -> unapplied credit 分 as of the date (zero rows dropped)."""
        return {
            (k, cur): amt
            for k, _n, cur, amt in R.unapplied_as_of(self.conn, date.fromisoformat(as_of), by)
            if amt
        }

    def open_as_of(self, as_of: str) -> dict[str, int]:
        """Invoice number -> open 分 as of the date (only invoices open then)."""
        return {
            row[0]: row[5]
            for row in R.aging_invoices(self.conn, date.fromisoformat(as_of), overdue_only=False)
        }


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_json(path: Path, records: list[dict[str, Any]], lines: bool = False) -> Path:
    if lines:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = json.dumps(records, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    return path
