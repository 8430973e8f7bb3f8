"""The reports slice's statements (aging, provision, analytics, doctor) compile for SQLite and
PostgreSQL and give the same answers on both (PostgreSQL when HUIKUAN_TEST_DATABASE_URL is set;
it runs in its own database, ``huikuan_reports``, created when missing)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from huikuan.core.aging import Buckets
from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.db.models import (
    Allocation,
    Audit,
    Customer,
    Invoice,
    Payment,
    ProvisionLine,
    ProvisionRun,
)
from huikuan.store import admin, analytics, provision, reports

PG_URL = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
ENGINES = ["sqlite"] + (["postgresql"] if PG_URL else [])
D = dt.date(2026, 11, 22)
BUCKETS = Buckets([30, 60, 90], "due")
BYS = ("customer", "salesperson", "segment", "region")
UTC = dt.UTC


def statements() -> Iterator[tuple[str, Any]]:
    """Every statement the slice builds, named."""
    for name, source in (("now", reports.current_source), ("past", reports.as_of_source)):
        for by in BYS:
            for overdue in (False, True):
                stmt = reports.cells_statement(source(), BUCKETS, by, overdue)
                yield f"cells {name} {by} {overdue}", stmt
                yield (
                    f"issue basis {name} {by}",
                    reports.cells_statement(source(), Buckets([30], "issue"), by, overdue),
                )
        for overdue in (False, True):
            for one in (False, True):
                yield f"invoices {name}", reports.invoices_statement(source(), overdue, one)
    for by in BYS:
        yield f"unapplied {by}", reports.unapplied_statement(by)
    yield "legal", analytics.legal_statement()
    yield "segments", analytics.segments_statement()
    yield "written off", analytics.written_off_statement(False)
    yield "written off since", analytics.written_off_statement(True)
    yield "run", provision.run_statement(False)
    yield "run before", provision.run_statement(True)
    yield "run rows", provision.run_rows_statement()
    yield "legal changes", provision.legal_changes_statement()
    yield from admin.invariants().items()


@pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()], ids=["pg", "sqlite"])
def test_every_statement_compiles(dialect: sa.Dialect) -> None:
    for name, stmt in statements():
        sql = str(stmt.compile(dialect=dialect))
        if dialect.name == "postgresql":
            assert "julianday" not in sql and "+p.date" not in sql, name


def test_sqlite_keeps_literal_zero_for_partial_indexes() -> None:
    sql = str(
        reports.cells_statement(reports.current_source(), BUCKETS, "customer", False).compile(
            dialect=sqlite.dialect()
        )
    )
    assert "invoice.open_amount > 0" in sql
    assert "+p.date <= ?" in str(
        reports.unapplied_statement("customer").compile(dialect=sqlite.dialect())
    )


def _pg_url() -> str:
    """The test server's URL with our own database (created when missing)."""
    url = sa.engine.make_url(parse_ledger_url(PG_URL or "").url or "")
    eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            if not conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = 'huikuan_reports'")
            ).first():
                conn.execute(sa.text("CREATE DATABASE huikuan_reports"))
    finally:
        eng.dispose()
    return url.set(database="huikuan_reports").render_as_string(hide_password=False)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        eng = make_engine(parse_ledger_url(tmp_path / "l.db"))
    else:
        eng = sa.create_engine(_pg_url())
    SQLModel.metadata.drop_all(eng)
    SQLModel.metadata.create_all(eng)
    with eng.begin() as conn:
        _fill(conn)
    yield eng
    SQLModel.metadata.drop_all(eng)
    eng.dispose()


def _t(model: type[SQLModel]) -> sa.Table:
    return reports.table_of(model)


def _fill(conn: sa.Connection) -> None:
    at = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    conn.execute(
        sa.insert(_t(Customer)),
        [
            {"id": 1, "code": "C1", "name": "明达", "segment": "A", "salesperson": "li",
             "legal": True, "created_at": at},
            {"id": 2, "code": "C2", "name": "华东", "segment": None, "salesperson": None,
             "legal": False, "created_at": at},
        ],
    )  # fmt: skip
    day = dt.date
    inv = [
        (1, "I1", 1, day(2026, 1, 1), day(2026, 2, 1), 1000, 400),
        (2, "I2", 2, day(2026, 10, 1), day(2026, 11, 30), 500, 0),
        (3, "I3", 1, day(2026, 12, 10), day(2027, 1, 10), 300, 100),
    ]
    keys = ("id", "number", "customer_id", "issue_date", "due_date", "amount", "open_amount")
    conn.execute(sa.insert(_t(Invoice)), [dict(zip(keys, r)) | {"currency": "CNY"} for r in inv])
    pay = [
        (1, "payment", 1, day(2026, 3, 1), 500, 0),
        (2, "payment", 1, day(2026, 12, 1), 100, 0),
        (3, "payment", 2, day(2026, 12, 5), 500, 0),
        (4, "payment", 1, day(2026, 11, 1), 250, 50),
        (5, "write_off", 2, day(2026, 6, 1), 10, 10),
    ]
    keys = ("id", "kind", "customer_id", "date", "amount", "unapplied")
    conn.execute(sa.insert(_t(Payment)), [dict(zip(keys, r)) | {"currency": "CNY"} for r in pay])
    alloc = [(1, 1, 500, day(2026, 3, 1)), (2, 1, 100, day(2026, 12, 1)),
             (3, 2, 500, day(2026, 12, 5)), (4, 3, 200, day(2026, 11, 1))]  # fmt: skip
    keys = ("payment_id", "invoice_id", "amount", "date")
    conn.execute(sa.insert(_t(Allocation)), [dict(zip(keys, r)) for r in alloc])
    runs = [(1, D, True), (2, D, False), (3, day(2026, 10, 31), False)]
    conn.execute(
        sa.insert(_t(ProvisionRun)),
        [{"id": i, "as_of": d, "superseded": s, "booked_at": at, "booked_by": "t",
          "policy": "{}", "replaces": None} for i, d, s in runs],
    )  # fmt: skip
    conn.execute(
        sa.insert(_t(ProvisionLine)),
        [{"run_id": 2, "customer_id": 1, "currency": "CNY", "band": 2, "open": 500,
          "rate": "0.1", "provision": 50, "rate_source": "matrix"}],
    )  # fmt: skip
    edits = ['{"new": {"legal": true}, "old": {"legal": false}}', '{"new": {"name": "x"}}']
    conn.execute(
        sa.insert(_t(Audit)),
        [{"at": at, "username": "t", "action": "edit", "entity": "customer", "key": "C1",
          "detail": e} for e in edits],
    )  # fmt: skip


def _cells(conn: sa.Connection, source: Any, by: str, day: dt.date) -> list[tuple[Any, ...]]:
    cuts = {f"b{n}": c for n, c in enumerate(BUCKETS.cutoffs(day))}
    stmt = reports.cells_statement(source, BUCKETS, by, False)
    return sorted(tuple(r) for r in conn.execute(stmt, {"d": day, **cuts}))


def test_aging_as_of_a_past_day_undoes_later_allocations(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        got = _cells(conn, reports.as_of_source(), "customer", D)
        by_sp = _cells(conn, reports.as_of_source(), "salesperson", D)
    assert got == [("C1", "明达", "CNY", 0, 0, 0, 0, 500), ("C2", "华东", "CNY", 500, 0, 0, 0, 0)]
    assert by_sp == [("", "", "CNY", 500, 0, 0, 0, 0), ("li", "li", "CNY", 0, 0, 0, 0, 500)]


def test_aging_now_and_detail(engine: sa.Engine) -> None:
    later = dt.date(2026, 12, 31)
    with engine.connect() as conn:
        got = _cells(conn, reports.current_source(), "segment", later)
        stmt = reports.invoices_statement(reports.as_of_source(), False, True)
        rows = [tuple(r) for r in conn.execute(stmt, {"d": D, "c": "C1"})]
    assert got == [("A", "A", "CNY", 100, 0, 0, 0, 400)]
    assert rows == [("I1", "C1", "明达", dt.date(2026, 1, 1), dt.date(2026, 2, 1), 500, "CNY")]


def test_unapplied_and_write_offs(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        credit = sorted(
            tuple(r) for r in conn.execute(reports.unapplied_statement("customer"), {"d": D})
        )
        offs = [tuple(r) for r in conn.execute(analytics.written_off_statement(False), {"e": D})]
        none = conn.execute(
            analytics.written_off_statement(True), {"e": D, "s": dt.date(2026, 7, 1)}
        ).all()
    assert credit == [("C1", "明达", "CNY", 250), ("C2", "华东", "CNY", 10)]
    assert offs == [("CNY", 10)] and none == []


def test_runs_flags_and_invariants(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        live = conn.execute(provision.run_statement(False), {"d": D}).one()
        before = conn.execute(provision.run_statement(True), {"d": dt.date(2026, 11, 21)}).one()
        lines = [tuple(r) for r in conn.execute(provision.run_rows_statement(), {"run": 2})]
        changes = conn.execute(provision.legal_changes_statement()).all()
        legal = dict(conn.execute(analytics.legal_statement()).all())
        bad = {k: conn.execute(s).scalar_one() for k, s in admin.invariants().items()}
    assert live[0] == 2 and before[0] == 3
    assert lines == [("C1", "明达", "CNY", 2, 500, 50, "matrix")]
    assert [(c[1], c[0].tzinfo is not None) for c in changes] == [("C1", True)]
    assert legal == {"C1": True, "C2": False}
    assert list(bad.values()) == [0, 0, 0, 1]
