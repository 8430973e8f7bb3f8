"""On PostgreSQL, ``import payments`` allocates set-wise exactly as the per-payment path.

Runs when ``HUIKUAN_TEST_DATABASE_URL`` names a server (as ``test_postgres.py``): the same
seeded files go into two new databases, one through :func:`setalloc.allocate_each`.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from huikuan.store import setalloc

SERVER = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not SERVER, reason="HUIKUAN_TEST_DATABASE_URL not set")


@pytest.fixture
def two_dbs() -> Iterator[list[str]]:
    """Two new, empty databases on the test server (dropped afterwards): their URLs."""
    admin = sa.make_url(SERVER or "").set(drivername="postgresql+psycopg")
    names = [f"huikuan_t_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield [admin.set(database=n).render_as_string(hide_password=False) for n in names]
    finally:
        with engine.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def _files(tmp_path: Path, rng: random.Random) -> list[Path]:
    day = lambda: f"2026-0{rng.randint(1, 3)}-{rng.choice([1, 2, 15, 28]):02d}"  # noqa: E731
    customers = [f"C{i}" for i in range(4)]
    invoices = [(f"N{n}", rng.choice(customers), rng.choice(["CNY", "USD"])) for n in range(40)]
    inv_rows = [
        f"{n},{c},{day()},{rng.choice(['2026-04-30', '2026-05-31'])},{rng.randint(1, 40) * 50},{cur}"
        for n, c, cur in invoices
    ]
    pay_rows = []
    for i in range(120):
        n, c, cur = rng.choice(invoices)
        named = n if rng.random() < 0.4 else ""
        pay_rows.append(f"{c},{day()},{rng.randint(1, 80) * 25},{named},{cur},R{i}")
    texts = [
        "code,name\n" + "".join(f"{c},Customer {c}\n" for c in customers),
        "number,customer,issue_date,due_date,amount,currency\n" + "\n".join(inv_rows) + "\n",
        "customer,date,amount,invoice,currency,reference\n" + "\n".join(pay_rows) + "\n",
    ]
    paths = [tmp_path / f"{k}.csv" for k in ("customers", "invoices", "payments")]
    for path, text in zip(paths, texts):
        path.write_text(text, "utf-8")
    return paths


def _state(url: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            q = conn.exec_driver_sql
            return [
                q(
                    "SELECT payment_id, invoice_id, amount, date FROM allocation"
                    " ORDER BY payment_id, id"
                ).all(),
                q("SELECT id, open_amount FROM invoice ORDER BY id").all(),
                q("SELECT id, unapplied FROM payment ORDER BY id").all(),
            ]
    finally:
        engine.dispose()


def test_set_wise_allocation_on_postgresql(
    cli: Any, two_dbs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers, invoices, payments = _files(tmp_path, random.Random(12))
    for url in two_dbs:
        db = url.replace("postgresql+psycopg://", "postgresql://", 1)
        cli("--db", db, "init")
        cli("--db", db, "import", "customers", str(customers))
        cli("--db", db, "import", "invoices", str(invoices))
    new, old = (u.replace("postgresql+psycopg://", "postgresql://", 1) for u in two_dbs)
    cli("--db", new, "import", "payments", str(payments))
    monkeypatch.setattr(setalloc, "allocate_new_payments", setalloc.allocate_each)
    cli("--db", old, "import", "payments", str(payments))
    got, expected = _state(two_dbs[0]), _state(two_dbs[1])
    assert got == expected
    assert len(got[0]) > 50
