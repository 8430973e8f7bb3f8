"""``import payments`` through its per-chunk look-ups and its engine's insert (executemany on
SQLite, COPY on PostgreSQL): the same errors and the same ledger on both engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pg_helpers
import pytest

pg_url = pg_helpers.pg_url  # the fixture: a new, empty PostgreSQL database

CUSTOMERS = "code,name,terms\nC1,甲公司,NET30\nC2,Beta,\n"
INVOICES = (
    "number,customer,issue_date,due_date,amount,currency\n"
    "N1,C1,2026-01-05,2026-02-04,1000,CNY\n"
    "N2,C1,2026-01-10,2026-02-09,500,CNY\n"
    "N3,C2,2026-01-10,2026-02-09,700,USD\n"
)
GOOD = (
    "customer,date,amount,invoice,currency,reference,method\n"
    "C1,2026-02-01,300,N2,,R1,bank\n"  # the named invoice first
    "C1,2026-02-02,900,,,R2,\n"  # oldest first: N1, then what is left of N2
    "C2,2026-02-03,800,,,R1,\n"  # same reference, another customer: fine; overpays N3
)
BAD = (
    "customer,date,amount,invoice,currency,reference,method\n"
    "C1,2026-02-01,300,N2,,R9,\n"  # 2 fine
    "C1,2026-02-05,10,,,R1,\n"  # 3 R1 is already C1's
    "C2,2026-02-05,10,N1,,,\n"  # 4 someone else's invoice
    "C1,2026-02-05,10,N9,,,\n"  # 5 unknown invoice
    "C1,2026-02-06,20,,,R9,\n"  # 6 R9 earlier in this file
    "C2,2026-02-06,20,N3,CNY,,\n"  # 7 not the invoice's currency
)


def _ledger(cli: Any, db: str, tmp_path: Path) -> None:
    cli("--db", db, "init")
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES), ("payments", GOOD)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        cli("--db", db, "import", kind, str(path))


def _check(cli: Any, db: str, tmp_path: Path) -> dict[str, Any]:
    _ledger(cli, db, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    before = cli("--db", db, "export", "payments", "--format", "csv").stdout
    errors = cli.error("--db", db, "import", "payments", str(bad))
    said = "is already recorded for this customer"
    assert [e.split(": ", 2)[1:] for e in errors] == [  # the rows' own problems, then repeats
        [f"{bad}:4", "invoice: invoice N1 belongs to another customer"],
        [f"{bad}:5", "invoice: unknown invoice 'N9'"],
        [f"{bad}:7", "currency: CNY differs from invoice N3's USD"],
        [f"{bad}:3", f"reference: a payment with reference 'R1' {said}"],
        [f"{bad}:6", f"reference: a payment with reference 'R9' {said}"],
    ]
    assert cli("--db", db, "export", "payments", "--format", "csv").stdout == before
    return {
        "aging": json.loads(
            cli("--db", db, "aging", "--as-of", "2026-03-01", "--format", "json").stdout
        ),
        "payments": cli("--db", db, "payment", "list", "--all", "--format", "csv").stdout,
    }


def test_the_same_errors_and_ledger_on_sqlite(cli: Any, tmp_path: Path) -> None:
    got = _check(cli, str(tmp_path / "a.db"), tmp_path)
    assert "R2" in got["payments"]
    rows = {(r["key"], r["currency"]): (r["total"], r["unapplied"]) for r in got["aging"]["rows"]}
    assert rows == {("C1", "CNY"): ("300.00", "0.00"), ("C2", "USD"): ("0.00", "100.00")}


@pg_helpers.needs_server
def test_the_same_errors_and_ledger_on_postgresql(
    cli: Any, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_pg = _check(cli, pg_url, tmp_path)
    (tmp_path / "f").mkdir()
    on_file = _check(cli, str(tmp_path / "f" / "a.db"), tmp_path / "f")
    assert on_pg == on_file
