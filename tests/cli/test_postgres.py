"""A ledger on PostgreSQL, end to end: the same answers as a SQLite ledger, all-or-nothing
imports and clear errors (several processes at once: test_concurrency.py, on both engines).

The tests that need a server run when ``HUIKUAN_TEST_DATABASE_URL`` names one (a database
the test user may connect to and create databases from); each makes and drops its own
database. Without it they are skipped; the URL checks below need no server.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pg_helpers
import pytest
import sqlalchemy as sa
from pg_helpers import needs_server

pg_url = pg_helpers.pg_url  # the fixture: a new, empty PostgreSQL database
AS_OF = "2026-11-22"


def _query(url: str, sql: str) -> list[Any]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql(sql).all())
    finally:
        engine.dispose()


REPORTS = [
    ["aging", "--as-of", AS_OF, "--format", "json"],
    ["aging", "--as-of", AS_OF, "--by", "salesperson", "--format", "json"],
    ["statement", "C003", "--as-of", AS_OF, "--format", "json"],
    ["credit", "list", "--as-of", AS_OF, "--format", "json"],
    ["kpi", "--format", "json"],
    ["provision", "--as-of", AS_OF, "--format", "json"],
    ["interest", "--as-of", AS_OF, "--format", "json"],
    ["limitation", "--as-of", AS_OF, "--format", "json"],
    ["remind", "plan", "--as-of", AS_OF, "--format", "json"],
    ["export", "invoices"],
    ["export", "payments"],
    ["export", "customers"],
]


@needs_server
def test_demo_answers_as_on_sqlite(
    cli: Any, pg_url: str, tmp_path: Path, company: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lite = str(tmp_path / "lite.db")
    for db in (lite, pg_url):
        cli("--db", db, "init", "--demo")
    for args in REPORTS:
        assert cli("--db", pg_url, *args).stdout == cli("--db", lite, *args).stdout, args
    runs = {}
    for db, box in ((lite, "box-lite"), (pg_url, "box-pg")):
        monkeypatch.setenv("HUIKUAN_OUTBOX", str(tmp_path / box))
        runs[db] = json.loads(
            cli("--db", db, "remind", "run", "--as-of", AS_OF, "-f", "json").stdout
        )
    assert runs[pg_url] == runs[lite]
    assert sorted(p.name for p in (tmp_path / "box-pg").iterdir()) == sorted(
        p.name for p in (tmp_path / "box-lite").iterdir()
    )
    for args in (["remind", "plan", "--as-of", AS_OF, "--format", "json"], ["export", "invoices"]):
        assert cli("--db", pg_url, *args).stdout == cli("--db", lite, *args).stdout, args


@needs_server
def test_doctor_checks_invariants_and_schema(cli: Any, pg_url: str) -> None:
    cli("--db", pg_url, "init", "--demo")
    checks = json.loads(cli("--db", pg_url, "doctor", "--format", "json").stdout)
    names = [c["check"] for c in checks]
    assert names[:6] == [
        "postgresql",
        "schema",
        "invoice open amounts",
        "payment unapplied amounts",
        "allocation currencies",
        "credit left beside open invoices",
    ]
    assert all(c["status"] == "ok" for c in checks[:6])
    assert "foreign keys enforced by the server" in checks[0]["detail"]


@needs_server
def test_demo_twice_and_missing_ledger_are_refused(cli: Any, pg_url: str) -> None:
    assert cli.error("--db", pg_url, "aging") == [
        f"Error: no ledger in {pg_url} (run `huikuan init`, or point --db / HUIKUAN_DB at yours)"
    ]
    cli("--db", pg_url, "init", "--demo")
    cli("--db", pg_url, "init")  # an existing ledger: brought up to date, kept
    assert cli.error("--db", pg_url, "init", "--demo") == [
        f"Error: {pg_url} already holds data; the demo only loads into an empty ledger"
    ]
    assert len(_query(pg_url, "SELECT id FROM customer")) == 12


@needs_server
def test_a_bad_import_writes_nothing(cli: Any, pg_url: str, tmp_path: Path) -> None:
    cli("--db", pg_url, "init")
    customers = tmp_path / "customers.csv"
    customers.write_text("code,name\nC1,One\nC2,Two\nC1,Again\n", "utf-8")
    errors = cli.error("--db", pg_url, "import", "customers", str(customers))
    assert errors == [f"Error: {customers}:4: code: duplicate 'C1' (earlier in this file)"]
    assert _query(pg_url, "SELECT COUNT(*) FROM customer") == [(0,)]
    customers.write_text("code,name\nC1,One\nC2,Two\n", "utf-8")
    cli("--db", pg_url, "import", "customers", str(customers))
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "number,customer,issue_date,due_date,amount\n"
        "I-1,C1,2026-01-05,2026-02-05,100\nI-2,C9,2026-01-06,2026-02-06,50\n",
        "utf-8",
    )
    assert cli.error("--db", pg_url, "import", "invoices", str(invoices)) == [
        f"Error: {invoices}:3: customer: unknown customer 'C9'"
    ]
    customers.write_text("code,name\nC3,Three\nC1,Again\n", "utf-8")
    assert cli.error("--db", pg_url, "import", "customers", str(customers)) == [
        f"Error: {customers}:3: code: duplicate 'C1' (already in the ledger)"
    ]
    assert _query(pg_url, "SELECT code FROM customer ORDER BY code") == [("C1",), ("C2",)]
    assert _query(pg_url, "SELECT COUNT(*) FROM invoice") == [(0,)]


# Several processes at once (three `remind run`, two `payment add`, aging during an import)
# are in test_concurrency.py: they run on both engines, on the PostgreSQL pass here.


def test_a_password_in_the_url_is_refused(cli: Any) -> None:
    errors = cli.error("--db", "postgresql://u:secret@db.invalid/ledger", "aging")
    assert errors == [
        "Error: --db: a password in the URL is refused (it would end up in shell history and "
        "cron files); use PGPASSWORD or ~/.pgpass"
    ]
    assert "secret" not in " ".join(errors)


def test_missing_driver_names_the_extra(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    assert cli.error("--db", "postgresql://me@db.invalid/ledger", "aging") == [
        "Error: a PostgreSQL ledger needs the postgres extra: pip install 'huikuan[postgres]'"
    ]


def test_config_names_the_ledger_when_no_db_is_given(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUIKUAN_DB")
    config = tmp_path / "huikuan.toml"
    config.write_text(f'[database]\nurl = "{tmp_path / "from-config.db"}"\n', "utf-8")
    monkeypatch.setenv("HUIKUAN_CONFIG", str(config))
    cli("init")
    assert (tmp_path / "from-config.db").exists()
    cli("--db", str(tmp_path / "given.db"), "init")  # --db comes first
    assert (tmp_path / "given.db").exists()


@needs_server
def test_config_url_opens_the_postgresql_ledger(
    cli: Any, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUIKUAN_DB")
    config = tmp_path / "huikuan.toml"
    config.write_text(f'[database]\nurl = "{pg_url}"\n', "utf-8")
    monkeypatch.setenv("HUIKUAN_CONFIG", str(config))
    cli("init", "--demo")
    assert _query(pg_url, "SELECT COUNT(*) FROM customer") == [(12,)]


@needs_server
def test_duplicate_invoices_are_named_and_nothing_written(
    cli: Any, pg_url: str, tmp_path: Path
) -> None:
    cli("--db", pg_url, "init")
    customers = tmp_path / "customers.csv"
    customers.write_text("code,name,terms\nC1,One,NET30\n", "utf-8")
    cli("--db", pg_url, "import", "customers", str(customers))
    invoices = tmp_path / "invoices.csv"
    head = "number,customer,issue_date,amount,contract\n"
    invoices.write_text(head + "I-1,C1,2026-01-05,100,\nI-2,C1,2026-01-06,50,HT-9\n", "utf-8")
    cli("--db", pg_url, "import", "invoices", str(invoices))
    rows = "I-3,C1,2026-02-01,70,\nI-3,C1,2026-02-02,80,\nI-2,C1,2026-02-03,90,\n"
    invoices.write_text(head + rows, "utf-8")
    assert cli.error("--db", pg_url, "import", "invoices", str(invoices)) == [
        f"Error: {invoices}:3: number: duplicate 'I-3' (earlier in this file)",
        f"Error: {invoices}:4: number: duplicate 'I-2' (already in the ledger)",
    ]
    assert _query(
        pg_url, "SELECT number, due_date, amount, open_amount, contract FROM invoice ORDER BY id"
    ) == [
        ("I-1", date(2026, 2, 4), 10000, 10000, None),
        ("I-2", date(2026, 2, 5), 5000, 5000, "HT-9"),
    ]
