"""The dunning slice's statements (store/dunning.py, dunning_messages.py, delivery.py, letters.py)
on both engines.

Every statement the functions run is recorded and compiled for SQLite and PostgreSQL, so
SQLite-only SQL cannot creep back; the functions run on a real SQLite file, and on
PostgreSQL when HUIKUAN_TEST_DATABASE_URL is set (in a schema of their own).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from huikuan.core.dunning import DunningConfig, Plan, Step
from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.db.models import ContactLog, Customer, Invoice, Letter
from huikuan.store import delivery as D
from huikuan.store import dunning as S
from huikuan.store import dunning_messages as SM
from huikuan.store import letters as L

PG_URL = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
ENGINES = ["sqlite"] + (["postgresql"] if PG_URL else [])
NOW = "2026-11-22T10:00:00+00:00"
DAY = dt.date(2026, 11, 22)
SQLITE_ONLY = ("julianday", "strftime", "ifnull", "printf", "group_concat", "sqlite_master")


class Recording:
    """A SQLAlchemy connection that keeps every statement it runs."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn, self.statements = conn, list[Any]()

    def execute(self, stmt: Any, params: Any = None) -> Any:
        self.statements.append(stmt)
        return self.conn.execute(stmt, params)


@pytest.fixture(params=ENGINES)
def db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Recording]:
    """A connection to fresh model tables (SQLite file, or a PostgreSQL schema of its own),
    which the slice's modules use in place of the ledger's."""
    where = parse_ledger_url(tmp_path / "l.db" if request.param == "sqlite" else PG_URL or "")
    engine = make_engine(where)
    schema = f"dunning_{uuid.uuid4().hex[:8]}" if request.param == "postgresql" else None
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(sa.schema.CreateSchema(schema))
                conn = conn.execution_options(schema_translate_map={None: schema})
            SQLModel.metadata.create_all(conn)
            rec = Recording(conn)
            for module in (S, SM, D, L):
                monkeypatch.setattr(module, "sa_of", lambda _conn: rec)
            _seed(conn)
            yield rec
            if schema:
                conn.execute(sa.schema.DropSchema(schema, cascade=True))
    finally:
        engine.dispose()


def _seed(conn: sa.Connection) -> None:
    conn.execute(
        sa.insert(Customer),
        [
            {"code": "C001", "name": "甲公司", "email": "a@example.com", "created_at": NOW},
            {"code": "C002", "name": "乙公司", "email": None, "created_at": NOW},
        ],
    )
    invoices = [
        ("INV-1", 1, dt.date(2026, 8, 1), dt.date(2026, 9, 1), 100_00, 100_00),
        ("INV-2", 1, dt.date(2026, 9, 1), dt.date(2026, 12, 1), 50_00, 20_00),
        ("INV-3", 2, dt.date(2026, 7, 1), dt.date(2026, 8, 1), 70_00, 70_00),
    ]
    conn.execute(
        sa.insert(Invoice),
        [
            {"number": n, "customer_id": c, "issue_date": i, "due_date": d, "amount": a,
             "open_amount": o, "currency": "CNY"}
            for n, c, i, d, a, o in invoices
        ],
    )  # fmt: skip
    conn.execute(
        sa.insert(ContactLog),
        [
            {"customer_id": 1, "date": dt.date(2026, 10, 1), "channel": "phone", "reference": None,
             "username": "u", "created_at": NOW},
            {"customer_id": 1, "date": dt.date(2026, 11, 1), "channel": "letter",
             "reference": "HK-2026-000001", "username": "u", "created_at": NOW},
        ],
    )  # fmt: skip


def _config() -> DunningConfig:
    return DunningConfig()


def test_statements_run_and_compile_on_both_engines(
    db: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huikuan.store.collections as collections

    monkeypatch.setattr(collections, "promises", lambda conn, as_of: [])
    conn: Any = object()  # the modules reach the database only through sa_of (patched)
    cfg = _config()
    policy, level = "standard", 1  # "overdue": a call (task) and an email (pending)

    found = S.debtors(conn, cfg, DAY)
    assert [d.code for d in found] == ["C001", "C002"]
    assert found[0].invoices[0].due == dt.date(2026, 9, 1)

    plans = [Plan("C001", policy, level, [Step("INV-1", level, [0])])]
    ids = S.record(conn, plans, cfg, DAY, NOW)
    assert ids and S.debtors(conn, cfg, DAY)[0].invoices[0].done == frozenset({0, level})
    assert S.debtors(conn, cfg, DAY)[0].last_message == DAY
    due = S.limitation_due(conn, [{"customer": "C002", "invoice": "INV-3", "days_left": 50}])
    ids += S.limitation_tasks(conn, due, DAY, NOW)
    rows = S.messages(conn, S.by_id(ids))
    assert {r["id"] for r in rows} == set(ids)
    assert rows[0]["run_date"] == DAY.isoformat() and rows[0]["invoices"] == ["INV-1"]
    assert rows[0]["updated_at"] == NOW

    pending = [m for m in D.to_deliver(conn, ids, NOW) if m["status"] == "pending"]
    assert pending
    first, now = pending[0], dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    assert D.claim(conn, first, now) is True
    assert D.claim(conn, first, now) is False  # taken: the second claimant loses
    taken = S.messages(conn, S.M.id == first["id"])[0]
    assert taken["claimed_at"] == now and taken["attempts"] == 1
    assert D.claim(conn, {**taken, "claimed_pid": -1}, now) is False  # claim changed
    assert D.claim(conn, taken, now) is True  # left by a run that is gone: taken over
    assert [m["state"] for m in D.waiting(conn, NOW) if m["id"] == first["id"]] == ["sending"]
    S.finish(conn, first["id"], False, "smtp down", NOW)
    assert [m["id"] for m in S.retries(conn)] == [first["id"]]
    S.drop(conn, first["id"], "paid", NOW)
    S.set_reference(conn, first["id"], "HK-2026-000001")

    assert S.still_owed(conn, ["INV-1", "INV-2"], DAY, overdue=False) == ["INV-1", "INV-2"]
    assert S.still_owed(conn, ["INV-1", "INV-2"], DAY, overdue=True) == ["INV-1"]
    assert S.still_owed(conn, [], DAY, overdue=True) == []
    facts = S.open_invoices_of(conn, ["INV-1"], DAY)
    assert facts[0]["due_date"] == "2026-09-01" and facts[0]["days_overdue"] == 82
    assert S.people(conn)["C001"] == (None, "甲公司", "zh")

    D.address_task(conn, {"customer": "C002", "invoices": ["INV-3"]}, DAY, NOW)
    D.address_task(conn, {"customer": "C002", "invoices": ["INV-3"]}, DAY, NOW)  # once
    D.close_address_tasks(conn, "C002", "HK-2026-000002", NOW)

    assert L.email_recipient.__module__ == L.__name__
    prior = L.prior_contacts(conn, "C001", DAY, "HK-2026-000001")
    assert [p.channel for p in prior] == ["phone"]
    assert [p.date for p in L.prior_contacts(conn, "C001", DAY)] == [
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 1),
    ]
    assert L._last_number(conn, "HK-2026-") == 0
    db.conn.execute(
        sa.insert(Letter),
        [
            {"reference": ref, "kind": "demand", "lang": "zh", "customer_id": 1,
             "as_of": DAY, "totals": "{}", "username": "u", "created_at": NOW}
            for ref in ("HK-2026-000009", "HK-2026-000010", "HKX2026-000099")
        ],
    )  # fmt: skip
    assert L._last_number(conn, "HK-2026-") == 10  # by number, not by text; "-" is no wildcard
    assert L.delivery(conn, "HK-2026-000010") is None
    L.mark_delivered(conn, "HK-2026-000010", "email", "<id@x>", NOW)
    assert L.delivery(conn, "HK-2026-000010") == "<id@x>"
    assert L.logged(conn, "HK-2026-000001", "letter") and not L.logged(conn, "X", "letter")
    issued = L.letters(conn, "C001")
    assert issued[0].reference == "HKX2026-000099" and issued[0].as_of.isoformat() == "2026-11-22"
    assert {r.delivered_at and r.delivered_at.isoformat() for r in issued} == {None, NOW}

    assert len(db.statements) > 30
    for stmt in db.statements:
        for dialect in (postgresql.dialect(), sqlite.dialect()):
            sql = str(stmt.compile(dialect=dialect)).lower()
            assert not any(word in sql for word in SQLITE_ONLY), sql


def test_raw_criteria_of_callers_on_raw_sql_still_work(db: Recording) -> None:
    """store/todo.py passes text with ``?`` placeholders naming ``m`` and ``c``."""
    cfg = _config()
    policy, level = "standard", 1  # "overdue": a call (task) and an email (pending)
    conn: Any = object()
    ids = S.record(conn, [Plan("C001", policy, level, [Step("INV-1", level, [0])])], cfg, DAY, NOW)
    rows = S.messages(conn, "m.id = ? AND c.code = ?", (ids[0], "C001"))
    assert [r["id"] for r in rows] == ids[:1]
