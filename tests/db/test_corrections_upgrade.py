"""Revision 0002 (corrections): a ledger at 0001 upgrades on open with every row kept, and
then takes what 0002 allows (a ``void`` adjustment, a negative allocation, the new columns).

Runs on a SQLite file (``payment`` and ``allocation`` are rebuilt in batch mode, with the
foreign keys off during the rebuild) and, when ``HUIKUAN_TEST_DATABASE_URL`` is set, on a
fresh PostgreSQL database (the CHECKs are altered in place).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

sys.path.insert(0, str(Path(__file__).parents[1] / "cli" / "helpers"))

import pg_helpers

from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.db.schema import HEAD, current_revision, ensure_schema

pg_url = pg_helpers.pg_url

ROWS = {
    "customer": [
        {"id": 1, "code": "C001", "name": "明达", "language": "zh", "created_at": "2026-01-01T00:00:00+00:00"}
    ],
    "contact": [{"id": 1, "customer_id": 1, "name": "李会计", "role": "finance"}],
    "invoice": [
        {"id": 1, "number": "A", "customer_id": 1, "issue_date": date(2026, 1, 1),
         "due_date": date(2026, 1, 31), "amount": 100000, "currency": "CNY", "open_amount": 40000},
        {"id": 2, "number": "B", "customer_id": 1, "issue_date": date(2026, 1, 5),
         "due_date": date(2026, 2, 5), "amount": 50000, "currency": "CNY", "open_amount": 50000},
    ],
    "payment": [
        {"id": 1, "kind": "payment", "customer_id": 1, "date": date(2026, 2, 1), "amount": 60000,
         "currency": "CNY", "reference": "S1", "unapplied": 0},
        {"id": 2, "kind": "credit_note", "customer_id": 1, "date": date(2026, 2, 2), "amount": 1,
         "currency": "CNY", "reference": None, "unapplied": 1},
    ],
    "allocation": [{"id": 1, "payment_id": 1, "invoice_id": 1, "amount": 60000, "date": date(2026, 2, 1)}],
}  # fmt: skip
COLUMNS = {t: sorted(rows[0]) for t, rows in ROWS.items()}


def _at_0001(engine: sa.Engine) -> None:
    """The 0001 schema through Alembic, with a few rows."""
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", "huikuan.db:migrations")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        meta = sa.MetaData()
        for table, rows in ROWS.items():
            conn.execute(sa.Table(table, meta, autoload_with=conn).insert(), rows)


def _rows(conn: sa.Connection, table: str) -> list[tuple[Any, ...]]:
    cols = ", ".join(COLUMNS[table])
    return [tuple(r) for r in conn.exec_driver_sql(f"SELECT {cols} FROM {table} ORDER BY id")]


def _engine(request: pytest.FixtureRequest, tmp_path: Path) -> sa.Engine:
    if request.param == "sqlite":
        return make_engine(parse_ledger_url(tmp_path / "old.db"))
    if not pg_helpers.SERVER:
        pytest.skip("HUIKUAN_TEST_DATABASE_URL not set")
    return make_engine(parse_ledger_url(request.getfixturevalue("pg_url")))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    e = _engine(request, tmp_path)
    yield e
    e.dispose()


def test_a_0001_ledger_upgrades_with_every_row(engine: sa.Engine) -> None:
    _at_0001(engine)
    with engine.connect() as conn:
        assert current_revision(conn) == "0001"
        before = {t: _rows(conn, t) for t in ROWS}
    assert ensure_schema(engine) == [f"upgraded to {HEAD}"]
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD
        assert {t: _rows(conn, t) for t in ROWS} == before
        insp = sa.inspect(conn)
        indexes = {i["name"] for i in insp.get_indexes("payment")}
        assert {"payment_customer", "payment_unapplied", "payment_reversed"} <= indexes
        assert {i["name"] for i in insp.get_indexes("allocation")} >= {
            "allocation_invoice", "allocation_payment", "allocation_date",
        }  # fmt: skip
        new = conn.exec_driver_sql("SELECT reversed_on, reversal_reason FROM payment").all()
        assert new == [(None, None), (None, None)]


def test_after_0002_a_void_and_a_counter_entry_are_allowed(engine: sa.Engine) -> None:
    _at_0001(engine)
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO payment (id, kind, customer_id, date, amount, currency, unapplied)"
            " VALUES (3, 'void', 1, '2026-03-01', 50000, 'CNY', 0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO allocation (id, payment_id, invoice_id, amount, date)"
            " VALUES (2, 1, 1, -60000, '2026-03-01')"
        )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO allocation (id, payment_id, invoice_id, amount, date)"
            " VALUES (3, 1, 1, 0, '2026-03-01')"
        )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO payment (id, kind, customer_id, date, amount, currency, unapplied)"
            " VALUES (4, 'refund', 1, '2026-03-01', 1, 'CNY', 0)"
        )


def test_a_ledger_from_a_newer_huikuan_is_refused_in_one_line(tmp_path: Path) -> None:
    engine = make_engine(parse_ledger_url(tmp_path / "new.db"))
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    from huikuan.core.errors import HuikuanError

    with pytest.raises(HuikuanError, match=r"revision 0999 is newer than this huikuan knows"):
        ensure_schema(engine)
    engine.dispose()
