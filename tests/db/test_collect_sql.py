"""The statements of the collect slice (contact log, promises, limitation, to-do list, credit,
KPI and targets, late interest) hold no SQLite-only SQL.

Every store function of ``collections``, ``todo``, ``credit``, ``kpi`` and ``interest`` runs on
a SQLite ledger while a recording connection keeps each statement and the rows it gave; each
statement must compile for PostgreSQL and SQLite, and, when HUIKUAN_TEST_DATABASE_URL is set,
the same statements replayed in order on PostgreSQL must give the same rows.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from huikuan.core.aging import Buckets
from huikuan.core.calendar import WorkCalendar
from huikuan.core.credit import Assessment
from huikuan.core.creditpolicy import CreditInputs
from huikuan.core.interest import InterestPolicy
from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.db.models import (
    Allocation,
    Customer,
    DunningMessage,
    Invoice,
    Payment,
)
from huikuan.store import collections, credit, credit_assessments, interest, kpi, todo
from huikuan.store.db import open_ledger

PG_URL = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
MODULES = (collections, todo, credit, credit_assessments, kpi, interest)
NOW = "2026-11-22T10:00:00+00:00"
D = dt.date


class Recorder:
    """Stands in for ``sa_of(conn)``: runs each statement, keeps it with the rows it gave."""

    def __init__(self, db: sa.Connection) -> None:
        self.db = db
        self.log: list[tuple[Any, Any, list[Any] | None]] = []

    def execute(self, stmt: Any, params: Any = None, **kw: Any) -> Any:
        result = self.db.execute(stmt, params, **kw)
        if not result.returns_rows:
            self.log.append((stmt, params, None))
            return result
        frozen = result.freeze()
        self.log.append((stmt, params, frozen().all()))
        return frozen()


def _seed(rec: Recorder) -> None:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rec.execute(
        sa.insert(Customer).values(
            code="C001", name="上海明达", salesperson="王", segment="A", created_at=at
        )
    )
    rec.execute(sa.insert(Customer).values(code="C002", name="北京", created_at=at))
    rows = [
        ("I1", 1, D(2025, 9, 1), D(2025, 10, 1), 100_000, 40_000, "CT", "m1"),
        ("I2", 1, D(2025, 11, 1), D(2025, 12, 1), 50_000, 50_000, "CT", "m2"),
        ("I3", 2, D(2026, 2, 1), D(2026, 3, 1), 70_000, 0, None, None),
    ]
    for number, cid, issue, due, amount, left, contract, milestone in rows:
        rec.execute(
            sa.insert(Invoice).values(
                number=number, customer_id=cid, issue_date=issue, due_date=due, amount=amount,
                currency="CNY", open_amount=left, contract=contract, milestone=milestone,
                salesperson="李" if number == "I3" else None,
            )
        )  # fmt: skip
    for pid, cid, day, amount, iid in (
        (1, 1, D(2025, 12, 5), 60_000, 1),
        (2, 2, D(2026, 4, 1), 70_000, 3),
    ):
        rec.execute(sa.insert(Payment).values(id=pid, customer_id=cid, date=day, amount=amount,
                                              currency="CNY", unapplied=0))  # fmt: skip
        rec.execute(sa.insert(Allocation).values(payment_id=pid, invoice_id=iid, amount=amount,
                                                 date=day))  # fmt: skip
    rec.execute(
        sa.insert(DunningMessage).values(
            customer_id=1, run_date=D(2026, 5, 1), policy="default", level=2, level_name="call",
            channel="call", invoices='["I1", "I2"]', status="open", created_at=at, updated_at=at,
        )
    )  # fmt: skip


def _exercise(conn: Any) -> None:
    as_of = D(2026, 6, 30)
    collections.add_log(conn, "t", "C001", {"date": "2026-01-10", "channel": "phone",
                        "excuse": "no-money", "follow_up": "2026-01-20", "invoice": "I1"}, NOW)  # fmt: skip
    collections.add_log(conn, "t", "C001", {"date": "2026-02-01", "channel": "letter",
                        "evidence": "EMS123", "acknowledged": True}, NOW)  # fmt: skip
    collections.add_promise(conn, "t", "C001", {"amount": 30_000, "currency": "CNY",
                            "made_on": "2026-02-01", "promised_date": "2026-03-01"}, NOW)  # fmt: skip
    collections.add_promise(conn, "t", "C001", {"amount": 10_000, "made_on": "2026-02-01",
                            "promised_date": "2026-03-01", "invoice": "I2"}, NOW)  # fmt: skip
    list(collections.logs(conn, "C001", D(2026, 1, 1), as_of))
    list(collections.logs(conn, None, None, None))
    list(collections.promises(conn, as_of, "C001"))
    list(collections.limitation_rows(conn, as_of, WorkCalendar()))
    todo.contacts(conn, "C001")
    todo.tasks(conn, as_of, {"C001": "zh"})
    _credit(conn, as_of)
    periods = [
        ("2025-11", D(2025, 11, 1), D(2025, 11, 30)),
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
    ]
    for by in ("customer", "salesperson", "segment", "region", "all"):
        kpi.kpi_sums(conn, by, periods)
    kpi.salesperson_known(conn, "王")
    kpi.set_target(conn, "王", "2026-06", "CNY", 100, "t", NOW)
    kpi.set_target(conn, "王", "2026-06", "CNY", 200, "t", NOW)
    kpi.targets(conn)
    kpi.targets(conn, "2026-06")
    for paid in (False, True):
        list(interest.invoice_interest(conn, InterestPolicy(), as_of, None, include_paid=paid))
    list(interest.invoice_interest(conn, InterestPolicy(), as_of, "C001"))


def _credit(conn: Any, as_of: dt.date) -> None:
    credit.history(conn, 1, "CNY", as_of)
    a = Assessment("C001", D(2026, 6, 1), {"character": 80}, {"character": Decimal("1")}, 80,
                   "A", 500_000, "net 30", "CNY", ["ok"], [])  # fmt: skip
    credit_assessments.save(conn, "t", 1, a, CreditInputs({}), NOW)
    credit.standing(conn, "C001", as_of, "CNY")
    credit_assessments.apply(conn, "t", "C001", None, NOW)
    credit_assessments.latest(conn, 1)
    credit.terms(conn, 1)
    list(credit.customer_ids(conn))
    list(credit.risk_cells(conn, as_of, Buckets()))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, Any, list[Any] | None]]:
    led = open_ledger(tmp_path_factory.mktemp("collect") / "l.db", "t", create=True)
    patch = pytest.MonkeyPatch()
    try:
        with led.transaction() as conn:
            rec = Recorder(conn.sa)  # type: ignore[attr-defined]
            for module in MODULES:
                patch.setattr(module, "sa_of", lambda _c: rec)
            _seed(rec)
            _exercise(conn)
    finally:
        patch.undo()
        led.close()
    return rec.log


@pytest.mark.parametrize("dialect", [postgresql.dialect(), sqlite.dialect()], ids=["pg", "sqlite"])
def test_every_statement_compiles(recorded: list[Any], dialect: sa.Dialect) -> None:
    assert len(recorded) > 60
    for stmt, _, _ in recorded:
        text = str(stmt.compile(dialect=dialect)).lower()
        if dialect.name == "postgresql":
            for sqlite_only in ("julianday", "strftime", "ifnull", "group_concat", "insert or"):
                assert sqlite_only not in text, text


def test_the_statements_read_what_they_should(recorded: list[Any]) -> None:
    """Spot checks that the recording saw real answers (not empty results everywhere)."""
    answered = [rows for _, _, rows in recorded if rows]
    assert len(answered) > 30


def _plain(rows: list[Any]) -> list[tuple[Any, ...]]:
    def value(v: Any) -> Any:
        # same value and same Python type: money comes back as int on both engines
        return (type(v).__name__, round(v, 6) if isinstance(v, float) else v)

    return [tuple(value(v) for v in row) for row in rows]


@pytest.fixture
def pg() -> Iterator[sa.Engine]:
    if not PG_URL:
        pytest.skip("HUIKUAN_TEST_DATABASE_URL is not set")
    eng = make_engine(parse_ledger_url(PG_URL))
    SQLModel.metadata.drop_all(eng)
    SQLModel.metadata.create_all(eng)
    yield eng
    SQLModel.metadata.drop_all(eng)
    eng.dispose()


def test_postgresql_gives_the_same_rows(recorded: list[Any], pg: sa.Engine) -> None:
    with pg.begin() as db:
        for stmt, params, rows in recorded:
            result = db.execute(stmt, params)
            if rows is None:
                continue
            got, want = _plain(result.all()), _plain(rows)
            if not getattr(stmt, "_order_by_clauses", None):
                got, want = sorted(got, key=repr), sorted(want, key=repr)
            assert got == want, str(stmt.compile(dialect=db.dialect))
