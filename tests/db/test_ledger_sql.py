"""The ledger slice's statements (store.ledger, guards, queries, statement) hold no
SQLite-only SQL: every statement a ledger session runs compiles for PostgreSQL and SQLite,
and, when HUIKUAN_TEST_DATABASE_URL is set, replays on PostgreSQL with the same results."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from huikuan.core.errors import Conflict
from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.store import guards as G
from huikuan.store import ledger as L
from huikuan.store import queries as Q
from huikuan.store.db import open_ledger, sa_of
from huikuan.store.statement import statement

PG_URL = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
SQLITE_ONLY = ("julianday", "ifnull", "strftime", "printf", "group_concat", "sqlite_", "pragma")
AS_OF = date(2026, 11, 30)

Recorded = tuple[Any, Any]


def _customer(code: str) -> dict[str, Any]:
    return {"code": code, "name": f"客户 {code}", "segment": "A", "region": None,
            "salesperson": "王", "email": None, "phone": None, "language": "zh",
            "credit_limit": 1_000_000, "terms": "NET30"}  # fmt: skip


def _invoice(number: str, cid: int, issue: str, due: str, amount: int) -> dict[str, Any]:
    return {"number": number, "customer_id": cid, "issue_date": issue, "due_date": due,
            "amount": amount, "currency": "CNY", "terms": "NET30", "contract": None,
            "salesperson": "王", "description": None, "milestone": None}  # fmt: skip


def _payment(cid: int, day: str, amount: int, **kw: Any) -> dict[str, Any]:
    rec = {"customer_id": cid, "date": day, "amount": amount, "currency": "CNY",
           "invoice_id": None, "reference": None, "method": "bank"}  # fmt: skip
    return {**rec, **kw}


def _session(conn: Any) -> None:
    """Every function of the slice, once or more, on a small ledger."""
    L.insert_customers(conn, [_customer("C001"), _customer("C002")])
    c1, c2 = L.require_customer(conn, "C001").id, L.require_customer(conn, "C002").id
    L.insert_invoices(conn, [_invoice("INV-1", c1, "2026-08-01", "2026-08-31", 50_000)])
    L.insert_invoices(conn, [_invoice("INV-2", c1, "2026-10-01", "2026-10-31", 30_000)])
    L.insert_invoices(conn, [_invoice("INV-3", c2, "2026-11-01", "2026-12-01", 20_000)])
    L.audit(conn, "t", "add", "invoice", "INV-1", {"amount": 50_000})
    rec = _payment(c1, "2026-09-10", 60_000, reference="BANK-1")
    G.refuse_duplicate_reference(conn, rec)
    L.insert_payment(conn, rec)
    with pytest.raises(Conflict):
        G.refuse_duplicate_reference(conn, rec)
    inv2 = L.require_invoice(conn, "INV-2")
    note = _payment(c1, "2026-10-15", 5_000, invoice_id=inv2.id, reference="CN-1")
    G.refuse_credit_excess(conn, note)
    L.insert_payment(conn, note, "credit_note", "price")
    with pytest.raises(Conflict):
        G.refuse_credit_excess(conn, _payment(c2, "2026-11-02", 99_000))
    L.insert_payment(conn, _payment(c2, "2026-11-03", 25_000))  # 5,000 credit left over
    L.insert_invoices(conn, [_invoice("INV-4", c2, "2026-11-05", "2026-12-05", 8_000)])
    L.apply_credit(conn, c2, "CNY")
    L.apply_all_credit(conn)
    L.write_off(conn, L.require_invoice(conn, "INV-2").id, 1_000, "2026-11-20", "small")
    L.update_customer(conn, "t", "C002", {"credit_limit": 2_000_000, "legal": 1})
    L.set_blocked(conn, "t", "C002", True, "late")
    L.add_contact(conn, "t", "C001", {"name": "李", "role": "finance", "title": None,
                                      "phone": None, "email": None, "wechat": None, "note": None})  # fmt: skip
    L.set_disputed(conn, "t", "INV-3", True, "quality")
    assert L.customer_currencies(conn, c1) == ["CNY"]
    assert L.invoice_ref(conn, "nope") is None
    _reads(conn)


def _reads(conn: Any) -> None:
    list(Q.customers(conn))
    list(Q.customers(conn, segment="A", salesperson="王", blocked=True))
    Q.customer(conn, "C001")
    list(Q.contacts(conn))
    list(Q.contacts(conn, "C001"))
    Q.balances(conn, "C001", AS_OF)
    for status in ("all", "open", "overdue", "disputed"):
        list(Q.invoices(conn, None, status, AS_OF))
    list(Q.invoices(conn, "C001", "open", AS_OF))
    Q.invoice(conn, "INV-1")
    list(Q.payments(conn, None, None, None, None))
    list(Q.payments(conn, "C001", "payment", date(2026, 1, 1), AS_OF))
    for kind in ("customers", "invoices", "payments"):
        list(Q.export(conn, kind))
    Q.applied(conn, 1)
    statement(conn, "C001", AS_OF, None)
    statement(conn, "C001", AS_OF, date(2026, 10, 1))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[Recorded]:
    """The statements (with their parameters) of one session, in order."""
    led = open_ledger(tmp_path_factory.mktemp("sql") / "l.db", "t", create=True)
    seen: list[Recorded] = []

    def record(conn: Any, stmt: Any, multiparams: Any, params: Any, options: Any) -> None:
        seen.append((stmt, multiparams or params or None))

    with led.transaction() as conn:
        sa.event.listen(sa_of(conn), "before_execute", record)
        _session(conn)
    led.close()
    return seen


def test_the_session_runs_statements_only(recorded: list[Recorded]) -> None:
    assert len(recorded) > 40
    assert all(isinstance(stmt, sa.sql.ClauseElement) for stmt, _ in recorded)
    assert not any(isinstance(stmt, sa.TextClause) for stmt, _ in recorded)


@pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()], ids=["pg", "sqlite"])
def test_every_statement_compiles(recorded: list[Recorded], dialect: Any) -> None:
    for stmt, _ in recorded:
        sql = str(stmt.compile(dialect=dialect)).lower()
        if dialect.name == "postgresql":
            assert not [w for w in SQLITE_ONLY if w in sql], sql


def _replay(engine: sa.Engine, recorded: list[Recorded]) -> list[Any]:
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    out: list[Any] = []
    with engine.begin() as conn:
        for stmt, params in recorded:
            result = conn.execute(stmt, params)
            out.append(result.all() if result.returns_rows else [])
    SQLModel.metadata.drop_all(engine)
    return out


@pytest.fixture
def pg_engine() -> Iterator[sa.Engine]:
    if not PG_URL:
        pytest.skip("HUIKUAN_TEST_DATABASE_URL is not set")
    base = sa.make_url(PG_URL)
    own = base.set(database=f"{base.database}_ledger_sql")
    admin = make_engine(parse_ledger_url(PG_URL)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": own.database}
        ):
            conn.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    admin.dispose()
    engine = make_engine(parse_ledger_url(own.render_as_string(hide_password=False)))
    yield engine
    engine.dispose()


def test_postgresql_gives_the_same_results(
    recorded: list[Recorded], pg_engine: sa.Engine, tmp_path: Path
) -> None:
    on_sqlite = _replay(make_engine(parse_ledger_url(tmp_path / "r.db")), recorded)
    on_pg = _replay(pg_engine, recorded)
    for i, (a, b) in enumerate(zip(on_pg, on_sqlite, strict=True)):
        assert a == b, (i, recorded[i][0])
