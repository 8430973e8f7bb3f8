"""The models create the ledger's schema on SQLite (and PostgreSQL when
HUIKUAN_TEST_DATABASE_URL is set) and round-trip money, dates, flags and timestamps."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from huikuan.core.errors import HuikuanError
from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.db.models import Customer, DunningAction, Invoice

PG_URL = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
ENGINES = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    where = parse_ledger_url(tmp_path / "l.db" if request.param == "sqlite" else PG_URL or "")
    eng = make_engine(where)
    SQLModel.metadata.drop_all(eng)
    SQLModel.metadata.create_all(eng)
    yield eng
    SQLModel.metadata.drop_all(eng)
    eng.dispose()


def _customer() -> Customer:
    now = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)
    return Customer(code="C001", name="上海明达", created_at=now, credit_limit=2**62)


def test_round_trip(engine: sa.Engine) -> None:
    with Session(engine) as s:
        c = _customer()
        s.add(c)
        s.flush()
        s.add(
            Invoice(
                number="INV-1",
                customer_id=c.id or 0,
                issue_date=dt.date(2026, 9, 1),
                due_date=dt.date(2026, 10, 8),
                amount=120000,
                currency="CNY",
                open_amount=120000,
            )
        )
        s.commit()
    with Session(engine) as s:
        inv = s.exec(select(Invoice)).one()
        cust = s.exec(select(Customer)).one()
    assert inv.due_date == dt.date(2026, 10, 8) and inv.disputed is False
    assert cust.credit_limit == 2**62 and cust.language == "zh"
    assert cust.created_at == dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def test_exactly_once_key(engine: sa.Engine) -> None:
    with Session(engine) as s:
        c = _customer()
        s.add(c)
        s.flush()
        inv = Invoice(
            number="I",
            customer_id=c.id or 0,
            issue_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 1, 1),
            amount=1,
            currency="CNY",
            open_amount=1,
        )
        s.add(inv)
        s.flush()
        for _ in range(2):
            s.add(
                DunningAction(
                    invoice_id=inv.id or 0,
                    level=1,
                    level_name="overdue",
                    status="done",
                    run_date=dt.date(2026, 2, 1),
                )
            )
        with pytest.raises(sa.exc.IntegrityError):
            s.flush()


def test_checks_refuse_bad_enum(engine: sa.Engine) -> None:
    with Session(engine) as s:
        c = _customer()
        c.language = "fr"
        s.add(c)
        with pytest.raises(sa.exc.IntegrityError):
            s.flush()


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("ledger.db", "sqlite"),
        ("sqlite:///x/l.db", "sqlite"),
        ("postgresql://u@localhost:5432/db", "postgresql"),
        ("postgres://u@h/db", "postgresql"),
    ],
)
def test_parse_url(value: str, kind: str) -> None:
    assert parse_ledger_url(value).engine == kind


@pytest.mark.parametrize("value", ["postgresql://u:secret@h/db", "mysql://h/db", "sqlite://"])
def test_parse_url_refused(value: str) -> None:
    with pytest.raises(HuikuanError):
        parse_ledger_url(value)
